package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.kafka.events.PromptEvent;
import com.betterdb.semanticcache.kafka.events.ResponseEvent;
import com.betterdb.semanticcache.kafka.testing.KafkaBroker;
import com.betterdb.semanticcache.kafka.testing.KafkaTest;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exactly-once mode ({@code exactlyOnce(true)}): outputs and input offsets are committed together in Kafka
 * transactions; a {@code read_committed} reader sees every output once, and nothing of a transaction before it
 * commits or after it aborts.
 */
@KafkaTest
class ExactlyOnceTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static SemanticCacheProcessorConfig.Builder exactlyOnce(Harness h) {
        return h.config().exactlyOnce(true).clientId("eos-" + h.tag);
    }

    private static void sendPrompts(Harness h, int from, int to) {
        for (int i = from; i < to; i++) {
            h.send(h.prompts, "key-" + i, PromptEvent.of("id-" + i, Harness.uniquePrompt(i)));
        }
        h.flush();
    }

    private static double sum(Harness h, String name) {
        return h.meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    @Test
    void hitsMissesRepliesAndDeadLettersAreCommittedOnceWithTheirOffsets(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 1)) {
            h.readCommitted = true;
            h.startLlmWorker();
            ProcessorHandle p = h.start(exactlyOnce(h).build(), h.cache());
            sendPrompts(h, 0, 5);
            h.send(h.prompts, "key-bad", "not json".getBytes(StandardCharsets.UTF_8), Map.of());
            h.flush();
            h.readUntil(h.responses, l -> l.size() >= 5, WAIT);
            // The same question again: answered from the cache, from the entry the LLM reply created.
            h.send(h.prompts, "key-hit", PromptEvent.of("id-hit", Harness.uniquePrompt(0)));
            h.flush();
            List<ConsumerRecord<byte[], byte[]>> responses = h.readUntil(h.responses, l -> l.size() >= 6, WAIT);
            Harness.sleep(300); // a duplicate would arrive now
            responses = h.readUntil(h.responses, l -> false, Duration.ofMillis(500));
            Map<String, Integer> answered = Harness.idCounts(responses);
            assertThat(answered).as("read_committed: every prompt answered once").hasSize(6)
                    .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
            Map<String, String> sources = responses.stream().collect(Collectors.toMap(
                    r -> Harness.decode(r, ResponseEvent.class).id(), r -> Harness.header(r, Headers.SOURCE)));
            assertThat(sources.get("id-hit")).isEqualTo("cache");
            sources.forEach((id, s) -> assertThat(s).as(id).isEqualTo(id.equals("id-hit") ? "cache" : "llm"));
            assertThat(Harness.idCounts(h.readUntil(h.llmRequests, l -> false, Duration.ofMillis(500))))
                    .hasSize(5).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
            List<ConsumerRecord<byte[], byte[]>> dead = h.readUntil(h.deadLetters, l -> false, Duration.ofMillis(500));
            assertThat(dead).hasSize(1);
            assertThat(Harness.header(dead.get(0), Headers.DLQ_REASON)).isEqualTo("UNDECODABLE");

            p.stop().block(WAIT);
            assertThat(h.committedPrompts()).as("offsets committed with the outputs").isEqualTo(7);
            try (KafkaConsumer<byte[], byte[]> c = h.rawConsumer(null, true)) {
                TopicPartition tp = new TopicPartition(h.responses, 0);
                assertThat(c.endOffsets(Set.of(tp)).get(tp)).as("commit markers take offsets: the responses were "
                        + "written in transactions").isGreaterThan(responses.size());
            }
            assertThat(sum(h, KafkaMetricNames.TRANSACTIONS_COMMITTED)).isPositive();
            assertThat(sum(h, KafkaMetricNames.TRANSACTIONS_ABORTED)).isZero();
        }
    }

    @Test
    void outputsAreInvisibleToReadCommittedReadersUntilTheirTransactionCommits(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 1)) {
            // No commit before the stop: the outputs stay in one open transaction.
            ProcessorHandle p = h.start(exactlyOnce(h).transactionCommitInterval(Duration.ofHours(1)).build(), h.cache());
            AtomicInteger misses = new AtomicInteger();
            p.outcomes().filter(o -> o.kind() == ProcessingOutcome.Kind.MISS).subscribe(o -> misses.incrementAndGet());
            sendPrompts(h, 0, 5);
            assertThat(Harness.await(() -> misses.get() == 5, WAIT)).as("5 LLM requests acknowledged").isTrue();

            assertThat(h.readUntil(h.llmRequests, l -> l.size() >= 5, WAIT, false)).as("read_uncommitted").hasSize(5);
            assertThat(h.readUntil(h.llmRequests, l -> false, Duration.ofSeconds(1), true)).as("read_committed").isEmpty();
            assertThat(h.committedPrompts()).as("no offset committed before the transaction").isZero();

            p.stop().block(WAIT); // a graceful stop commits the transaction
            assertThat(Harness.idCounts(h.readUntil(h.llmRequests, l -> l.size() >= 5, WAIT, true)))
                    .hasSize(5).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
            assertThat(h.committedPrompts()).isEqualTo(5);
        }
    }

    /**
     * A send Kafka refuses puts the transaction in error: it is aborted (with every output written in it), the
     * processor reads again from the committed offsets, and the refused output becomes a dead letter this time.
     */
    @Test
    void aRefusedOutputAbortsItsTransactionAndIsDeadLetteredOnTheNextAttempt(KafkaBroker broker) throws Exception {
        try (Harness h = new Harness(broker, 1)) {
            broker.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, h.llmRequests),
                    List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "4096"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
            h.readCommitted = true;
            ProcessorHandle p = h.start(exactlyOnce(h).chunkSize(20).build(), h.cache());
            sendPrompts(h, 0, 5);
            h.send(h.prompts, "key-big", PromptEvent.of("id-big", "a long question " + "word ".repeat(1500)));
            sendPrompts(h, 5, 19);
            List<ConsumerRecord<byte[], byte[]>> dead = h.readAtLeast(h.deadLetters, 1, WAIT);
            assertThat(dead).hasSize(1);
            assertThat(Harness.header(dead.get(0), Headers.DLQ_REASON)).isEqualTo("OUTPUT_REJECTED");
            assertThat(Harness.header(dead.get(0), Headers.DLQ_ERROR)).contains("MESSAGE_TOO_LARGE");
            h.readUntil(h.llmRequests, l -> l.size() >= 19, WAIT);
            Harness.sleep(500);
            List<ConsumerRecord<byte[], byte[]>> committed = h.readUntil(h.llmRequests, l -> false, Duration.ofMillis(500), true);
            List<ConsumerRecord<byte[], byte[]>> all = h.readUntil(h.llmRequests, l -> false, Duration.ofMillis(500), false);
            Map<String, Integer> counts = Harness.idCounts(committed);
            System.out.println("EOS refused output: committed=" + committed.size() + " written=" + all.size()
                    + " aborts=" + sum(h, KafkaMetricNames.TRANSACTIONS_ABORTED));
            assertThat(counts).hasSize(19).doesNotContainKey("id-big");
            assertThat(counts.values()).as("read_committed: each LLM request once").allMatch(c -> c == 1);
            assertThat(all.size()).as("the aborted attempt's requests were written, and are skipped by "
                    + "read_committed readers").isGreaterThan(committed.size());
            assertThat(sum(h, KafkaMetricNames.TRANSACTIONS_ABORTED)).as("aborted (twice when a send meets the error first)").isBetween(1.0, 2.0);
            p.stop().block(WAIT);
            assertThat(h.committedPrompts()).isEqualTo(20);
        }
    }
}
