package com.betterdb.semanticcache.langchain4j;

import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.testing.llm.ChatCacheFixture;
import com.betterdb.semanticcache.testing.llm.OpenAiCompatibleServer;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static com.betterdb.semanticcache.testing.llm.ChatCacheFixture.PARAPHRASE;
import static com.betterdb.semanticcache.testing.llm.ChatCacheFixture.QUESTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SemanticCacheStreamingChatModel} around LangChain4j's real {@link OpenAiStreamingChatModel} over SSE. */
class SemanticCacheStreamingChatModelTest {

    private final OpenAiCompatibleServer server = new OpenAiCompatibleServer().reply("Paris is the capital of France.");
    private final ChatCacheFixture fx = new ChatCacheFixture("lc4js");
    private final StreamingChatModel openAi = OpenAiStreamingChatModel.builder()
            .baseUrl(server.baseUrl())
            .apiKey("test-key")
            .modelName("gpt-4o")
            .timeout(Duration.ofSeconds(20))
            .build();
    private final SemanticCacheStreamingChatModel model = new SemanticCacheStreamingChatModel(openAi, fx.cache);

    @AfterEach
    void tearDown() {
        try {
            assertThat(fx.failOpens()).as("fail-open count").isZero();
        } finally {
            fx.close();
            server.close();
        }
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

    private Collector stream(String question) {
        Collector c = new Collector();
        model.chat(ChatRequest.builder().messages(SystemMessage.from("You are terse."), UserMessage.from(question))
                .build(), c);
        return c;
    }

    @Test
    void aMissStreamsThroughAndStoresTheCompletedResponseThenAHitReplaysIt() throws Exception {
        Collector miss = stream(QUESTION);
        ChatResponse completed = miss.await();
        assertThat(miss.partials).hasSizeGreaterThan(1);
        assertThat(String.join("", miss.partials)).isEqualTo("Paris is the capital of France.");
        assertThat(completed.aiMessage().text()).isEqualTo("Paris is the capital of France.");
        assertThat(SemanticCacheChatModel.isCached(completed)).isFalse();
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(server.requests().get(0).path("stream").asBoolean()).isTrue();

        Collector hit = stream(PARAPHRASE);
        ChatResponse cached = hit.await();
        assertThat(hit.partials).containsExactly("Paris is the capital of France.");
        assertThat(SemanticCacheChatModel.isCached(cached)).isTrue();
        assertThat(cached.aiMessage().attributes()).containsEntry(CacheHitMetadata.HIT, true);
        assertThat(cached.tokenUsage().totalTokenCount()).isZero();
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void aStreamedMissStoresModelAndTokenUsage() throws Exception {
        stream(QUESTION).await();
        var entry = fx.cache.entries(com.betterdb.semanticcache.filter.Filter.category(
                com.betterdb.semanticcache.adapter.MatchScope.systemHash(List.of("You are terse."))), 0, 10).block();
        assertThat(entry).hasSize(1);
        assertThat(entry.get(0).model()).isEqualTo("gpt-4o");
        assertThat(entry.get(0).field("cost_micros")).isNotEmpty();
    }

    @Test
    void aProviderErrorGoesToOnErrorAndNothingIsStored() {
        server.failNext(500, "upstream exploded");
        Collector c = stream(QUESTION);
        assertThatThrownBy(c::await).isInstanceOf(ExecutionException.class).hasMessageContaining("upstream exploded");
        assertThat(fx.cache.check(QUESTION).block().hit()).isFalse();
    }
}
