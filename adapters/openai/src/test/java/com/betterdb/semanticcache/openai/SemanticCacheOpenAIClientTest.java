package com.betterdb.semanticcache.openai;

import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import com.betterdb.semanticcache.testing.llm.LoopbackLlmServer;
import com.betterdb.semanticcache.testing.llm.ChatAdapterContract;
import com.openai.client.OpenAIClientAsync;
import com.openai.client.okhttp.OpenAIOkHttpClientAsync;
import com.openai.errors.InternalServerException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionTool;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.FunctionDefinition;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.PARAPHRASE;
import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.QUESTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The caching client through the real OpenAI SDK against a loopback server answering in the API's JSON shapes: the
 * behaviour of every chat adapter ({@link ChatAdapterContract}), and what is OpenAI's own (the rebuilt types, the
 * Responses API, tool calls, requests that bypass the cache). The stored question is at distance 0, its paraphrase
 * 0.02 away (a hit at the default threshold 0.1).
 */
class SemanticCacheOpenAIClientTest extends ChatAdapterContract {

    private static final String DEFAULT_MODEL = "gpt-4o";
    private static final String OTHER = "How tall is Mount Everest?";

    private final OpenAIClientAsync openai = OpenAIOkHttpClientAsync.builder().apiKey("sk-test")
            .baseUrl(server.baseUrl() + "/v1").maxRetries(0).build();
    private final SemanticCacheOpenAIClient cached = new SemanticCacheOpenAIClient(openai, fx.cache());
    private final AdapterCacheFixture fixture = fx.place(OTHER, 0.6);

    SemanticCacheOpenAIClientTest() {
        super("oa", DEFAULT_MODEL, "gpt-4o-mini", OpenAIReplies.MODEL);
    }

    @AfterEach
    void closeClient() {
        openai.close();
    }

    @Override
    protected Reply ask(String system, String model, String question) {
        ChatCompletion c = ask(chat(model == null ? DEFAULT_MODEL : model, system, question));
        return new Reply(text(c), SemanticCacheOpenAIClient.isCached(c), mark(c, CacheHitMetadata.OUTCOME));
    }

    @Override
    protected void assertProviderError(Throwable error) {
        assertThat(error).isInstanceOf(InternalServerException.class);
    }

    /** The answer tells which request produced it: a pirate system prompt and the mini model answer differently. */
    private void answerLikeOpenAI() {
        server.respond(req -> {
            String answer = req.body().contains("pirate") ? "Arr, Paris." : req.body().contains("gpt-4o-mini")
                    ? "Paris (mini)." : "Paris.";
            return LoopbackLlmServer.Reply.ok(req.path().endsWith("/responses") ? OpenAIReplies.response(answer, 36, 87)
                    : OpenAIReplies.chat(answer, 19, 10));
        });
    }

    /** A mark of a rebuilt response as JSON text ({@code true}, {@code "hit"}, ...). */
    private static String mark(Object response, String key) {
        var props = response instanceof ChatCompletion c ? c._additionalProperties()
                : ((Response) response)._additionalProperties();
        return props.containsKey(key) ? props.get(key).convert(com.fasterxml.jackson.databind.JsonNode.class)
                .asText() : null;
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
    void aHitIsAChatCompletionWithZeroUsageMarkedAsCachedAndSavesTheAnswersPrice() {
        answerLikeOpenAI();
        ChatCompletion first = ask(chat("gpt-4o", "You are a geography tutor.", QUESTION));
        assertThat(SemanticCacheOpenAIClient.isCached(first)).isFalse();
        assertThat(text(first)).isEqualTo("Paris.");
        assertThat(first.usage().orElseThrow().totalTokens()).isEqualTo(29);
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(server.requests().get(0).path()).isEqualTo("/v1/chat/completions");
        assertThat(fixture.entries()).isEqualTo(1);

        ChatCompletion hit = ask(chat("gpt-4o", "You are a geography tutor.", PARAPHRASE));
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(SemanticCacheOpenAIClient.isCached(hit)).isTrue();
        assertThat(text(hit)).isEqualTo("Paris.");
        assertThat(hit.id()).startsWith("chatcmpl-cache-");
        assertThat(hit.model()).isEqualTo("gpt-4o");
        assertThat(hit.choices()).hasSize(1);
        assertThat(hit.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(hit.usage().orElseThrow().totalTokens()).isZero();
        assertThat(hit.usage().orElseThrow().promptTokens()).isZero();
        assertThat(mark(hit, CacheHitMetadata.HIT)).isEqualTo("true");
        assertThat(mark(hit, CacheHitMetadata.OUTCOME)).isEqualTo(CacheHitMetadata.OUTCOME_HIT);
        assertThat(mark(hit, CacheHitMetadata.MATCHED_KEY)).startsWith("oa:entry:");
        assertThat(hit._additionalProperties()).containsKeys(CacheHitMetadata.SIMILARITY, CacheHitMetadata.COST_SAVED);
        // The entry was stored with the answering model and its tokens: the hit saved their price
        // (gpt-4o-2024-08-06: 19 input tokens at $0.0025/1k + 10 output tokens at $0.01/1k = $0.0001475).
        assertThat(fixture.counter("cost_saved_total")).isBetween(0.000147, 0.000148);
        assertThat(fixture.counter("read_through_total", "outcome", "computed")).isEqualTo(1);
        assertThat(fixture.counter("read_through_total", "outcome", "hit")).isEqualTo(1);
    }

    @Test
    void aTextOnlyQuestionDoesNotHitAnEntryStoredWithAnImage() {
        var withImage = ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessageOfArrayOfContentParts(List.of(
                ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text(QUESTION).build()),
                ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder().imageUrl(
                        ChatCompletionContentPartImage.ImageUrl.builder().url("https://example.com/map.png").build())
                        .build()))).build();
        ask(withImage);
        assertThat(SemanticCacheOpenAIClient.isCached(ask(chat("gpt-4o", null, PARAPHRASE)))).isFalse();
        assertThat(SemanticCacheOpenAIClient.isCached(ask(withImage))).isTrue();
        assertThat(server.requestCount()).isEqualTo(2);
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
        cached.withCategory("geo").chat().completions().create(chat("gpt-4o", null, QUESTION)).block();
        // 0.02 away is beyond a 0.01 threshold.
        ChatCompletion strict = cached.withThreshold(0.01).chat().completions().create(chat("gpt-4o", null, PARAPHRASE))
                .block();
        assertThat(SemanticCacheOpenAIClient.isCached(strict)).isFalse();
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(fixture.cache().invalidateByCategory("geo").block()).isEqualTo(1);
    }

    @Test
    void requestsOfferingToolsOrEndingInAToolResultBypassTheCache() {
        ChatCompletionTool tool = ChatCompletionTool.ofFunction(ChatCompletionFunctionTool.builder()
                .function(FunctionDefinition.builder().name("get_weather").build()).build());
        ask(ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage(QUESTION).addTool(tool).build());
        ask(ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage(QUESTION)
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId("call_1").content("18C").build())
                .build());
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(fixture.lookups()).isZero();
        assertThat(fixture.entries()).isZero();
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
        answerLikeOpenAI();
        Response first = respond(ResponseCreateParams.builder().model("gpt-4.1").instructions("Be brief.")
                .input(QUESTION).build());
        assertThat(SemanticCacheOpenAIClient.isCached(first)).isFalse();
        assertThat(text(first)).isEqualTo("Paris.");
        assertThat(server.requests().get(0).path()).isEqualTo("/v1/responses");
        assertThat(fixture.entries()).isEqualTo(1);

        Response hit = respond(ResponseCreateParams.builder().model("gpt-4.1").instructions("Be brief.")
                .input(PARAPHRASE).build());
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(SemanticCacheOpenAIClient.isCached(hit)).isTrue();
        assertThat(text(hit)).isEqualTo("Paris.");
        assertThat(hit.id()).startsWith("resp_cache-");
        assertThat(hit.instructions().orElseThrow().asString()).isEqualTo("Be brief.");
        assertThat(hit.usage().orElseThrow().totalTokens()).isZero();
        // gpt-4.1-2025-04-14: 36 input tokens at $0.002/1k + 87 output tokens at $0.008/1k = $0.000768.
        assertThat(fixture.counter("cost_saved_total")).isBetween(0.000767, 0.000769);
    }

    @Test
    void responsesOtherInstructionsMiss() {
        answerLikeOpenAI();
        respond(ResponseCreateParams.builder().model("gpt-4.1").instructions("Be brief.").input(QUESTION).build());
        Response pirate = respond(ResponseCreateParams.builder().model("gpt-4.1").instructions("You are a pirate.")
                .input(PARAPHRASE).build());
        assertThat(SemanticCacheOpenAIClient.isCached(pirate)).isFalse();
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
        answerLikeOpenAI();
        respond(ResponseCreateParams.builder().model("gpt-4.1").input(QUESTION).build());
        Response followUp = respond(ResponseCreateParams.builder().model("gpt-4.1").input(QUESTION)
                .previousResponseId("resp_earlier").build());
        assertThat(SemanticCacheOpenAIClient.isCached(followUp)).isFalse();
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(fixture.entries()).isEqualTo(1);
    }
}
