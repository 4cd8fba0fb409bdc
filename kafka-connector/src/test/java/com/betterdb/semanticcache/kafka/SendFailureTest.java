package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.kafka.events.PromptEvent;
import com.betterdb.semanticcache.kafka.testing.KafkaBroker;
import com.betterdb.semanticcache.kafka.testing.KafkaTest;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** Findings 1 and 2: outputs Kafka refuses, for a while or for good. */
@KafkaTest
class SendFailureTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static void sendPrompts(Harness h, int from, int to) {
        for (int i = from; i < to; i++) {
            h.send(h.prompts, "key-" + i, PromptEvent.of("id-" + i, Harness.uniquePrompt(i)));
        }
    }

    private static double sum(Harness h, String name) {
        return h.meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** Fails the first {@code times} sends of records whose value contains {@code marker}, as a broker would. */
    @SuppressWarnings("unchecked")
    private static UnaryOperator<Producer<byte[], byte[]>> failing(String marker, int times, AtomicInteger failed) {
        return real -> (Producer<byte[], byte[]>) Proxy.newProxyInstance(Producer.class.getClassLoader(),
                new Class<?>[]{Producer.class}, (proxy, method, args) -> {
                    if (method.getName().equals("send") && args.length == 2) {
                        ProducerRecord<byte[], byte[]> r = (ProducerRecord<byte[], byte[]>) args[0];
                        if (r.value() != null && new String(r.value(), StandardCharsets.UTF_8).contains(marker)
                                && failed.get() < times) {
                            failed.incrementAndGet();
                            Exception e = new NotEnoughReplicasException("injected: not enough replicas");
                            ((Callback) args[1]).onCompletion(null, e);
                            return CompletableFuture.failedFuture(e);
                        }
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * Finding 2: a retriable send failure in the middle of a chunk. The retry sends only that output again: the
     * outputs after it, already acknowledged, are not written twice, and the cache is not asked again.
     */
    @Test
    void aChunkRetrySendsOnlyTheOutputsThatWereNotAcknowledged(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 1)) {
            AtomicInteger failed = new AtomicInteger();
            ProcessorHandle p = SemanticCacheProcessor.create(h.config().chunkSize(10).build(), h.cache(), h.meters)
                    .start(failing("\"id\":\"id-3\"", 2, failed));
            sendPrompts(h, 0, 10);
            h.flush();
            Map<String, Integer> counts = Harness.idCounts(h.readAtLeast(h.llmRequests, 10, WAIT));
            Harness.sleep(500); // a re-send of the later outputs would arrive now
            counts = Harness.idCounts(h.readUntil(h.llmRequests, l -> false, Duration.ofMillis(500)));
            p.stop().block(WAIT);
            assertThat(failed.get()).isEqualTo(2);
            assertThat(counts).hasSize(10);
            assertThat(counts.values()).as("each LLM request written once: %s", counts).allMatch(c -> c == 1);
            assertThat(h.meters.get(KafkaMetricNames.RECORDS_OUT).tag(KafkaMetricNames.TAG_TOPIC, h.llmRequests)
                    .counter().count()).isEqualTo(10);
            assertThat(h.meters.get(KafkaMetricNames.RESENDS).tag(KafkaMetricNames.TAG_TOPIC, h.llmRequests)
                    .counter().count()).as("id-3 written after two failed sends").isEqualTo(1);
            assertThat(h.meters.get(KafkaMetricNames.SEND_ERRORS).tag(KafkaMetricNames.TAG_TOPIC, h.llmRequests)
                    .tag(KafkaMetricNames.TAG_ERROR, "NOT_ENOUGH_REPLICAS").counter().count()).isEqualTo(2);
            assertThat(h.meters.get(KafkaMetricNames.MISSES).counter().count()).isEqualTo(10);
            assertThat(h.committedPrompts()).isEqualTo(10);
        }
    }

    /**
     * Finding 2, for good: the llm-requests topic refuses one record (larger than its max.message.bytes). It is
     * dead-lettered as OUTPUT_REJECTED; no other output is written twice while it is handled.
     */
    @Test
    void anOutputTheTopicRefusesIsDeadLetteredAndNothingElseIsWrittenTwice(KafkaBroker broker) throws Exception {
        try (Harness h = new Harness(broker, 1)) {
            broker.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, h.llmRequests),
                    List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "4096"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
            ProcessorHandle p = h.start(h.config().chunkSize(20).build(), h.cache());
            sendPrompts(h, 0, 5);
            h.send(h.prompts, "key-big", PromptEvent.of("id-big", "a long question " + "word ".repeat(1500)));
            sendPrompts(h, 5, 19);
            h.flush();
            List<ConsumerRecord<byte[], byte[]>> dead = h.readAtLeast(h.deadLetters, 1, WAIT);
            assertThat(dead).hasSize(1);
            assertThat(Harness.header(dead.get(0), Headers.DLQ_REASON)).isEqualTo("OUTPUT_REJECTED");
            assertThat(Harness.header(dead.get(0), Headers.DLQ_ERROR)).contains("MESSAGE_TOO_LARGE")
                    .doesNotContain("word").doesNotContain("Exception");
            assertThat(Harness.str(dead.get(0).key())).isEqualTo("key-big");
            assertThat(dead.get(0).value()).as("the input fits the dead-letter topic: kept as is").isNotNull();
            Harness.sleep(500);
            Map<String, Integer> counts = Harness.idCounts(h.readUntil(h.llmRequests, l -> false, Duration.ofMillis(500)));
            int duplicates = counts.values().stream().mapToInt(c -> c - 1).sum();
            System.out.println("FAULT permanent send failure: prompts=20 duplicateOutputs=" + duplicates
                    + " resends=" + sum(h, KafkaMetricNames.RESENDS));
            assertThat(counts).hasSize(19).doesNotContainKey("id-big");
            assertThat(duplicates).isZero();
            p.stop().block(WAIT);
            assertThat(h.committedPrompts()).isEqualTo(20);
            assertThat(sum(h, KafkaMetricNames.RESENDS)).isZero();
            assertThat(h.meters.get(KafkaMetricNames.DEAD_LETTERED).tag(KafkaMetricNames.TAG_REASON, "OUTPUT_REJECTED")
                    .counter().count()).isEqualTo(1);
        }
    }

    /**
     * Finding 1, with every size setting at its default: a record just under 1 MiB is too large for the producer
     * once the dead-letter headers are added. It is written without its value, and the partition goes on.
     */
    @Test
    void aRecordJustUnderOneMebibyteIsDeadLetteredWithoutItsValue(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 1)) {
            ProcessorHandle p = h.start(h.config().build(), h.cache());
            sendPrompts(h, 0, 5);
            int size = 1024 * 1024 - 200; // the input fits the broker's default 1 MiB + 12 bytes; + headers it does not
            h.send(h.prompts, "key-big", "x".repeat(size).getBytes(StandardCharsets.UTF_8), Map.of("trace", "t-1"));
            sendPrompts(h, 5, 10);
            h.flush();
            List<ConsumerRecord<byte[], byte[]>> dead = h.readAtLeast(h.deadLetters, 1, WAIT);
            assertThat(dead).hasSize(1);
            ConsumerRecord<byte[], byte[]> d = dead.get(0);
            assertThat(d.value()).isNull();
            assertThat(Harness.str(d.key())).isEqualTo("key-big");
            assertThat(Harness.header(d, Headers.DLQ_REASON)).isIn("TOO_LARGE", "UNDECODABLE");
            assertThat(Harness.header(d, Headers.DLQ_ORIGINAL_SIZE)).isEqualTo(Integer.toString(size));
            assertThat(Harness.header(d, Headers.DLQ_VALUE_OMITTED)).isEqualTo("MESSAGE_TOO_LARGE");
            assertThat(Harness.header(d, Headers.DLQ_SOURCE_OFFSET)).isEqualTo("5");
            assertThat(Harness.header(d, "trace")).as("the input's headers are kept").isEqualTo("t-1");
            Map<String, Integer> counts = Harness.idCounts(h.readAtLeast(h.llmRequests, 10, WAIT));
            assertThat(counts).hasSize(10);
            assertThat(counts.values()).allMatch(c -> c == 1);
            p.stop().block(WAIT);
            assertThat(h.committedPrompts()).isEqualTo(11);
        }
    }
}
