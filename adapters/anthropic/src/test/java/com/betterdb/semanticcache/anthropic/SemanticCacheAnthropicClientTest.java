package com.betterdb.semanticcache.anthropic;

import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.client.okhttp.AnthropicOkHttpClientAsync;
import com.anthropic.errors.InternalServerException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import com.betterdb.semanticcache.testing.llm.LoopbackLlmServer;
import com.betterdb.semanticcache.testing.llm.ChatAdapterContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.PARAPHRASE;
import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.QUESTION;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The caching client through the real Anthropic SDK against a loopback server answering in the API's JSON shapes:
 * the behaviour of every chat adapter ({@link ChatAdapterContract}), and what is Anthropic's own (the rebuilt
 * {@link Message}, tool use, requests that bypass the cache). The stored question is at distance 0, its paraphrase
 * 0.02 away (a hit at the default threshold 0.1).
 */
class SemanticCacheAnthropicClientTest extends ChatAdapterContract {

    private static final String DEFAULT_MODEL = "claude-sonnet-4-5";

    private final AnthropicClientAsync anthropic = AnthropicOkHttpClientAsync.builder().apiKey("sk-ant-test")
            .baseUrl(server.baseUrl()).maxRetries(0).build();
    private final SemanticCacheAnthropicClient cached = new SemanticCacheAnthropicClient(anthropic, fx.cache());
    private final AdapterCacheFixture fixture = fx;

    SemanticCacheAnthropicClientTest() {
        super("an", DEFAULT_MODEL, "claude-opus-4-6", AnthropicReplies.MODEL);
    }

    @BeforeEach
    void answerInTheMessagesShape() {
        server.respond(req -> LoopbackLlmServer.Reply.ok(AnthropicReplies.message("Answer " + server.requestCount(),
                14, 8)));
    }

    @AfterEach
    void closeClient() {
        anthropic.close();
    }

    @Override
    protected Reply ask(String system, String model, String question) {
        Message m = send(params(model == null ? DEFAULT_MODEL : model, system, question));
        return new Reply(text(m), SemanticCacheAnthropicClient.isCached(m), mark(m, CacheHitMetadata.OUTCOME));
    }

    @Override
    protected void assertProviderError(Throwable error) {
        assertThat(error).isInstanceOf(InternalServerException.class);
    }

    /** The answer tells which request produced it: a pirate system prompt and the opus model answer differently. */
    private void answerLikeAnthropic() {
        server.respond(req -> LoopbackLlmServer.Reply.ok(AnthropicReplies.message(
                req.body().contains("pirate") ? "Arr, Paris." : req.body().contains("claude-opus-4-6")
                        ? "Paris (opus)." : "Paris.", 14, 8)));
    }

    /** A mark of a rebuilt message as JSON text ({@code true}, {@code "hit"}, ...). */
    private static String mark(Message m, String key) {
        var props = m._additionalProperties();
        return props.containsKey(key) ? props.get(key).convert(com.fasterxml.jackson.databind.JsonNode.class)
                .asText() : null;
    }

    private static MessageCreateParams params(String model, String system, String user) {
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
    void aHitIsAMessageWithZeroUsageMarkedAsCachedAndSavesTheAnswersPrice() {
        answerLikeAnthropic();
        Message first = send(params("claude-sonnet-4-5", "You are a geography tutor.", QUESTION));
        assertThat(SemanticCacheAnthropicClient.isCached(first)).isFalse();
        assertThat(text(first)).isEqualTo("Paris.");
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(server.requests().get(0).path()).isEqualTo("/v1/messages");
        assertThat(fixture.entries()).isEqualTo(1);

        Message hit = send(params("claude-sonnet-4-5", "You are a geography tutor.", PARAPHRASE));
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(SemanticCacheAnthropicClient.isCached(hit)).isTrue();
        assertThat(text(hit)).isEqualTo("Paris.");
        assertThat(hit.id()).startsWith("msg_cache-");
        assertThat(hit.model().asString()).isEqualTo("claude-sonnet-4-5");
        assertThat(hit.stopReason()).contains(StopReason.END_TURN);
        assertThat(hit.usage().inputTokens()).isZero();
        assertThat(hit.usage().outputTokens()).isZero();
        assertThat(mark(hit, CacheHitMetadata.HIT)).isEqualTo("true");
        assertThat(mark(hit, CacheHitMetadata.OUTCOME)).isEqualTo(CacheHitMetadata.OUTCOME_HIT);
        assertThat(mark(hit, CacheHitMetadata.MATCHED_KEY)).startsWith("an:entry:");
        assertThat(hit._additionalProperties()).containsKeys(CacheHitMetadata.SIMILARITY, CacheHitMetadata.COST_SAVED);
        // Stored with the answering model and its tokens: claude-sonnet-4-5-20250929, 14 input tokens at $0.003/1k
        // + 8 output tokens at $0.015/1k = $0.000162.
        assertThat(fixture.counter("cost_saved_total")).isBetween(0.000161, 0.000163);
    }

    @Test
    void toolUseIsReturnedUnchangedAndNotStored() {
        server.respond(200, AnthropicReplies.TOOL_USE);
        Message m = send(params("claude-sonnet-4-5", null, QUESTION));
        assertThat(m.id()).isEqualTo("msg_tool");
        assertThat(m.content().get(1).isToolUse()).isTrue();
        assertThat(fixture.entries()).isZero();
    }

    @Test
    void perCallOptionsSetTheThresholdAndTheCategory() {
        cached.withCategory("geo").messages().create(params("claude-sonnet-4-5", null, QUESTION)).block();
        Message strict = cached.withThreshold(0.01).messages().create(params("claude-sonnet-4-5", null, PARAPHRASE))
                .block();
        assertThat(SemanticCacheAnthropicClient.isCached(strict)).isFalse();
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(fixture.cache().invalidateByCategory("geo").block()).isEqualTo(1);
    }

    @Test
    void requestsOfferingToolsOrEndingInAToolResultBypassTheCache() {
        send(MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(64).addUserMessage(QUESTION)
                .addTool(Tool.builder().name("get_weather").inputSchema(Tool.InputSchema.builder().build()).build())
                .build());
        send(MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(64).addUserMessage(QUESTION)
                .addAssistantMessage("Let me check.")
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder()
                        .toolUseId("toolu_1").content("18C").build())))
                .build());
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(fixture.lookups()).isZero();
        assertThat(fixture.entries()).isZero();
    }

    @Test
    void aRequestWithNoUserTextBypassesTheCache() {
        send(MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(64).system("Say hello.")
                .addAssistantMessage("Hello").build());
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(fixture.entries()).isZero();
    }
}
