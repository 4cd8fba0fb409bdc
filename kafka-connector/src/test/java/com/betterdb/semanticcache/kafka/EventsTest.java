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

    private static DeadLetterReason reasonOfPromptOrNull(String json) {
        try {
            Events.decodePrompt(b(json));
            return null;
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
        ResponseEvent r = new ResponseEvent(1, "a", "resp", null, "cache", 0.01, "high", "k", null, null, null, null);
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

    private static DecodeException failure(byte[] value) {
        try {
            Events.decodePrompt(value);
            throw new AssertionError("decoded: " + new String(value, StandardCharsets.UTF_8));
        } catch (DecodeException e) {
            return e;
        }
    }

    @Test
    void laxJsonIsRejected() {
        // Trailing data after the object, and a duplicate member (which one wins is parser-specific).
        assertThat(reasonOfPrompt("{\"v\":1,\"id\":\"a\",\"prompt\":\"x\"} trailing")).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(reasonOfPrompt("{\"v\":1,\"id\":\"a\",\"prompt\":\"x\"}{\"v\":1}")).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(reasonOfPrompt("{\"v\":1,\"id\":\"a\",\"prompt\":\"x\",\"prompt\":\"y\"}")).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(reasonOfPrompt("{\"v\":1,\"id\":\"a\",\"prompt\":\"x\",\"metadata\":{\"k\":\"1\",\"k\":\"2\"}}"))
                .isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(reasonOfReply("{\"v\":1,\"id\":\"a\",\"prompt\":\"p\",\"response\":\"r\"} 1")).isEqualTo(DeadLetterReason.UNDECODABLE);
    }

    @Test
    void typeCoercionsAreRejected() {
        for (String json : List.of(
                "{\"v\":1,\"id\":\"a\",\"prompt\":42}",
                "{\"v\":1,\"id\":7,\"prompt\":\"x\"}",
                "{\"v\":\"1\",\"id\":\"a\",\"prompt\":\"x\"}",
                "{\"v\":1.9,\"id\":\"a\",\"prompt\":\"x\"}",
                "{\"v\":1.0,\"id\":\"a\",\"prompt\":\"x\"}",
                "{\"v\":true,\"id\":\"a\",\"prompt\":\"x\"}",
                "{\"v\":1,\"id\":\"a\",\"prompt\":\"x\",\"threshold\":\"0.2\"}",
                "{\"v\":1,\"id\":\"a\",\"prompt\":\"x\",\"metadata\":{\"user\":5}}",
                "{\"v\":1,\"id\":\"a\",\"prompt\":\"x\",\"model\":false}")) {
            assertThat(reasonOfPrompt(json)).as(json).isEqualTo(DeadLetterReason.UNDECODABLE);
        }
        for (String json : List.of(
                "{\"v\":1,\"id\":\"a\",\"prompt\":\"p\",\"response\":\"r\",\"inputTokens\":1.5}",
                "{\"v\":1,\"id\":\"a\",\"prompt\":\"p\",\"response\":\"r\",\"ttlSeconds\":\"60\"}",
                "{\"v\":1,\"id\":\"a\",\"prompt\":\"p\",\"response\":12}")) {
            assertThat(reasonOfReply(json)).as(json).isEqualTo(DeadLetterReason.UNDECODABLE);
        }
        // What the schema allows still decodes: an integer where a number is expected.
        assertThat(reasonOfPromptOrNull("{\"v\":1,\"id\":\"a\",\"prompt\":\"x\",\"threshold\":0}")).isNull();
    }

    @Test
    void promptsBlankAfterUnicodeTrimAreMissing() {
        for (String blank : List.of("\u00a0", "\u00a0 \u2007\u202f", "\u200b\ufeff", "\u3000\\t\\n", "\u2028")) {
            assertThat(reasonOfPrompt("{\"v\":1,\"id\":\"a\",\"prompt\":\"" + blank + "\"}")).as("prompt %s", blank)
                    .isEqualTo(DeadLetterReason.MISSING_FIELD);
            assertThat(reasonOfPrompt("{\"v\":1,\"id\":\"" + blank + "\",\"prompt\":\"x\"}")).as("id %s", blank)
                    .isEqualTo(DeadLetterReason.MISSING_FIELD);
            assertThat(reasonOfReply("{\"v\":1,\"id\":\"a\",\"prompt\":\"" + blank + "\",\"response\":\"r\"}"))
                    .isEqualTo(DeadLetterReason.MISSING_FIELD);
        }
        assertThat(reasonOfPrompt("{\"v\":1,\"id\":\"a\",\"prompt\":\"\\u00a0\"}")).isEqualTo(DeadLetterReason.MISSING_FIELD);
    }

    @Test
    void onlyUtf8WithoutByteOrderMarkIsAccepted() throws DecodeException {
        String json = "{\"v\":1,\"id\":\"a\",\"prompt\":\"caf\u00e9\"}";
        assertThat(Events.decodePrompt(b(json)).prompt()).isEqualTo("caf\u00e9");
        byte[] utf16 = json.getBytes(StandardCharsets.UTF_16); // big-endian with a byte order mark
        byte[] utf16le = json.getBytes(StandardCharsets.UTF_16LE); // no byte order mark
        byte[] bom = new byte[3 + json.length() + 1];
        bom[0] = (byte) 0xEF;
        bom[1] = (byte) 0xBB;
        bom[2] = (byte) 0xBF;
        System.arraycopy(b(json), 0, bom, 3, b(json).length);
        byte[] latin1 = json.getBytes(StandardCharsets.ISO_8859_1);
        for (byte[] value : List.of(utf16, utf16le, java.util.Arrays.copyOf(bom, 3 + b(json).length), latin1)) {
            DecodeException e = failure(value);
            assertThat(e.reason()).isEqualTo(DeadLetterReason.UNDECODABLE);
            assertThat(e.getMessage()).containsIgnoringCase("UTF-8");
        }
    }

    @Test
    void errorMessagesNeverEchoContentMemberKeysOrClassNames() {
        List<String> bad = List.of(
                "{\"v\":1,\"id\":\"a\",\"prompt\":\"x\",\"metadata\":{\"secretKeyName\":5}}",
                "{\"v\":1,\"id\":\"a\",\"prompt\":\"x\",\"metadata\":{\"secretKeyName\":\"1\",\"secretKeyName\":\"2\"}}",
                "{\"v\":1,\"id\":\"a\",\"prompt\":\"x\",\"secretKeyName\":1,\"secretKeyName\":2}",
                "{\"v\":1,\"id\":\"a\",\"prompt\":\"secret text\"} secretTrailing",
                "{\"v\":1,\"id\":\"a\",\"prompt\":secretToken}",
                "{\"v\":\"secret\",\"id\":\"a\",\"prompt\":\"x\"}",
                "{\"v\":1,\"id\":\"a\",\"contentBlocks\":[{\"type\":\"secretType\"}]}",
                "{\"v\":1,\"id\":\"a\",\"contentBlocks\":[{\"type\":\"text\",\"text\":{\"secretKeyName\":1}}]}",
                "[\"secret\"]",
                "\"secret\"");
        for (String json : bad) {
            DecodeException e = failure(b(json));
            assertThat(e.getMessage()).as(json).doesNotContainIgnoringCase("secret")
                    .doesNotContain("java.").doesNotContain("Exception").doesNotContain("jackson")
                    .doesNotContain("`").hasSizeLessThan(200);
        }
    }
}
