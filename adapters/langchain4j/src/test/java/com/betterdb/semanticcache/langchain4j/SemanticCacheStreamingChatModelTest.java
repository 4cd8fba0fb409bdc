package com.betterdb.semanticcache.langchain4j;

import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.testing.llm.ChatAdapterContract;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.PARAPHRASE;
import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.QUESTION;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SemanticCacheStreamingChatModel} around LangChain4j's real {@link OpenAiStreamingChatModel} over SSE: every
 * scenario of {@link ChatAdapterContract} through the streaming path (a miss streams the provider's chunks through, a
 * hit or join is replayed as one partial response), and the streaming specifics.
 */
class SemanticCacheStreamingChatModelTest extends ChatAdapterContract {

    private static final String ANSWER = "Paris is the capital of France.";

    private final StreamingChatModel openAi = OpenAiStreamingChatModel.builder()
            .baseUrl(server.baseUrl() + "/v1")
            .apiKey("test-key")
            .modelName("gpt-4o")
            .timeout(Duration.ofSeconds(20))
            .build();
    private final SemanticCacheStreamingChatModel model = new SemanticCacheStreamingChatModel(openAi, fx.cache());

    SemanticCacheStreamingChatModelTest() {
        super("lc4js", "gpt-4o", "gpt-4o-mini", "gpt-4o-2024-08-06");
    }

    /** Collects one streamed call. */
    private static final class Collector implements StreamingChatResponseHandler {
        final List<String> partials = new CopyOnWriteArrayList<>();
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        @Override
        public void onPartialResponse(String partialResponse) {
            partials.add(partialResponse);
        }

        @Override
        public void onCompleteResponse(ChatResponse completeResponse) {
            done.complete(completeResponse);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }

        ChatResponse await() throws Exception {
            return done.get(30, TimeUnit.SECONDS);
        }
    }

    private Collector stream(String system, String modelName, String question) {
        Collector c = new Collector();
        ChatRequest.Builder b = ChatRequest.builder().messages(system == null ? List.of(UserMessage.from(question))
                : List.of(SystemMessage.from(system), UserMessage.from(question)));
        model.chat(modelName == null ? b.build() : b.modelName(modelName).build(), c);
        return c;
    }

    /** A streamed call: a miss streams several chunks through, a hit or join replays the whole text as one. */
    @Override
    protected Reply ask(String system, String modelName, String question) {
        Collector c = stream(system, modelName, question);
        ChatResponse r;
        try {
            r = c.await();
        } catch (ExecutionException e) {
            throw new IllegalStateException("onError: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        boolean cached = SemanticCacheChatModel.isCached(r);
        assertThat(String.join("", c.partials)).isEqualTo(r.aiMessage().text());
        if (cached) {
            assertThat(c.partials).as("a hit is replayed as one partial response").hasSize(1);
        } else {
            assertThat(c.partials).as("a miss streams the provider's chunks through").hasSizeGreaterThan(1);
        }
        return new Reply(r.aiMessage().text(), cached,
                (String) r.aiMessage().attributes().get(CacheHitMetadata.OUTCOME));
    }

    @Override
    protected void assertProviderError(Throwable error) {
        assertThat(error).hasMessageContaining("The server had an error");
    }

    @Test
    void aMissStreamsThroughAndStoresTheCompletedResponseThenAHitReplaysIt() throws Exception {
        server.reply(ANSWER);
        Collector miss = stream("You are terse.", null, QUESTION);
        ChatResponse completed = miss.await();
        assertThat(miss.partials).hasSizeGreaterThan(1);
        assertThat(String.join("", miss.partials)).isEqualTo(ANSWER);
        assertThat(completed.aiMessage().text()).isEqualTo(ANSWER);
        assertThat(SemanticCacheChatModel.isCached(completed)).isFalse();
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(server.requests().get(0).json().path("stream").asBoolean()).isTrue();
        // stored before onCompleteResponse: the entry exists when the handler completes
        assertThat(fx.entries()).isEqualTo(1);

        Collector hit = stream("You are terse.", null, PARAPHRASE);
        ChatResponse cached = hit.await();
        assertThat(hit.partials).containsExactly(ANSWER);
        assertThat(SemanticCacheChatModel.isCached(cached)).isTrue();
        assertThat(cached.aiMessage().attributes()).containsEntry(CacheHitMetadata.HIT, true);
        assertThat(cached.tokenUsage().totalTokenCount()).isZero();
        assertThat(server.requestCount()).isEqualTo(1);
    }
}
