package com.betterdb.semanticcache.openai;

import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import com.betterdb.semanticcache.testing.llm.LoopbackLlmServer;
import com.betterdb.semanticcache.testing.llm.LoopbackLlmServer.Reply;
import com.openai.client.OpenAIClientAsync;
import com.openai.client.okhttp.OpenAIOkHttpClientAsync;
import com.openai.errors.InternalServerException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The caching client through the real OpenAI SDK against a loopback server answering in the API's JSON shapes. The
 * stored question is at distance 0, its paraphrase 0.02 away (a hit at the default threshold 0.1).
 */
class CachingOpenAIClientTest {

    private static final String QUESTION = "What is the capital of France?";
    private static final String PARAPHRASE = "Which city is the capital of France?";
    private static final String OTHER = "How tall is Mount Everest?";

    private AdapterCacheFixture fixture;
    private LoopbackLlmServer server;
    private OpenAIClientAsync openai;
    private CachingOpenAIClient cached;

    @BeforeEach
    void setUp() {
        fixture = new AdapterCacheFixture("oa").place(QUESTION, 0).place(PARAPHRASE, 0.02).place(OTHER, 0.6);
        server = LoopbackLlmServer.start();
        // The answer tells which request produced it: a pirate system prompt and the mini model answer differently.
        server.respond(req -> {
            String answer = req.body().contains("pirate") ? "Arr, Paris." : req.body().contains("gpt-4o-mini")
                    ? "Paris (mini)." : "Paris.";
            return Reply.ok(req.path().endsWith("/responses") ? OpenAIReplies.response(answer, 36, 87)
                    : OpenAIReplies.chat(answer, 19, 10));
        });
        openai = OpenAIOkHttpClientAsync.builder().apiKey("sk-test").baseUrl(server.baseUrl() + "/v1")
                .maxRetries(0).build();
        cached = CachingOpenAIClient.create(openai, fixture.cache());
    }

    @AfterEach
    void tearDown() {
        openai.close();
        server.close();
        fixture.close();
    }

    private static ChatCompletionCreateParams chat(String model, String system, String user) {
        var b = ChatCompletionCreateParams.builder().model(model);
        if (system != null) {
            b.addSystemMessage(system);
        }
        return b.addUserMessage(user).build();
    }

    private ChatCompletion ask(ChatCompletionCreateParams params) {
        return cached.chat().completions().create(params).block();
    }

    private static String text(ChatCompletion c) {
        return c.choices().get(0).message().content().orElseThrow();
    }

    @Test
    void firstCallIsOneRequestAndAStoreWithModelAndTokensThenAParaphraseHitsWithoutARequest() {
        ChatCompletion first = ask(chat("gpt-4o", "You are a geography tutor.", QUESTION));
        assertThat(CachingOpenAIClient.isCached(first)).isFalse();
        assertThat(text(first)).isEqualTo("Paris.");
        assertThat(first.usage().orElseThrow().totalTokens()).isEqualTo(29);
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(server.requests().get(0).path()).isEqualTo("/v1/chat/completions");
        assertThat(fixture.entries()).isEqualTo(1);

        ChatCompletion hit = ask(chat("gpt-4o", "You are a geography tutor.", PARAPHRASE));
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(CachingOpenAIClient.isCached(hit)).isTrue();
        assertThat(text(hit)).isEqualTo("Paris.");
        assertThat(hit.id()).startsWith("chatcmpl-cache-");
        assertThat(hit.model()).isEqualTo("gpt-4o");
        assertThat(hit.choices()).hasSize(1);
        assertThat(hit.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(hit.usage().orElseThrow().totalTokens()).isZero();
        assertThat(hit.usage().orElseThrow().promptTokens()).isZero();
        assertThat(hit._additionalProperties().get("betterdb_cache").toString()).contains("hit=true", "key=oa:entry:");
        // The entry was stored with the answering model and its tokens: the hit saved their price
        // (gpt-4o-2024-08-06: 19 input tokens at $0.0025/1k + 10 output tokens at $0.01/1k = $0.0001475).
        assertThat(fixture.counter("cost_saved_total")).isBetween(0.000147, 0.000148);
        assertThat(fixture.counter("read_through_total", "outcome", "computed")).isEqualTo(1);
        assertThat(fixture.counter("read_through_total", "outcome", "hit")).isEqualTo(1);
    }

    @Test
    void anotherSystemPromptMissesAndKeepsItsOwnAnswer() {
        ask(chat("gpt-4o", "You are a geography tutor.", QUESTION));
        ChatCompletion pirate = ask(chat("gpt-4o", "You are a pirate.", QUESTION));
        assertThat(CachingOpenAIClient.isCached(pirate)).isFalse();
        assertThat(text(pirate)).isEqualTo("Arr, Paris.");
        assertThat(server.requestCount()).isEqualTo(2);
        // No system prompt at all is a scope of its own too.
        assertThat(CachingOpenAIClient.isCached(ask(chat("gpt-4o", null, QUESTION)))).isFalse();
        assertThat(server.requestCount()).isEqualTo(3);

        ChatCompletion tutor = ask(chat("gpt-4o", "You are a geography tutor.", PARAPHRASE));
        ChatCompletion pirateAgain = ask(chat("gpt-4o", "You are a pirate.", PARAPHRASE));
        assertThat(server.requestCount()).isEqualTo(3);
        assertThat(text(tutor)).isEqualTo("Paris.");
        assertThat(text(pirateAgain)).isEqualTo("Arr, Paris.");
    }

    @Test
    void anotherModelMisses() {
        ask(chat("gpt-4o", null, QUESTION));
        ChatCompletion mini = ask(chat("gpt-4o-mini", null, PARAPHRASE));
        assertThat(CachingOpenAIClient.isCached(mini)).isFalse();
        assertThat(text(mini)).isEqualTo("Paris (mini).");
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void aFarQuestionMisses() {
        ask(chat("gpt-4o", null, QUESTION));
        assertThat(CachingOpenAIClient.isCached(ask(chat("gpt-4o", null, OTHER)))).isFalse();
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void aTextOnlyQuestionDoesNotHitAnEntryStoredWithAnImage() {
        var withImage = ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessageOfArrayOfContentParts(List.of(
                ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text(QUESTION).build()),
                ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder().imageUrl(
                        ChatCompletionContentPartImage.ImageUrl.builder().url("https://example.com/map.png").build())
                        .build()))).build();
        ask(withImage);
        assertThat(CachingOpenAIClient.isCached(ask(chat("gpt-4o", null, PARAPHRASE)))).isFalse();
        assertThat(CachingOpenAIClient.isCached(ask(withImage))).isTrue();
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
            return Reply.ok(OpenAIReplies.chat("Paris.", 19, 10));
        });
        CompletableFuture<ChatCompletion> first = cached.chat().completions().create(chat("gpt-4o", null, QUESTION)).toFuture();
        await().atMost(Duration.ofSeconds(30)).until(() -> server.requestCount() == 1);
        CompletableFuture<ChatCompletion> second = cached.chat().completions().create(chat("gpt-4o", null, PARAPHRASE)).toFuture();
        // Both lookups missed: the paraphrase has joined the flight (it cannot hit, nothing is stored yet).
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.counter("requests_total", "result", "miss") == 2);
        release.countDown();
        assertThat(CachingOpenAIClient.isCached(first.get(30, TimeUnit.SECONDS))).isFalse();
        ChatCompletion joined = second.get(30, TimeUnit.SECONDS);
        assertThat(CachingOpenAIClient.isCached(joined)).isTrue();
        assertThat(text(joined)).isEqualTo("Paris.");
        assertThat(joined._additionalProperties().get("betterdb_cache").toString()).contains("outcome=joined");
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(fixture.counter("read_through_total", "outcome", "joined")).isEqualTo(1);
    }

    @Test
    void aProviderErrorReachesTheCallerAndNothingIsStored() {
        server.respond(500, OpenAIReplies.SERVER_ERROR);
        assertThatThrownBy(() -> ask(chat("gpt-4o", null, QUESTION))).isInstanceOf(InternalServerException.class);
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(fixture.entries()).isZero();
    }

    @Test
    void aCacheOutageStillCallsOpenAIAndIsCountedAsFailOpen() {
        fixture.storeDown(true);
        ChatCompletion c = ask(chat("gpt-4o", null, QUESTION));
        assertThat(text(c)).isEqualTo("Paris.");
        assertThat(CachingOpenAIClient.isCached(c)).isFalse();
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(fixture.counter("fail_open_total", "operation", "check")).isEqualTo(1);
        assertThat(fixture.counter("fail_open_total", "operation", "store")).isEqualTo(1);
    }

    @Test
    void aToolCallIsReturnedUnchangedAndNotStored() {
        server.respond(200, OpenAIReplies.CHAT_TOOL_CALL);
        ChatCompletion c = ask(chat("gpt-4o", null, QUESTION));
        assertThat(c.id()).isEqualTo("chatcmpl-tool");
        assertThat(c.choices().get(0).message().toolCalls().orElseThrow()).hasSize(1);
        assertThat(fixture.entries()).isZero();
        ask(chat("gpt-4o", null, QUESTION));
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void perCallOptionsSetTheThresholdAndTheCategory() {
        ask(chat("gpt-4o", null, QUESTION), GetOrComputeOptions.builder().category("geo").build());
        // 0.02 away is beyond a 0.01 threshold.
        ChatCompletion strict = cached.chat().completions().create(chat("gpt-4o", null, PARAPHRASE),
                GetOrComputeOptions.builder().threshold(0.01).build()).block();
        assertThat(CachingOpenAIClient.isCached(strict)).isFalse();
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(fixture.cache().invalidateByCategory("geo").block()).isEqualTo(1);
    }

    private void ask(ChatCompletionCreateParams params, GetOrComputeOptions options) {
        cached.chat().completions().create(params, options).block();
    }

    @Test
    void requestsWithNothingToMatchOrSeveralChoicesBypassTheCache() {
        ask(ChatCompletionCreateParams.builder().model("gpt-4o").addSystemMessage("Say hello.").build());
        ask(ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage(QUESTION).n(2).build());
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(fixture.entries()).isZero();
        assertThat(fixture.counter("requests_total", "result", "miss")).isZero();
    }

    // ----------------------------------------------------------------------------------------------- Responses

    private Response respond(ResponseCreateParams params) {
        return cached.responses().create(params).block();
    }

    private static String text(Response r) {
        return r.output().get(0).asMessage().content().get(0).asOutputText().text();
    }

    @Test
    void responsesFirstCallStoresThenAParaphraseHitsWithoutARequest() {
        Response first = respond(ResponseCreateParams.builder().model("gpt-4.1").instructions("Be brief.")
                .input(QUESTION).build());
        assertThat(CachingOpenAIClient.isCached(first)).isFalse();
        assertThat(text(first)).isEqualTo("Paris.");
        assertThat(server.requests().get(0).path()).isEqualTo("/v1/responses");
        assertThat(fixture.entries()).isEqualTo(1);

        Response hit = respond(ResponseCreateParams.builder().model("gpt-4.1").instructions("Be brief.")
                .input(PARAPHRASE).build());
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(CachingOpenAIClient.isCached(hit)).isTrue();
        assertThat(text(hit)).isEqualTo("Paris.");
        assertThat(hit.id()).startsWith("resp_cache-");
        assertThat(hit.instructions().orElseThrow().asString()).isEqualTo("Be brief.");
        assertThat(hit.usage().orElseThrow().totalTokens()).isZero();
        // gpt-4.1-2025-04-14: 36 input tokens at $0.002/1k + 87 output tokens at $0.008/1k = $0.000768.
        assertThat(fixture.counter("cost_saved_total")).isBetween(0.000767, 0.000769);
    }

    @Test
    void responsesOtherInstructionsMiss() {
        respond(ResponseCreateParams.builder().model("gpt-4.1").instructions("Be brief.").input(QUESTION).build());
        Response pirate = respond(ResponseCreateParams.builder().model("gpt-4.1").instructions("You are a pirate.")
                .input(PARAPHRASE).build());
        assertThat(CachingOpenAIClient.isCached(pirate)).isFalse();
        assertThat(text(pirate)).isEqualTo("Arr, Paris.");
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void responsesErrorsReachTheCallerAndFunctionCallsAreNotStored() {
        server.respond(500, OpenAIReplies.SERVER_ERROR);
        assertThatThrownBy(() -> respond(ResponseCreateParams.builder().model("gpt-4.1").input(QUESTION).build()))
                .isInstanceOf(InternalServerException.class);
        server.respond(200, OpenAIReplies.RESPONSE_FUNCTION_CALL);
        Response call = respond(ResponseCreateParams.builder().model("gpt-4.1").input(QUESTION).build());
        assertThat(call.output().get(0).isFunctionCall()).isTrue();
        assertThat(fixture.entries()).isZero();
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void responsesThatContinueAServerSideConversationBypassTheCache() {
        respond(ResponseCreateParams.builder().model("gpt-4.1").input(QUESTION).build());
        Response followUp = respond(ResponseCreateParams.builder().model("gpt-4.1").input(QUESTION)
                .previousResponseId("resp_earlier").build());
        assertThat(CachingOpenAIClient.isCached(followUp)).isFalse();
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(fixture.entries()).isEqualTo(1);
    }
}
