package com.betterdb.semanticcache.springai;

import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.testing.llm.ChatAdapterContract;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.PARAPHRASE;
import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.QUESTION;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The advisor on {@code ChatClient.stream()} over Spring AI's real {@link OpenAiChatModel} and SSE: every scenario of
 * {@link ChatAdapterContract} through the streaming path (a miss streams the model's chunks through, a hit or join is
 * one chunk), and the streaming specifics.
 */
class SemanticCacheStreamAdvisorTest extends ChatAdapterContract {

    private static final String ANSWER = "Paris is the capital of France.";

    private final ChatClient chat = ChatClient.builder(OpenAiChatModel.builder()
                    .options(OpenAiChatOptions.builder()
                            .baseUrl(server.baseUrl() + "/v1")
                            .apiKey("test-key")
                            .model("gpt-4o")
                            .maxRetries(0)
                            .timeout(Duration.ofSeconds(20))
                            .build())
                    .build())
            .defaultAdvisors(SemanticCacheAdvisor.builder(fx.cache()).build())
            .build();

    SemanticCacheStreamAdvisorTest() {
        super("sais", "gpt-4o", "gpt-4o-mini", "gpt-4o-2024-08-06");
    }

    private List<ChatResponse> stream(String system, String model, String question) {
        ChatClient.ChatClientRequestSpec spec = chat.prompt();
        if (system != null) {
            spec = spec.system(system);
        }
        if (model != null) {
            spec = spec.options(OpenAiChatOptions.builder().model(model));
        }
        return spec.user(question).stream().chatResponse().collectList().block(Duration.ofSeconds(30));
    }

    /** A streamed call: a miss streams several chunks through, a hit or join is one marked chunk. */
    @Override
    protected Reply ask(String system, String model, String question) {
        List<ChatResponse> chunks = stream(system, model, question);
        boolean cached = chunks.stream().anyMatch(SemanticCacheAdvisor::isCached);
        if (cached) {
            assertThat(chunks).as("a hit is one chunk").hasSize(1);
        } else {
            assertThat(chunks.size()).as("a miss streams the model's chunks through").isGreaterThan(1);
        }
        return new Reply(text(chunks), cached, (String) chunks.get(0).getMetadata().get(CacheHitMetadata.OUTCOME));
    }

    @Override
    protected void assertProviderError(Throwable error) {
        assertThat(error).hasMessageContaining("The server had an error");
    }

    private static String text(List<ChatResponse> chunks) {
        StringBuilder sb = new StringBuilder();
        chunks.stream().map(ChatResponse::getResult).filter(Objects::nonNull)
                .map(g -> g.getOutput().getText()).filter(Objects::nonNull).forEach(sb::append);
        return sb.toString();
    }

    @Test
    void aMissStreamsThroughAndIsStoredThenAHitIsOneChunk() {
        server.reply(ANSWER);
        List<ChatResponse> miss = stream("You are terse.", null, QUESTION);
        assertThat(miss.size()).isGreaterThan(1);
        assertThat(text(miss)).isEqualTo(ANSWER);
        assertThat(miss).noneMatch(SemanticCacheAdvisor::isCached);
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(server.requests().get(0).json().path("stream").asBoolean()).isTrue();
        // stored before the stream completes
        assertThat(fx.entries()).isEqualTo(1);

        List<ChatResponse> hit = stream("You are terse.", null, PARAPHRASE);
        assertThat(hit).hasSize(1);
        assertThat(text(hit)).isEqualTo(ANSWER);
        assertThat(SemanticCacheAdvisor.isCached(hit.get(0))).isTrue();
        assertThat(hit.get(0).getMetadata().getUsage().getTotalTokens()).isZero();
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void contentStreamsFromTheCacheToo() {
        server.reply(ANSWER);
        stream("You are terse.", null, QUESTION);
        String content = String.join("", chat.prompt().system("You are terse.").user(PARAPHRASE).stream().content()
                .collectList().block(Duration.ofSeconds(30)));
        assertThat(content).isEqualTo(ANSWER);
        assertThat(server.requestCount()).isEqualTo(1);
    }
}
