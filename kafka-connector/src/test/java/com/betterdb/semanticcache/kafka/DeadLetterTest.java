package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.events.LlmReplyEvent;
import com.betterdb.semanticcache.kafka.events.PromptEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import com.betterdb.semanticcache.kafka.testing.KafkaBroker;
import com.betterdb.semanticcache.kafka.testing.KafkaTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@KafkaTest
class DeadLetterTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicWithHeadersWhileGoodOnesFlow(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 1)) {
            ProcessorHandle p = h.start(h.config().maxRecordBytes(2000).build(), h.cache());

            // offset: what
            h.send(h.prompts, "g0", PromptEvent.of("good-0", "first good prompt")); // 0
            h.send(h.prompts, "b1", utf8("this is not json"), Map.of(Headers.CORRELATION_ID, "c-b1")); // 1
            h.send(h.prompts, "b2", utf8("{\"v\":1,\"prompt\":\"no id here\"}"), Map.of()); // 2
            h.send(h.prompts, "b3", utf8("{\"v\":1,\"id\":\"x3\",\"prompt\":\"   \"}"), Map.of()); // 3
            h.send(h.prompts, "b4", utf8("{\"v\":99,\"id\":\"x4\",\"prompt\":\"future\"}"), Map.of()); // 4
            h.send(h.prompts, "b5", utf8("{\"v\":1,\"id\":\"x5\",\"prompt\":\"" + "a".repeat(3000) + "\"}"), Map.of()); // 5
            h.send(h.prompts, "b6", new byte[]{(byte) 0xC3, (byte) 0x28, '{', '}'}, Map.of()); // 6
            h.send(h.prompts, "b7", utf8("{\"v\":1,\"id\":\"x7\",\"prompt\":\"p\",\"threshold\":5}"), Map.of()); // 7
            h.send(h.prompts, "g8", utf8("{\"v\":1,\"id\":\"good-8\",\"prompt\":\"second good prompt\",\"futureField\":{\"a\":1}}"),
                    Map.of()); // 8: unknown members are ignored
            h.send(h.prompts, "b9", utf8("[1,2,3]"), Map.of()); // 9
            h.send(h.llmReplies, "r0", utf8("{\"v\":1,\"id\":\"r0\",\"prompt\":\"p\"}"), Map.of()); // replies 0: no response
            h.send(h.llmReplies, "r1", new LlmReplyEvent(Events.VERSION, "r1", "p", "resp", null, -1, 3, null, null)); // 1
            h.send(h.llmReplies, "r2", LlmReplyEvent.of("r2", "a good reply prompt", "a good response")); // 2
            h.flush();

            List<ConsumerRecord<byte[], byte[]>> dead = h.readAtLeast(h.deadLetters, 10, WAIT);
            List<ConsumerRecord<byte[], byte[]>> requests = h.readAtLeast(h.llmRequests, 2, WAIT);
            List<ConsumerRecord<byte[], byte[]>> responses = h.readAtLeast(h.responses, 1, WAIT);

            assertThat(requests).extracting(r -> Harness.str(r.key())).containsExactly("g0", "g8");
            assertThat(responses).extracting(r -> Harness.str(r.key())).containsExactly("r2");

            Map<String, ConsumerRecord<byte[], byte[]>> byKey = dead.stream()
                    .collect(Collectors.toMap(r -> Harness.str(r.key()), r -> r));
            assertThat(byKey).containsOnlyKeys("b1", "b2", "b3", "b4", "b5", "b6", "b7", "b9", "r0", "r1");
            assertReason(byKey.get("b1"), DeadLetterReason.UNDECODABLE, h.prompts, 1);
            assertReason(byKey.get("b2"), DeadLetterReason.MISSING_FIELD, h.prompts, 2);
            assertReason(byKey.get("b3"), DeadLetterReason.MISSING_FIELD, h.prompts, 3);
            assertReason(byKey.get("b4"), DeadLetterReason.UNSUPPORTED_VERSION, h.prompts, 4);
            assertReason(byKey.get("b5"), DeadLetterReason.TOO_LARGE, h.prompts, 5);
            assertReason(byKey.get("b6"), DeadLetterReason.UNDECODABLE, h.prompts, 6);
            assertReason(byKey.get("b7"), DeadLetterReason.INVALID_FIELD, h.prompts, 7);
            assertReason(byKey.get("b9"), DeadLetterReason.UNDECODABLE, h.prompts, 9);
            assertReason(byKey.get("r0"), DeadLetterReason.MISSING_FIELD, h.llmReplies, 0);
            assertReason(byKey.get("r1"), DeadLetterReason.INVALID_FIELD, h.llmReplies, 1);
            // The original value and headers are kept.
            assertThat(Harness.str(byKey.get("b1").value())).isEqualTo("this is not json");
            assertThat(Harness.header(byKey.get("b1"), Headers.CORRELATION_ID)).isEqualTo("c-b1");
            // The error message names the member, never the content.
            assertThat(Harness.header(byKey.get("b2"), Headers.DLQ_ERROR)).contains("'id'");
            assertThat(Harness.header(byKey.get("b5"), Headers.DLQ_ERROR)).doesNotContain("aaaa");

            p.stop().block(WAIT);
            assertThat(h.committedPrompts()).as("nothing blocks the partition: all 10 committed").isEqualTo(10);
            assertThat(h.meters.get(KafkaMetricNames.DEAD_LETTERED).tag(KafkaMetricNames.TAG_REASON, "UNDECODABLE")
                    .counter().count()).isEqualTo(3);
        }
    }

    /** Finding 5: input the schema does not allow is dead-lettered with its reason, and the message quotes none of it. */
    @Test
    void laxInputIsDeadLetteredWithItsReasonAndWithoutEchoingIt(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 1)) {
            ProcessorHandle p = h.start(h.config().build(), h.cache());
            Map<String, byte[]> bad = new java.util.LinkedHashMap<>();
            bad.put("trailing", utf8("{\"v\":1,\"id\":\"a\",\"prompt\":\"secret words\"} secret"));
            bad.put("duplicate", utf8("{\"v\":1,\"id\":\"a\",\"prompt\":\"secret\",\"prompt\":\"secret 2\"}"));
            bad.put("number-prompt", utf8("{\"v\":1,\"id\":\"a\",\"prompt\":42}"));
            bad.put("string-version", utf8("{\"v\":\"1\",\"id\":\"a\",\"prompt\":\"secret\"}"));
            bad.put("fraction-version", utf8("{\"v\":1.9,\"id\":\"a\",\"prompt\":\"secret\"}"));
            bad.put("nbsp-prompt", utf8("{\"v\":1,\"id\":\"a\",\"prompt\":\"\u00a0\"}"));
            bad.put("utf16-bom", "{\"v\":1,\"id\":\"a\",\"prompt\":\"secret\"}".getBytes(StandardCharsets.UTF_16));
            bad.put("metadata-key", utf8("{\"v\":1,\"id\":\"a\",\"prompt\":\"x\",\"metadata\":{\"secretKey\":7}}"));
            bad.forEach((key, value) -> h.send(h.prompts, key, value, Map.of()));
            h.send(h.prompts, "good", PromptEvent.of("good-1", "a good prompt"));
            h.flush();
            List<ConsumerRecord<byte[], byte[]>> dead = h.readAtLeast(h.deadLetters, bad.size(), WAIT);
            Map<String, ConsumerRecord<byte[], byte[]>> byKey = dead.stream()
                    .collect(Collectors.toMap(r -> Harness.str(r.key()), r -> r));
            assertThat(byKey).containsOnlyKeys(bad.keySet());
            Map<String, DeadLetterReason> expected = Map.of("trailing", DeadLetterReason.UNDECODABLE,
                    "duplicate", DeadLetterReason.UNDECODABLE, "number-prompt", DeadLetterReason.UNDECODABLE,
                    "string-version", DeadLetterReason.UNDECODABLE, "fraction-version", DeadLetterReason.UNDECODABLE,
                    "nbsp-prompt", DeadLetterReason.MISSING_FIELD, "utf16-bom", DeadLetterReason.UNDECODABLE,
                    "metadata-key", DeadLetterReason.UNDECODABLE);
            expected.forEach((key, reason) -> {
                assertThat(Harness.header(byKey.get(key), Headers.DLQ_REASON)).as(key).isEqualTo(reason.name());
                assertThat(Harness.header(byKey.get(key), Headers.DLQ_ERROR)).as(key).doesNotContainIgnoringCase("secret")
                        .doesNotContain("java.").doesNotContain("Exception");
            });
            assertThat(h.readAtLeast(h.llmRequests, 1, WAIT)).extracting(r -> Harness.str(r.key())).containsExactly("good");
            p.stop().block(WAIT);
        }
    }

    private static void assertReason(ConsumerRecord<byte[], byte[]> r, DeadLetterReason reason, String topic,
                                     long offset) {
        assertThat(Harness.header(r, Headers.DLQ_REASON)).isEqualTo(reason.name());
        assertThat(Harness.header(r, Headers.DLQ_SOURCE_TOPIC)).isEqualTo(topic);
        assertThat(Harness.header(r, Headers.DLQ_SOURCE_PARTITION)).isEqualTo("0");
        assertThat(Harness.header(r, Headers.DLQ_SOURCE_OFFSET)).isEqualTo(Long.toString(offset));
        assertThat(Harness.header(r, Headers.DLQ_ERROR)).isNotBlank();
    }
}
