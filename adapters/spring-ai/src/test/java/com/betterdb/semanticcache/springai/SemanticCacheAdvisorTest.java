package com.betterdb.semanticcache.springai;

import com.betterdb.semanticcache.CacheEntry;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.adapter.CachingOptions;
import com.betterdb.semanticcache.adapter.RequestScope;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import com.betterdb.semanticcache.testing.llm.ChatAdapterContract;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.function.FunctionToolCallback;

import java.time.Duration;
import java.util.List;

import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.PARAPHRASE;
import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.QUESTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SemanticCacheAdvisor} in a real {@link ChatClient} over Spring AI's real {@link OpenAiChatModel}, talking
 * HTTP to a loopback server that answers with OpenAI's JSON, as OpenAI does: a request for {@code gpt-4o} is answered
 * by a dated snapshot. The behaviour of every chat adapter ({@link ChatAdapterContract}), and what is Spring AI's own.
 * Distances come from {@link AdapterCacheFixture}: the paraphrase is 0.02 from the question (a hit), the other
 * question 0.5 (a miss).
 */
class SemanticCacheAdvisorTest extends ChatAdapterContract {

    private static final String ANSWERING = "gpt-4o-2024-08-06";

    private final OpenAiChatModel openAi = OpenAiChatModel.builder()
            .options(OpenAiChatOptions.builder()
                    .baseUrl(server.baseUrl() + "/v1")
                    .apiKey("test-key")
                    .model("gpt-4o")
                    .maxRetries(0)
                    .timeout(Duration.ofSeconds(20))
                    .build())
            .build();
    private final ChatClient chat = client();

    SemanticCacheAdvisorTest() {
        super("sai", "gpt-4o", "gpt-4o-mini", ANSWERING);
    }

    @Override
    protected Reply ask(String system, String model, String question) {
        ChatClient.ChatClientRequestSpec spec = chat.prompt();
        if (system != null) {
            spec = spec.system(system);
        }
        if (model != null) {
            spec = spec.options(OpenAiChatOptions.builder().model(model));
        }
        ChatResponse r = spec.user(question).call().chatResponse();
        return new Reply(text(r), SemanticCacheAdvisor.isCached(r),
                (String) r.getMetadata().get(CacheHitMetadata.OUTCOME));
    }

    @Override
    protected void assertProviderError(Throwable error) {
        assertThat(error).hasMessageContaining("The server had an error");
    }

    private ChatClient client(SemanticCacheAdvisor advisor) {
        return client(openAi, advisor);
    }

    private static ChatClient client(ChatModel model, SemanticCacheAdvisor advisor) {
        return ChatClient.builder(model).defaultAdvisors(advisor).build();
    }

    private ChatClient client() {
        return client(SemanticCacheAdvisor.builder(fx.cache()).build());
    }

    private static ChatResponse ask(ChatClient chat, String system, String question) {
        ChatClient.ChatClientRequestSpec spec = chat.prompt();
        if (system != null) {
            spec = spec.system(system);
        }
        return spec.user(question).call().chatResponse();
    }

    private static String text(ChatResponse r) {
        return r.getResult().getOutput().getText();
    }

    @Test
    void aHitIsAChatResponseWithTheMarksZeroUsageAndTheRequestedModel() {
        ChatClient chat = client();
        ChatResponse first = ask(chat, "You are terse.", QUESTION);
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(text(first)).isEqualTo("Answer 1");
        assertThat(SemanticCacheAdvisor.isCached(first)).isFalse();

        List<CacheEntry> stored = fx.cache().entries(Filter.model(ANSWERING), 0, 10).block();
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).prompt()).isEqualTo(QUESTION);
        assertThat(stored.get(0).response()).isEqualTo("Answer 1");
        // the model that answered (cost tracking prices it); the requested one (the ChatClient's default, which it
        // puts into the prompt) and the system prompt are the scope
        assertThat(stored.get(0).model()).isEqualTo(ANSWERING);
        assertThat(stored.get(0).field("category")).isEmpty();
        assertThat(stored.get(0).field("binary_refs"))
                .isEqualTo(RequestScope.of("gpt-4o", List.of("system:You are terse.")).ref(List.of()));
        assertThat(stored.get(0).field("cost_micros")).isNotEmpty();

        ChatResponse second = ask(chat, "You are terse.", PARAPHRASE);
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(text(second)).isEqualTo("Answer 1");
        assertThat(SemanticCacheAdvisor.isCached(second)).isTrue();
        assertThat(second.getMetadata().getUsage().getTotalTokens()).isZero();
        assertThat(second.getMetadata().getModel()).isEqualTo("gpt-4o");
        assertThat((String) second.getMetadata().get(CacheHitMetadata.MATCHED_KEY)).isEqualTo(stored.get(0).key());
        assertThat((Double) second.getMetadata().get(CacheHitMetadata.COST_SAVED)).isPositive();
        assertThat(second.getResult().getMetadata().getFinishReason()).isEqualTo("STOP");
        assertThat(fx.counter("read_through_total", "outcome", "hit")).isEqualTo(1);
    }

    @Test
    void contentIsCachedAndTheAdvisorContextIsMarked() {
        ChatClient chat = client();
        assertThat(chat.prompt().user(QUESTION).call().content()).isEqualTo("Answer 1");
        ChatClientResponse hit = chat.prompt().user(PARAPHRASE).call().chatClientResponse();
        assertThat(hit.context()).containsEntry(CacheHitMetadata.HIT, true);
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void failOpenOffMakesAnOutageFailTheCall() {
        expectFailOpen = true;
        ChatClient chat = client(SemanticCacheAdvisor.builder(fx.cache()).options(CachingOptions.builder()
                .base(GetOrComputeOptions.builder().failOpen(false).build()).build()).build());
        fx.storeDown(true);
        assertThatThrownBy(() -> ask(chat, null, QUESTION)).hasMessageContaining("valkey down");
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void perCallCategoryThresholdAndSkip() {
        ChatClient chat = client();
        chat.prompt().user(QUESTION).advisors(a -> a.param(SemanticCacheAdvisor.CATEGORY, "faq")).call().content();
        // stored under the caller's category as it is: it picks thresholds and the metric label
        assertThat(fx.cache().entries(Filter.category("faq"), 0, 10).block()).hasSize(1);
        // a threshold below the paraphrase's distance (0.02): a miss; the default: a hit
        assertThat(SemanticCacheAdvisor.isCached(chat.prompt().user(PARAPHRASE).advisors(a -> a
                .param(SemanticCacheAdvisor.CATEGORY, "faq").param(SemanticCacheAdvisor.THRESHOLD, 0.01))
                .call().chatResponse())).isFalse();
        assertThat(SemanticCacheAdvisor.isCached(chat.prompt().user(QUESTION).advisors(a -> a
                .param(SemanticCacheAdvisor.CATEGORY, "faq")).call().chatResponse())).isTrue();
        assertThat(fx.counter("requests_total", "result", "hit", "category", "faq")).isEqualTo(1);
        // a category does not isolate answers (the scope does): the same question without one hits
        assertThat(SemanticCacheAdvisor.isCached(ask(chat, null, QUESTION))).isTrue();
        int before = server.requestCount();
        long lookups = fx.lookups();
        assertThat(SemanticCacheAdvisor.isCached(chat.prompt().user(QUESTION)
                .advisors(a -> a.param(SemanticCacheAdvisor.SKIP, true)).call().chatResponse())).isFalse();
        assertThat(server.requestCount()).isEqualTo(before + 1);
        assertThat(fx.lookups()).isEqualTo(lookups);
    }

    @Test
    void theChatModelsDefaultModelIsInTheScopeWithoutConfiguringIt() {
        ChatClient chat = client();
        ask(chat, null, QUESTION); // names no model: the ChatClient puts the chat model's default, gpt-4o, in
        ChatResponse named = chat.prompt().user(PARAPHRASE).options(OpenAiChatOptions.builder().model("gpt-4o"))
                .call().chatResponse();
        assertThat(SemanticCacheAdvisor.isCached(named)).isTrue();
        // another chat model whose default is another model: another scope
        OpenAiChatModel mini = OpenAiChatModel.builder().options(OpenAiChatOptions.builder()
                .baseUrl(server.baseUrl() + "/v1").apiKey("test-key").model("gpt-4o-mini").maxRetries(0).build())
                .build();
        ChatClient miniChat = client(mini, SemanticCacheAdvisor.builder(fx.cache()).build());
        assertThat(SemanticCacheAdvisor.isCached(ask(miniChat, null, PARAPHRASE))).isFalse();
        assertThat(server.requestCount()).isEqualTo(2);
    }

    /**
     * A chat model that reports no default model: the prompt names none, so the scope has {@code defaultModel(...)}
     * when set, else the model {@code ""}: such requests share answers with each other (deterministic), never with
     * requests naming a model.
     */
    @Test
    void aChatModelThatNamesNoModelIsScopedUnderTheDefaultModelOrTheEmptyOne() {
        // forwards the messages only: OpenAI's model then sends its own default model, gpt-4o
        ChatModel unnamed = prompt -> openAi.call(new org.springframework.ai.chat.prompt.Prompt(
                prompt.getInstructions()));
        assertThat(unnamed.getOptions().getModel()).isNull();
        ChatClient chat = client(unnamed, SemanticCacheAdvisor.builder(fx.cache()).build());
        ask(chat, null, QUESTION);
        assertThat(SemanticCacheAdvisor.isCached(ask(chat, null, PARAPHRASE))).isTrue();
        assertThat(SemanticCacheAdvisor.isCached(ask(client(), null, PARAPHRASE))).isFalse();
        ChatClient configured = client(unnamed, SemanticCacheAdvisor.builder(fx.cache()).defaultModel("gpt-4o")
                .build());
        assertThat(SemanticCacheAdvisor.isCached(ask(configured, null, QUESTION))).isTrue();
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(fx.cache().entries(Filter.model(ANSWERING), 0, 10).block())
                .extracting(e -> e.field("binary_refs"))
                .contains(RequestScope.of("", List.of()).ref(List.of()),
                        RequestScope.of("gpt-4o", List.of()).ref(List.of()));
    }

    @Test
    void requestsOfferingToolsOrNotEndingInAUserMessageAreNotCached() {
        ToolCallback lookup = FunctionToolCallback.builder("lookup", (String q) -> "Paris")
                .description("looks up").inputType(String.class).build();
        chat.prompt().user(QUESTION).toolCallbacks(lookup).call().content();
        chat.prompt().user(QUESTION).toolCallbacks(lookup).call().content();
        chat.prompt().messages(new UserMessage(QUESTION), new AssistantMessage("The capital of France is"))
                .call().content();
        assertThat(server.requestCount()).isEqualTo(3);
        assertThat(fx.lookups()).isZero();
        assertThat(fx.entries()).isZero();
    }

    @Test
    void aTruncatedAnswerIsReturnedButNotStored() {
        server.finishReason("length");
        ChatClient chat = client();
        assertThat(text(ask(chat, null, QUESTION))).isEqualTo("Answer 1");
        assertThat(fx.cache().check(QUESTION).block().hit()).isFalse();
    }
}
