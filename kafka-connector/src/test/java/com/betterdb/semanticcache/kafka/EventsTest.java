package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.kafka.events.DecodeException;
import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.events.LlmReplyEvent;
import com.betterdb.semanticcache.kafka.events.PromptEvent;
import com.betterdb.semanticcache.kafka.events.ResponseEvent;
import com.betterdb.semanticcache.prompt.ContentBlock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventsTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static DeadLetterReason reasonOfPrompt(String json) {
        try {
            Events.decodePrompt(b(json));
            throw new AssertionError("decoded: " + json);
        } catch (DecodeException e) {
            return e.reason();
        }
    }

    private static DeadLetterReason reasonOfReply(String json) {
        try {
            Events.decodeReply(b(json));
            throw new AssertionError("decoded: " + json);
        } catch (DecodeException e) {
            return e.reason();
        }
    }

    @Test
    void promptDecodesAndIgnoresUnknownMembers() throws DecodeException {
        PromptEvent e = Events.decodePrompt(b("{\"v\":1,\"id\":\"a\",\"prompt\":\"hi\",\"model\":\"m\",\"category\":\"c\","
                + "\"threshold\":0.2,\"metadata\":{\"user\":\"u1\"},\"somethingNew\":[1,2]}"));
        assertThat(e).isEqualTo(new PromptEvent(1, "a", "hi", null, "m", "c", 0.2, java.util.Map.of("user", "u1")));
    }

    @Test
    void promptWithContentBlocksDecodes() throws DecodeException {
        PromptEvent e = Events.decodePrompt(b("{\"v\":1,\"id\":\"a\",\"contentBlocks\":[{\"type\":\"text\",\"text\":\"describe\"},"
                + "{\"type\":\"binary\",\"kind\":\"image\",\"mediaType\":\"image/png\",\"ref\":\"sha256:ab\"}]}"));
        assertThat(e.contentBlocks()).hasSize(2);
        assertThat(e.contentBlocks().get(0)).isEqualTo(ContentBlock.text("describe"));
    }

    @Test
    void invalidPromptsNameTheirReason() {
        assertThat(reasonOfPrompt("nope")).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(reasonOfPrompt("null")).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(reasonOfPrompt("{\"v\":\"one\",\"id\":\"a\",\"prompt\":\"x\"}")).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(reasonOfPrompt("{\"id\":\"a\",\"prompt\":\"x\"}")).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(reasonOfPrompt("{\"v\":2,\"id\":\"a\",\"prompt\":\"x\"}")).isEqualTo(DeadLetterReason.UNSUPPORTED_VERSION);
        assertThat(reasonOfPrompt("{\"v\":1,\"prompt\":\"x\"}")).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(reasonOfPrompt("{\"v\":1,\"id\":\"a\"}")).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(reasonOfPrompt("{\"v\":1,\"id\":\"a\",\"prompt\":\"x\",\"contentBlocks\":[{\"type\":\"text\",\"text\":\"y\"}]}"))
                .isEqualTo(DeadLetterReason.INVALID_FIELD);
        assertThat(reasonOfPrompt("{\"v\":1,\"id\":\"a\",\"prompt\":\"x\",\"threshold\":-0.1}")).isEqualTo(DeadLetterReason.INVALID_FIELD);
        assertThat(reasonOfPrompt("{\"v\":1,\"id\":\"a\",\"contentBlocks\":[{\"type\":\"video\"}]}")).isEqualTo(DeadLetterReason.UNDECODABLE);
    }

    @Test
    void invalidRepliesNameTheirReason() throws DecodeException {
        assertThat(Events.decodeReply(b("{\"v\":1,\"id\":\"a\",\"prompt\":\"p\",\"response\":\"\"}")).response()).isEmpty();
        assertThat(reasonOfReply("{\"v\":1,\"id\":\"a\",\"prompt\":\"p\"}")).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(reasonOfReply("{\"v\":1,\"id\":\"a\",\"response\":\"r\"}")).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(reasonOfReply("{\"v\":1,\"id\":\"a\",\"prompt\":\"p\",\"response\":\"r\",\"outputTokens\":-1}"))
                .isEqualTo(DeadLetterReason.INVALID_FIELD);
        assertThat(reasonOfReply("{\"v\":1,\"id\":\"a\",\"prompt\":\"p\",\"response\":\"r\",\"ttlSeconds\":-5}"))
                .isEqualTo(DeadLetterReason.INVALID_FIELD);
    }

    @Test
    void decodeErrorsNeverQuoteContent() {
        assertThatThrownBy(() -> Events.decodePrompt(b("{\"v\":1,\"id\":\"a\",\"prompt\":\"secret text\",\"threshold\":\"secret2\"}")))
                .isInstanceOf(DecodeException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
    }

    @Test
    void encodingOmitsNullsAndRoundTrips() throws Exception {
        ResponseEvent r = new ResponseEvent(1, "a", "resp", null, "cache", 0.01, "high", "k", null, null);
        String json = new String(Events.encode(r), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("null").contains("\"v\":1").contains("\"source\":\"cache\"");
        assertThat(Events.mapper().readValue(json, ResponseEvent.class)).isEqualTo(r);
        LlmReplyEvent reply = LlmReplyEvent.of("id", "p", "r");
        assertThat(Events.decodeReply(Events.encode(reply))).isEqualTo(reply);
    }

    @Test
    void entryIdIsDeterministicPerCacheAndRequest() {
        UUID a = ChunkPipeline.entryId("cache", "req-1");
        assertThat(ChunkPipeline.entryId("cache", "req-1")).isEqualTo(a);
        assertThat(a).isEqualTo(UUID.nameUUIDFromBytes(b("cache:req-1")));
        assertThat(ChunkPipeline.entryId("cache", "req-2")).isNotEqualTo(a);
        assertThat(ChunkPipeline.entryId("other", "req-1")).isNotEqualTo(a);
        assertThat(List.of(a.version())).containsExactly(3);
    }
}
