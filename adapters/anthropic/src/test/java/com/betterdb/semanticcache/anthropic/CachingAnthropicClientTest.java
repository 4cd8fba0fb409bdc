package com.betterdb.semanticcache.anthropic;

import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.client.okhttp.AnthropicOkHttpClientAsync;
import com.anthropic.errors.InternalServerException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import com.betterdb.semanticcache.testing.llm.LoopbackLlmServer;
import com.betterdb.semanticcache.testing.llm.LoopbackLlmServer.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The caching client through the real Anthropic SDK against a loopback server answering in the API's JSON shapes.
 * The stored question is at distance 0, its paraphrase 0.02 away (a hit at the default threshold 0.1).
 */
class CachingAnthropicClientTest {

    private static final String QUESTION = "What is the capital of France?";
    private static final String PARAPHRASE = "Which city is the capital of France?";

    private AdapterCacheFixture fixture;
    private LoopbackLlmServer server;
    private AnthropicClientAsync anthropic;
    private CachingAnthropicClient cached;

    @BeforeEach
    void setUp() {
        fixture = new AdapterCacheFixture("an").place(QUESTION, 0).place(PARAPHRASE, 0.02);
        server = LoopbackLlmServer.start();
        server.respond(req -> Reply.ok(AnthropicReplies.message(
                req.body().contains("pirate") ? "Arr, Paris." : req.body().contains("claude-opus-4-6")
                        ? "Paris (opus)." : "Paris.", 14, 8)));
        anthropic = AnthropicOkHttpClientAsync.builder().apiKey("sk-ant-test").baseUrl(server.baseUrl())
                .maxRetries(0).build();
        cached = CachingAnthropicClient.create(anthropic, fixture.cache());
    }

    @AfterEach
    void tearDown() {
        anthropic.close();
        server.close();
        fixture.close();
    }

    private static MessageCreateParams ask(String model, String system, String user) {
        var b = MessageCreateParams.builder().model(model).maxTokens(256);
        if (system != null) {
            b.system(system);
        }
        return b.addUserMessage(user).build();
    }

    private Message send(MessageCreateParams params) {
        return cached.messages().create(params).block();
    }

    private static String text(Message m) {
        return m.content().get(0).asText().text();
    }

    @Test
    void firstCallIsOneRequestAndAStoreWithModelAndTokensThenAParaphraseHitsWithoutARequest() {
        Message first = send(ask("claude-sonnet-4-5", "You are a geography tutor.", QUESTION));
        assertThat(CachingAnthropicClient.isCached(first)).isFalse();
        assertThat(text(first)).isEqualTo("Paris.");
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(server.requests().get(0).path()).isEqualTo("/v1/messages");
        assertThat(fixture.entries()).isEqualTo(1);

        Message hit = send(ask("claude-sonnet-4-5", "You are a geography tutor.", PARAPHRASE));
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(CachingAnthropicClient.isCached(hit)).isTrue();
        assertThat(text(hit)).isEqualTo("Paris.");
        assertThat(hit.id()).startsWith("msg_cache-");
        assertThat(hit.model().asString()).isEqualTo("claude-sonnet-4-5");
        assertThat(hit.stopReason()).contains(StopReason.END_TURN);
        assertThat(hit.usage().inputTokens()).isZero();
        assertThat(hit.usage().outputTokens()).isZero();
        assertThat(hit._additionalProperties().get("betterdb_cache").toString()).contains("hit=true", "key=an:entry:");
        // Stored with the answering model and its tokens: claude-sonnet-4-5-20250929, 14 input tokens at $0.003/1k
        // + 8 output tokens at $0.015/1k = $0.000162.
        assertThat(fixture.counter("cost_saved_total")).isBetween(0.000161, 0.000163);
    }

    @Test
    void anotherSystemPromptMissesAndKeepsItsOwnAnswer() {
        send(ask("claude-sonnet-4-5", "You are a geography tutor.", QUESTION));
        Message pirate = send(ask("claude-sonnet-4-5", "You are a pirate.", QUESTION));
        assertThat(CachingAnthropicClient.isCached(pirate)).isFalse();
        assertThat(text(pirate)).isEqualTo("Arr, Paris.");
        assertThat(CachingAnthropicClient.isCached(send(ask("claude-sonnet-4-5", null, QUESTION)))).isFalse();
        assertThat(server.requestCount()).isEqualTo(3);

        assertThat(text(send(ask("claude-sonnet-4-5", "You are a pirate.", PARAPHRASE)))).isEqualTo("Arr, Paris.");
        assertThat(text(send(ask("claude-sonnet-4-5", "You are a geography tutor.", PARAPHRASE)))).isEqualTo("Paris.");
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @Test
    void anotherModelMisses() {
        send(ask("claude-sonnet-4-5", null, QUESTION));
        Message opus = send(ask("claude-opus-4-6", null, PARAPHRASE));
        assertThat(CachingAnthropicClient.isCached(opus)).isFalse();
        assertThat(text(opus)).isEqualTo("Paris (opus).");
        assertThat(server.requestCount()).isEqualTo(2);
    }

    /**
     * getOrCompute coalesces concurrent misses: a paraphrase asked while the first request is still at the provider
     * waits for it instead of sending a second request, and gets the answer rebuilt, marked as joined.
     */
    @Test
    void aConcurrentParaphraseWaitsForTheRequestInFlight() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.respond(req -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Reply.ok(AnthropicReplies.message("Paris.", 14, 8));
        });
        CompletableFuture<Message> first = cached.messages().create(ask("claude-sonnet-4-5", null, QUESTION)).toFuture();
        await().atMost(Duration.ofSeconds(30)).until(() -> server.requestCount() == 1);
        CompletableFuture<Message> second = cached.messages().create(ask("claude-sonnet-4-5", null, PARAPHRASE)).toFuture();
        // Both lookups missed: the paraphrase has joined the flight (it cannot hit, nothing is stored yet).
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.counter("requests_total", "result", "miss") == 2);
        release.countDown();
        assertThat(CachingAnthropicClient.isCached(first.get(30, TimeUnit.SECONDS))).isFalse();
        Message joined = second.get(30, TimeUnit.SECONDS);
        assertThat(CachingAnthropicClient.isCached(joined)).isTrue();
        assertThat(text(joined)).isEqualTo("Paris.");
        assertThat(joined._additionalProperties().get("betterdb_cache").toString()).contains("outcome=joined");
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(fixture.counter("read_through_total", "outcome", "joined")).isEqualTo(1);
    }

    @Test
    void aProviderErrorReachesTheCallerAndNothingIsStored() {
        server.respond(500, AnthropicReplies.SERVER_ERROR);
        assertThatThrownBy(() -> send(ask("claude-sonnet-4-5", null, QUESTION)))
                .isInstanceOf(InternalServerException.class);
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(fixture.entries()).isZero();
    }

    @Test
    void aCacheOutageStillCallsAnthropicAndIsCountedAsFailOpen() {
        fixture.storeDown(true);
        Message m = send(ask("claude-sonnet-4-5", null, QUESTION));
        assertThat(text(m)).isEqualTo("Paris.");
        assertThat(CachingAnthropicClient.isCached(m)).isFalse();
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(fixture.counter("fail_open_total", "operation", "check")).isEqualTo(1);
        assertThat(fixture.counter("fail_open_total", "operation", "store")).isEqualTo(1);
    }

    @Test
    void toolUseIsReturnedUnchangedAndNotStored() {
        server.respond(200, AnthropicReplies.TOOL_USE);
        Message m = send(ask("claude-sonnet-4-5", null, QUESTION));
        assertThat(m.id()).isEqualTo("msg_tool");
        assertThat(m.content().get(1).isToolUse()).isTrue();
        assertThat(fixture.entries()).isZero();
    }

    @Test
    void perCallOptionsSetTheThresholdAndTheCategory() {
        cached.messages().create(ask("claude-sonnet-4-5", null, QUESTION),
                GetOrComputeOptions.builder().category("geo").build()).block();
        Message strict = cached.messages().create(ask("claude-sonnet-4-5", null, PARAPHRASE),
                GetOrComputeOptions.builder().threshold(0.01).build()).block();
        assertThat(CachingAnthropicClient.isCached(strict)).isFalse();
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(fixture.cache().invalidateByCategory("geo").block()).isEqualTo(1);
    }

    @Test
    void aRequestWithNoUserTextBypassesTheCache() {
        send(MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(64).system("Say hello.")
                .addAssistantMessage("Hello").build());
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(fixture.entries()).isZero();
    }
}
