package com.betterdb.semanticcache.langchain4j;

import com.betterdb.semanticcache.CacheEntry;
import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.adapter.CachingOptions;
import com.betterdb.semanticcache.adapter.RequestScope;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import com.betterdb.semanticcache.testing.llm.ChatAdapterContract;
import com.betterdb.semanticcache.testing.llm.LoopbackLlmServer;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.output.FinishReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.OTHER;
import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.PARAPHRASE;
import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.QUESTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SemanticCacheChatModel} around LangChain4j's real {@link OpenAiChatModel}, talking HTTP to a loopback server
 * that answers with OpenAI's JSON, as OpenAI does: a request for {@code gpt-4o} is answered by a dated snapshot. The
 * behaviour of every chat adapter ({@link ChatAdapterContract}), and what is LangChain4j's own. Distances come from
 * {@link AdapterCacheFixture}: the paraphrase is 0.02 from the question (a hit at the default 0.1), the other question
 * 0.5 (a miss).
 */
class SemanticCacheChatModelTest extends ChatAdapterContract {

    private static final String ANSWERING = "gpt-4o-2024-08-06";

    private final ChatModel openAi = OpenAiChatModel.builder()
            .baseUrl(server.baseUrl() + "/v1")
            .apiKey("test-key")
            .modelName("gpt-4o")
            .maxRetries(0)
            .timeout(Duration.ofSeconds(20))
            .build();
    private final SemanticCacheChatModel model = new SemanticCacheChatModel(openAi, fx.cache());

    SemanticCacheChatModelTest() {
        super("lc4j", "gpt-4o", "gpt-4o-mini", ANSWERING);
    }

    @Override
    protected Reply ask(String system, String modelName, String question) {
        ChatRequest.Builder b = ChatRequest.builder().messages(system == null ? List.of(UserMessage.from(question))
                : List.of(SystemMessage.from(system), UserMessage.from(question)));
        ChatResponse r = model.chat(modelName == null ? b.build() : b.modelName(modelName).build());
        return new Reply(r.aiMessage().text(), SemanticCacheChatModel.isCached(r),
                (String) r.aiMessage().attributes().get(CacheHitMetadata.OUTCOME));
    }

    @Override
    protected void assertProviderError(Throwable error) {
        assertThat(error).hasMessageContaining("The server had an error");
    }

    private static ChatRequest ask(String system, String question) {
        return system == null
                ? ChatRequest.builder().messages(UserMessage.from(question)).build()
                : ChatRequest.builder().messages(SystemMessage.from(system), UserMessage.from(question)).build();
    }

    @Test
    void aHitIsAChatResponseWithTheMarksZeroUsageAndTheRequestedModel() {
        ChatResponse first = model.chat(ask("You are terse.", QUESTION));
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(first.aiMessage().text()).isEqualTo("Answer 1");
        assertThat(SemanticCacheChatModel.isCached(first)).isFalse();
        assertThat(first.tokenUsage().inputTokenCount()).isEqualTo(LoopbackLlmServer.PROMPT_TOKENS);

        List<CacheEntry> stored = fx.cache().entries(Filter.model(ANSWERING), 0, 10).block();
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).response()).isEqualTo("Answer 1");
        // the model that answered (cost tracking prices it); the requested one and the system prompt are the scope
        assertThat(stored.get(0).model()).isEqualTo(ANSWERING);
        assertThat(stored.get(0).field("category")).isEmpty();
        assertThat(stored.get(0).field("binary_refs"))
                .isEqualTo(RequestScope.of("gpt-4o", List.of("system:You are terse.")).ref(List.of()));
        assertThat(stored.get(0).prompt()).isEqualTo(QUESTION);
        // 25 prompt + 5 completion tokens of gpt-4o at the bundled prices: cost tracking has what it needs
        assertThat(stored.get(0).field("cost_micros")).isNotEmpty();

        ChatResponse second = model.chat(ask("You are terse.", PARAPHRASE));
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(second.aiMessage().text()).isEqualTo("Answer 1");
        assertThat(SemanticCacheChatModel.isCached(second)).isTrue();
        assertThat(second.aiMessage().attributes())
                .containsEntry(CacheHitMetadata.HIT, true)
                .containsEntry(CacheHitMetadata.MATCHED_KEY, stored.get(0).key())
                .containsKey(CacheHitMetadata.SIMILARITY)
                .containsKey(CacheHitMetadata.COST_SAVED);
        assertThat((Double) second.aiMessage().attributes().get(CacheHitMetadata.COST_SAVED)).isPositive();
        assertThat(second.tokenUsage().inputTokenCount()).isZero();
        assertThat(second.tokenUsage().outputTokenCount()).isZero();
        assertThat(second.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(second.modelName()).isEqualTo("gpt-4o");
        assertThat(fx.counter("read_through_total", "outcome", "hit")).isEqualTo(1);
        assertThat(fx.counter("read_through_total", "outcome", "computed")).isEqualTo(1);
    }

    @Test
    void theStringOverloadIsCachedToo() {
        assertThat(model.chat(QUESTION)).isEqualTo("Answer 1");
        assertThat(model.chat(PARAPHRASE)).isEqualTo("Answer 1");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void failOpenOffMakesAnOutageFailTheCall() {
        expectFailOpen = true;
        fx.storeDown(true);
        SemanticCacheChatModel strict = model.withOptions(CachingOptions.builder()
                .base(com.betterdb.semanticcache.GetOrComputeOptions.builder().failOpen(false).build()).build());
        assertThatThrownBy(() -> strict.chat(ask(null, QUESTION))).hasMessageContaining("valkey down");
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void requestsOfferingToolsOrNotEndingInAUserMessageAreNotCached() {
        ChatRequest withTools = ChatRequest.builder().messages(UserMessage.from(QUESTION))
                .toolSpecifications(ToolSpecification.builder().name("lookup").description("looks up").build())
                .build();
        model.chat(withTools);
        model.chat(withTools);
        model.chat(ChatRequest.builder().messages(UserMessage.from(QUESTION),
                AiMessage.from("The capital of France is")).build());
        assertThat(server.requestCount()).isEqualTo(3);
        assertThat(fx.lookups()).isZero();
    }

    @Test
    void aTruncatedAnswerIsReturnedButNotStored() {
        server.finishReason("length");
        ChatResponse r = model.chat(ask(null, QUESTION));
        assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(fx.cache().check(QUESTION).block().hit()).isFalse();
    }

    @Test
    void perCallCategoryAndThreshold() {
        SemanticCacheChatModel faq = model.withCategory("faq");
        faq.chat(ask(null, QUESTION));
        // stored under the caller's category as it is: it picks thresholds and the metric label
        assertThat(fx.cache().entries(Filter.category("faq"), 0, 10).block()).hasSize(1);
        // a threshold below the paraphrase's distance (0.02) misses, the category's default hits
        assertThat(SemanticCacheChatModel.isCached(faq.withThreshold(0.01).chat(ask(null, PARAPHRASE)))).isFalse();
        assertThat(SemanticCacheChatModel.isCached(faq.chat(ask(null, OTHER)))).isFalse();
        assertThat(SemanticCacheChatModel.isCached(faq.chat(ask(null, QUESTION)))).isTrue();
        assertThat(fx.counter("requests_total", "result", "hit", "category", "faq")).isEqualTo(1);
        // a category does not isolate answers (the scope does): the same question without one hits
        assertThat(SemanticCacheChatModel.isCached(model.chat(ask(null, QUESTION)))).isTrue();
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @Test
    void theWrappedModelsDefaultModelIsTheModelInTheScope() {
        model.chat(ask(null, QUESTION)); // names no model: the wrapped model's default, gpt-4o
        ChatResponse named = model.chat(ChatRequest.builder().messages(UserMessage.from(PARAPHRASE))
                .modelName("gpt-4o").build());
        assertThat(SemanticCacheChatModel.isCached(named)).isTrue();
        assertThat(server.requestCount()).isEqualTo(1);
    }

    /**
     * A model that reports no default model name: its requests are scoped under the model {@code ""}, so they share
     * answers with each other (deterministic) and never with requests naming a model, even the one that answered.
     */
    @Test
    void aModelThatNamesNoModelIsScopedUnderTheEmptyModel() {
        ChatModel unnamed = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                return openAi.chat(request);
            }
        };
        assertThat(unnamed.defaultRequestParameters().modelName()).isNull();
        SemanticCacheChatModel cached = new SemanticCacheChatModel(unnamed, fx.cache());
        cached.chat(ask(null, QUESTION));
        assertThat(SemanticCacheChatModel.isCached(cached.chat(ask(null, PARAPHRASE)))).isTrue();
        assertThat(SemanticCacheChatModel.isCached(model.chat(ask(null, PARAPHRASE)))).isFalse();
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(fx.cache().entries(Filter.model(ANSWERING), 0, 10).block())
                .extracting(e -> e.field("binary_refs"))
                .contains(RequestScope.of("", List.of()).ref(List.of()));
    }

    @Test
    void systemPromptMatchingCanBeSwitchedOff() {
        SemanticCacheChatModel shared = model.withOptions(CachingOptions.builder().matchSystemPrompt(false).build());
        shared.chat(ask("You are terse.", QUESTION));
        assertThat(SemanticCacheChatModel.isCached(shared.chat(ask("You answer in French.", PARAPHRASE)))).isTrue();
        assertThat(server.requestCount()).isEqualTo(1);
    }
}
