package com.betterdb.semanticcache.langchain4j;

import com.betterdb.semanticcache.CacheEntry;
import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.adapter.CachingOptions;
import com.betterdb.semanticcache.adapter.MatchScope;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.testing.llm.ChatCacheFixture;
import com.betterdb.semanticcache.testing.llm.OpenAiCompatibleServer;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.output.FinishReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static com.betterdb.semanticcache.testing.llm.ChatCacheFixture.OTHER;
import static com.betterdb.semanticcache.testing.llm.ChatCacheFixture.PARAPHRASE;
import static com.betterdb.semanticcache.testing.llm.ChatCacheFixture.QUESTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SemanticCacheChatModel} around LangChain4j's real {@link OpenAiChatModel}, talking HTTP to a loopback server
 * that answers with OpenAI's JSON. Distances come from {@link ChatCacheFixture}: the paraphrase is 0.02 from the
 * question (a hit at the default 0.1), the other question 0.5 (a miss).
 */
class SemanticCacheChatModelTest {

    private final OpenAiCompatibleServer server = new OpenAiCompatibleServer();
    private final ChatCacheFixture fx = new ChatCacheFixture("lc4j");
    private final ChatModel openAi = OpenAiChatModel.builder()
            .baseUrl(server.baseUrl())
            .apiKey("test-key")
            .modelName("gpt-4o")
            .maxRetries(0)
            .timeout(Duration.ofSeconds(20))
            .build();
    private final SemanticCacheChatModel model = new SemanticCacheChatModel(openAi, fx.cache);
    private boolean expectFailOpen;

    @AfterEach
    void tearDown() {
        try {
            if (!expectFailOpen) {
                // An unknown text fails its embedding and is tolerated as a cache failure: never by accident.
                assertThat(fx.failOpens()).as("fail-open count").isZero();
            }
        } finally {
            fx.close();
            server.close();
        }
    }

    private static ChatRequest ask(String system, String question) {
        return system == null
                ? ChatRequest.builder().messages(UserMessage.from(question)).build()
                : ChatRequest.builder().messages(SystemMessage.from(system), UserMessage.from(question)).build();
    }

    @Test
    void firstCallGoesToTheProviderAndIsStoredThenAParaphraseHitsWithoutHttp() {
        ChatResponse first = model.chat(ask("You are terse.", QUESTION));
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(first.aiMessage().text()).isEqualTo("Answer 1");
        assertThat(SemanticCacheChatModel.isCached(first)).isFalse();
        assertThat(first.tokenUsage().inputTokenCount()).isEqualTo(OpenAiCompatibleServer.PROMPT_TOKENS);

        String category = MatchScope.systemHash(List.of("You are terse."));
        List<CacheEntry> stored = fx.cache.entries(Filter.category(category), 0, 10).block();
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).response()).isEqualTo("Answer 1");
        assertThat(stored.get(0).model()).isEqualTo("gpt-4o");
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
        assertThat(fx.readThroughs("hit")).isEqualTo(1);
        assertThat(fx.readThroughs("computed")).isEqualTo(1);
    }

    @Test
    void theStringOverloadIsCachedToo() {
        assertThat(model.chat(QUESTION)).isEqualTo("Answer 1");
        assertThat(model.chat(PARAPHRASE)).isEqualTo("Answer 1");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void aDifferentSystemPromptIsAMiss() {
        model.chat(ask("You are terse.", QUESTION));
        ChatResponse other = model.chat(ask("You answer in French.", QUESTION));
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(SemanticCacheChatModel.isCached(other)).isFalse();
        assertThat(other.aiMessage().text()).isEqualTo("Answer 2");
        // and no system prompt at all is a third scope
        model.chat(ask(null, QUESTION));
        assertThat(server.requestCount()).isEqualTo(3);
        // each scope answers its own paraphrase
        assertThat(model.chat(ask("You answer in French.", PARAPHRASE)).aiMessage().text()).isEqualTo("Answer 2");
        assertThat(model.chat(ask(null, PARAPHRASE)).aiMessage().text()).isEqualTo("Answer 3");
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @Test
    void aDifferentModelIsAMiss() {
        model.chat(ask(null, QUESTION));
        ChatResponse mini = model.chat(ChatRequest.builder().messages(UserMessage.from(PARAPHRASE))
                .modelName("gpt-4o-mini").build());
        assertThat(SemanticCacheChatModel.isCached(mini)).isFalse();
        assertThat(server.requests().get(1).path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void anotherQuestionIsAMiss() {
        model.chat(ask(null, QUESTION));
        assertThat(SemanticCacheChatModel.isCached(model.chat(ask(null, OTHER)))).isFalse();
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void aProviderErrorReachesTheCallerAndNothingIsStored() {
        server.failNext(500, "The server had an error while processing your request.");
        assertThatThrownBy(() -> model.chat(ask(null, QUESTION)))
                .hasMessageContaining("The server had an error");
        assertThat(fx.cache.check(QUESTION).block().hit()).isFalse();
        // the next identical request goes to the provider again
        assertThat(SemanticCacheChatModel.isCached(model.chat(ask(null, QUESTION)))).isFalse();
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void aCacheOutageStillCallsTheProviderAndIsCountedAsFailOpen() {
        expectFailOpen = true;
        fx.outage(true);
        ChatResponse r = model.chat(ask(null, QUESTION));
        assertThat(r.aiMessage().text()).isEqualTo("Answer 1");
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(fx.failOpens("check")).isEqualTo(1);
        assertThat(fx.failOpens("store")).isEqualTo(1);
        fx.outage(false);
        assertThat(fx.cache.check(QUESTION).block().hit()).isFalse();
    }

    @Test
    void failOpenOffMakesAnOutageFailTheCall() {
        expectFailOpen = true;
        fx.outage(true);
        SemanticCacheChatModel strict = model.withOptions(CachingOptions.builder()
                .base(com.betterdb.semanticcache.GetOrComputeOptions.builder().failOpen(false).build()).build());
        assertThatThrownBy(() -> strict.chat(ask(null, QUESTION))).hasMessageContaining("valkey down");
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void requestsOfferingToolsAreNotCached() {
        ChatRequest withTools = ChatRequest.builder().messages(UserMessage.from(QUESTION))
                .toolSpecifications(ToolSpecification.builder().name("lookup").description("looks up").build())
                .build();
        model.chat(withTools);
        model.chat(withTools);
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(fx.lookups()).isZero();
    }

    @Test
    void aTruncatedAnswerIsReturnedButNotStored() {
        server.finishReason("length");
        ChatResponse r = model.chat(ask(null, QUESTION));
        assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(fx.cache.check(QUESTION).block().hit()).isFalse();
    }

    @Test
    void perCallCategoryAndThreshold() {
        SemanticCacheChatModel faq = model.withCategory("faq");
        faq.chat(ask(null, QUESTION));
        String faqScope = MatchScope.category("faq", MatchScope.systemHash(List.of()));
        assertThat(faqScope).startsWith("faq:sys-");
        assertThat(fx.cache.entries(Filter.category(faqScope), 0, 10).block()).hasSize(1);
        // the same question outside the category misses
        assertThat(SemanticCacheChatModel.isCached(model.chat(ask(null, PARAPHRASE)))).isFalse();
        // a threshold below the paraphrase's distance (0.02) misses, the category's default hits
        assertThat(SemanticCacheChatModel.isCached(faq.withThreshold(0.01).chat(ask(null, PARAPHRASE)))).isFalse();
        assertThat(SemanticCacheChatModel.isCached(faq.chat(ask(null, PARAPHRASE)))).isTrue();
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @Test
    void systemPromptMatchingCanBeSwitchedOff() {
        SemanticCacheChatModel shared = model.withOptions(CachingOptions.builder().matchSystemPrompt(false).build());
        shared.chat(ask("You are terse.", QUESTION));
        assertThat(SemanticCacheChatModel.isCached(shared.chat(ask("You answer in French.", PARAPHRASE)))).isTrue();
        assertThat(server.requestCount()).isEqualTo(1);
    }
}
