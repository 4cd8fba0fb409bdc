package com.betterdb.semanticcache.springai;

import com.betterdb.semanticcache.adapter.MatchScope;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.testing.llm.ChatCacheFixture;
import com.betterdb.semanticcache.testing.llm.OpenAiCompatibleServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import static com.betterdb.semanticcache.testing.llm.ChatCacheFixture.PARAPHRASE;
import static com.betterdb.semanticcache.testing.llm.ChatCacheFixture.QUESTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The advisor on {@code ChatClient.stream()} over Spring AI's real {@link OpenAiChatModel} and SSE. */
class SemanticCacheStreamAdvisorTest {

    private static final String ANSWER = "Paris is the capital of France.";

    private final OpenAiCompatibleServer server = new OpenAiCompatibleServer().reply(ANSWER);
    private final ChatCacheFixture fx = new ChatCacheFixture("sais");
    private final ChatClient chat = ChatClient.builder(OpenAiChatModel.builder()
                    .options(OpenAiChatOptions.builder()
                            .baseUrl(server.baseUrl())
                            .apiKey("test-key")
                            .model("gpt-4o")
                            .maxRetries(0)
                            .timeout(Duration.ofSeconds(20))
                            .build())
                    .build())
            .defaultAdvisors(SemanticCacheAdvisor.builder(fx.cache).defaultModel("gpt-4o").build())
            .build();

    @AfterEach
    void tearDown() {
        try {
            assertThat(fx.failOpens()).as("fail-open count").isZero();
        } finally {
            fx.close();
            server.close();
        }
    }

    private List<ChatResponse> stream(String question) {
        return chat.prompt().system("You are terse.").user(question).stream().chatResponse()
                .collectList().block(Duration.ofSeconds(30));
    }

    private static String text(List<ChatResponse> chunks) {
        StringBuilder sb = new StringBuilder();
        chunks.stream().map(ChatResponse::getResult).filter(Objects::nonNull)
                .map(g -> g.getOutput().getText()).filter(Objects::nonNull).forEach(sb::append);
        return sb.toString();
    }

    @Test
    void aMissStreamsThroughAndIsStoredThenAHitIsOneChunk() {
        List<ChatResponse> miss = stream(QUESTION);
        assertThat(miss.size()).isGreaterThan(1);
        assertThat(text(miss)).isEqualTo(ANSWER);
        assertThat(miss).noneMatch(SemanticCacheAdvisor::isCached);
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(server.requests().get(0).path("stream").asBoolean()).isTrue();

        var stored = fx.cache.entries(Filter.category(MatchScope.systemHash(List.of("You are terse."))), 0, 10).block();
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).response()).isEqualTo(ANSWER);
        assertThat(stored.get(0).model()).isEqualTo("gpt-4o");

        List<ChatResponse> hit = stream(PARAPHRASE);
        assertThat(hit).hasSize(1);
        assertThat(text(hit)).isEqualTo(ANSWER);
        assertThat(SemanticCacheAdvisor.isCached(hit.get(0))).isTrue();
        assertThat(hit.get(0).getMetadata().getUsage().getTotalTokens()).isZero();
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void contentStreamsFromTheCacheToo() {
        stream(QUESTION);
        String content = String.join("", chat.prompt().system("You are terse.").user(PARAPHRASE).stream().content()
                .collectList().block(Duration.ofSeconds(30)));
        assertThat(content).isEqualTo(ANSWER);
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void aProviderErrorReachesTheSubscriberAndNothingIsStored() {
        server.failNext(500, "upstream exploded");
        assertThatThrownBy(() -> stream(QUESTION)).hasMessageContaining("upstream exploded");
        assertThat(fx.cache.check(QUESTION).block().hit()).isFalse();
    }
}
