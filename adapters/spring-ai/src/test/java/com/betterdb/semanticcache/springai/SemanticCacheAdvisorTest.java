package com.betterdb.semanticcache.springai;

import com.betterdb.semanticcache.CacheEntry;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.adapter.CachingOptions;
import com.betterdb.semanticcache.adapter.MatchScope;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.testing.llm.ChatCacheFixture;
import com.betterdb.semanticcache.testing.llm.OpenAiCompatibleServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;

import java.time.Duration;
import java.util.List;

import static com.betterdb.semanticcache.testing.llm.ChatCacheFixture.OTHER;
import static com.betterdb.semanticcache.testing.llm.ChatCacheFixture.PARAPHRASE;
import static com.betterdb.semanticcache.testing.llm.ChatCacheFixture.QUESTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SemanticCacheAdvisor} in a real {@link ChatClient} over Spring AI's real {@link OpenAiChatModel}, talking
 * HTTP to a loopback server that answers with OpenAI's JSON (SSE for streams). Distances come from
 * {@link ChatCacheFixture}: the paraphrase is 0.02 from the question (a hit), the other question 0.5 (a miss).
 */
class SemanticCacheAdvisorTest {

    private final OpenAiCompatibleServer server = new OpenAiCompatibleServer();
    private final ChatCacheFixture fx = new ChatCacheFixture("sai");
    private final OpenAiChatModel openAi = OpenAiChatModel.builder()
            .options(OpenAiChatOptions.builder()
                    .baseUrl(server.baseUrl())
                    .apiKey("test-key")
                    .model("gpt-4o")
                    .maxRetries(0)
                    .timeout(Duration.ofSeconds(20))
                    .build())
            .build();
    private boolean expectFailOpen;

    @AfterEach
    void tearDown() {
        try {
            if (!expectFailOpen) {
                assertThat(fx.failOpens()).as("fail-open count").isZero();
            }
        } finally {
            fx.close();
            server.close();
        }
    }

    private ChatClient client(SemanticCacheAdvisor advisor) {
        return ChatClient.builder(openAi).defaultAdvisors(advisor).build();
    }

    private ChatClient client() {
        return client(SemanticCacheAdvisor.builder(fx.cache).defaultModel("gpt-4o").build());
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
    void firstCallGoesToTheProviderAndIsStoredThenAParaphraseHitsWithoutHttp() {
        ChatClient chat = client();
        ChatResponse first = ask(chat, "You are terse.", QUESTION);
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(text(first)).isEqualTo("Answer 1");
        assertThat(SemanticCacheAdvisor.isCached(first)).isFalse();

        String scope = MatchScope.systemHash(List.of("You are terse."));
        List<CacheEntry> stored = fx.cache.entries(Filter.category(scope), 0, 10).block();
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).prompt()).isEqualTo(QUESTION);
        assertThat(stored.get(0).response()).isEqualTo("Answer 1");
        assertThat(stored.get(0).model()).isEqualTo("gpt-4o");
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
        assertThat(fx.readThroughs("hit")).isEqualTo(1);
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
    void aDifferentSystemPromptIsAMiss() {
        ChatClient chat = client();
        ask(chat, "You are terse.", QUESTION);
        ChatResponse other = ask(chat, "You answer in French.", PARAPHRASE);
        assertThat(SemanticCacheAdvisor.isCached(other)).isFalse();
        assertThat(text(other)).isEqualTo("Answer 2");
        ask(chat, null, PARAPHRASE);
        assertThat(server.requestCount()).isEqualTo(3);
        assertThat(text(ask(chat, "You answer in French.", QUESTION))).isEqualTo("Answer 2");
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @Test
    void aDifferentModelIsAMiss() {
        ChatClient chat = client();
        ask(chat, null, QUESTION);
        ChatResponse mini = chat.prompt().user(PARAPHRASE)
                .options(OpenAiChatOptions.builder().model("gpt-4o-mini")).call().chatResponse();
        assertThat(SemanticCacheAdvisor.isCached(mini)).isFalse();
        assertThat(server.requests().get(1).path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void anotherQuestionIsAMiss() {
        ChatClient chat = client();
        ask(chat, null, QUESTION);
        assertThat(SemanticCacheAdvisor.isCached(ask(chat, null, OTHER))).isFalse();
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void aProviderErrorReachesTheCallerAndNothingIsStored() {
        ChatClient chat = client();
        server.failNext(500, "The server had an error while processing your request.");
        assertThatThrownBy(() -> ask(chat, null, QUESTION)).hasMessageContaining("The server had an error");
        assertThat(fx.cache.check(QUESTION).block().hit()).isFalse();
        assertThat(SemanticCacheAdvisor.isCached(ask(chat, null, QUESTION))).isFalse();
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void aCacheOutageStillCallsTheProviderAndIsCountedAsFailOpen() {
        expectFailOpen = true;
        ChatClient chat = client();
        fx.outage(true);
        assertThat(text(ask(chat, null, QUESTION))).isEqualTo("Answer 1");
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(fx.failOpens("check")).isEqualTo(1);
        assertThat(fx.failOpens("store")).isEqualTo(1);
    }

    @Test
    void failOpenOffMakesAnOutageFailTheCall() {
        expectFailOpen = true;
        ChatClient chat = client(SemanticCacheAdvisor.builder(fx.cache).options(CachingOptions.builder()
                .base(GetOrComputeOptions.builder().failOpen(false).build()).build()).build());
        fx.outage(true);
        assertThatThrownBy(() -> ask(chat, null, QUESTION)).hasMessageContaining("valkey down");
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void perCallCategoryThresholdAndSkip() {
        ChatClient chat = client();
        chat.prompt().user(QUESTION).advisors(a -> a.param(SemanticCacheAdvisor.CATEGORY, "faq")).call().content();
        String faqScope = MatchScope.category("faq", MatchScope.systemHash(List.of()));
        assertThat(fx.cache.entries(Filter.category(faqScope), 0, 10).block()).hasSize(1);
        // outside the category: a miss
        assertThat(SemanticCacheAdvisor.isCached(ask(chat, null, PARAPHRASE))).isFalse();
        // a threshold below the paraphrase's distance (0.02): a miss; the default: a hit
        assertThat(SemanticCacheAdvisor.isCached(chat.prompt().user(PARAPHRASE).advisors(a -> a
                .param(SemanticCacheAdvisor.CATEGORY, "faq").param(SemanticCacheAdvisor.THRESHOLD, 0.01))
                .call().chatResponse())).isFalse();
        assertThat(SemanticCacheAdvisor.isCached(chat.prompt().user(PARAPHRASE).advisors(a -> a
                .param(SemanticCacheAdvisor.CATEGORY, "faq")).call().chatResponse())).isTrue();
        int before = server.requestCount();
        long lookups = fx.lookups();
        assertThat(SemanticCacheAdvisor.isCached(chat.prompt().user(QUESTION)
                .advisors(a -> a.param(SemanticCacheAdvisor.SKIP, true)).call().chatResponse())).isFalse();
        assertThat(server.requestCount()).isEqualTo(before + 1);
        assertThat(fx.lookups()).isEqualTo(lookups);
    }

    @Test
    void aTruncatedAnswerIsReturnedButNotStored() {
        server.finishReason("length");
        ChatClient chat = client();
        assertThat(text(ask(chat, null, QUESTION))).isEqualTo("Answer 1");
        assertThat(fx.cache.check(QUESTION).block().hit()).isFalse();
    }
}
