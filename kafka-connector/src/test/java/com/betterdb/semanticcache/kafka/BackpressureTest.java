package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.events.PromptEvent;
import com.betterdb.semanticcache.kafka.events.ResponseEvent;
import com.betterdb.semanticcache.kafka.testing.KafkaBroker;
import com.betterdb.semanticcache.kafka.testing.KafkaTest;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Finding 1 (the shared bound) and 6 (where pausing starts): in-flight records are accounted per partition. */
@KafkaTest
class BackpressureTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static byte[] prompt(String id) {
        return Events.encode(PromptEvent.of(id, "unique question " + id + " about topic t" + id.hashCode()));
    }

    private static void awaitInFlight(ProcessorHandle p, int atLeast) {
        Harness.await(() -> p.inFlight() >= atLeast, WAIT);
        assertThat(p.inFlight()).as("records in flight").isGreaterThanOrEqualTo(atLeast);
    }

    /**
     * A record that always fails keeps its partition stuck. Its partition may fill only its own share of the budget:
     * the other prompt partitions and the replies keep flowing, and nothing is lost once it recovers.
     */
    @Test
    void oneStuckPartitionPausesOnlyItselfAndNeverTheReplies(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 3)) {
            AtomicBoolean stuck = new AtomicBoolean(true);
            EmbedFn embed = text -> text.contains("stuck") && stuck.get()
                    ? Mono.error(new IllegalStateException("model rejects this input"))
                    : Mono.just(TestEmbedder.embed(text, Harness.DIM));
            ProcessorHandle p = h.start(h.config().maxInFlight(40).maxPollRecords(10).chunkSize(5).build(),
                    h.cache(embed));
            h.send(h.prompts, 0, "k-stuck", Events.encode(PromptEvent.of("stuck", "a stuck prompt")));
            for (int i = 0; i < 60; i++) {
                h.send(h.prompts, 0, "k0-" + i, prompt("p0-" + i));
            }
            h.flush();
            awaitInFlight(p, 10); // partition 0 holds its share now

            Set<String> others = new HashSet<>();
            for (int i = 0; i < 30; i++) {
                for (int partition = 1; partition <= 2; partition++) {
                    String id = "p" + partition + "-" + i;
                    others.add(id);
                    h.send(h.prompts, partition, "k" + id, prompt(id));
                }
            }
            h.flush();
            h.startLlmWorker();
            // Every prompt of partitions 1 and 2 is answered through the LLM: prompts and replies both flowed.
            Set<String> answered = new HashSet<>();
            h.readUntil(h.responses, l -> {
                answered.clear();
                l.forEach(r -> answered.add(Harness.decode(r, ResponseEvent.class).id()));
                return answered.containsAll(others);
            }, WAIT);
            assertThat(answered).containsAll(others);
            assertThat(p.inFlight()).as("partition 0 stays within its share").isLessThanOrEqualTo(10);
            assertThat(p.maxObservedInFlight()).isLessThanOrEqualTo(40);

            stuck.set(false);
            Map<String, Integer> counts = Harness.idCounts(h.readUntil(h.responses, l -> l.size() >= 121, WAIT));
            assertThat(counts).hasSize(121);
            assertThat(counts.values()).allMatch(c -> c == 1);
            p.stop().block(WAIT);
            assertThat(h.committedPrompts()).isEqualTo(121);
        }
    }

    /** Polling goes on until exactly maxInFlight records are in flight, not maxInFlight - maxPollRecords. */
    @Test
    void pausingStartsAtMaxInFlight(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 1)) {
            CompletableFuture<Void> gate = new CompletableFuture<>();
            // Only the prompts wait at the gate (the cache's start-up probe must not).
            EmbedFn embed = text -> (text.contains("unique question") ? Mono.fromFuture(gate) : Mono.<Void>empty())
                    .then(Mono.fromCallable(() -> TestEmbedder.embed(text, Harness.DIM)));
            ProcessorHandle p = h.start(h.config().maxInFlight(40).maxPollRecords(40).maxInFlightPerPartition(40)
                    .chunkSize(5).build(), h.cache(embed));
            h.send(h.prompts, 0, "k-0", prompt("id-0"));
            h.flush();
            awaitInFlight(p, 1);
            for (int i = 1; i < 60; i++) {
                h.send(h.prompts, 0, "k-" + i, prompt("id-" + i));
            }
            h.flush();
            awaitInFlight(p, 40);
            Harness.sleep(300); // polling would go on here if the bound did not hold
            assertThat(p.maxObservedInFlight()).isEqualTo(40);
            assertThat(p.inFlight()).isEqualTo(40);

            gate.complete(null);
            Map<String, Integer> counts = Harness.idCounts(h.readUntil(h.llmRequests, l -> l.size() >= 60, WAIT));
            assertThat(counts).hasSize(60);
            assertThat(counts.values()).as("records taken after a partial accept are processed once").allMatch(c -> c == 1);
            p.stop().block(WAIT);
            assertThat(h.committedPrompts()).isEqualTo(60);
        }
    }

    /** Counts the records each consumer group's polls return, per topic (set as a consumer interceptor). */
    public static final class PolledCounter implements org.apache.kafka.clients.consumer.ConsumerInterceptor<byte[], byte[]> {
        static final Map<String, java.util.concurrent.atomic.AtomicInteger> BY_GROUP =
                new java.util.concurrent.ConcurrentHashMap<>();
        private String group;

        @Override
        public org.apache.kafka.clients.consumer.ConsumerRecords<byte[], byte[]> onConsume(
                org.apache.kafka.clients.consumer.ConsumerRecords<byte[], byte[]> records) {
            for (org.apache.kafka.common.TopicPartition tp : records.partitions()) {
                BY_GROUP.computeIfAbsent(group + "/" + tp.topic(), g -> new java.util.concurrent.atomic.AtomicInteger())
                        .addAndGet(records.records(tp).size());
            }
            return records;
        }

        @Override
        public void onCommit(Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets) {
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(Map<String, ?> configs) {
            group = String.valueOf(configs.get("group.id"));
        }
    }

    /**
     * A poll that returns more records than a partition has room for: the rest waits (the partition paused) instead
     * of being dropped and fetched again, so every record comes from the broker once.
     */
    @Test
    void recordsBeyondAPartitionsRoomAreFetchedOnce(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 1)) {
            EmbedFn slow = text -> Mono.delay(Duration.ofMillis(2)).map(t -> TestEmbedder.embed(text, Harness.DIM));
            for (int i = 0; i < 300; i++) {
                h.send(h.prompts, 0, "k-" + i, Events.encode(PromptEvent.of("id-" + i, Harness.uniquePrompt(i))));
            }
            h.flush();
            ProcessorHandle p = h.start(h.config().maxInFlight(10).maxPollRecords(10).maxInFlightPerPartition(4)
                    .chunkSize(2).consumerProperty("interceptor.classes", PolledCounter.class.getName()).build(),
                    h.cache(slow));
            Map<String, Integer> counts = Harness.idCounts(h.readUntil(h.llmRequests, l -> l.size() >= 300, WAIT));
            assertThat(counts).hasSize(300);
            p.stop().block(WAIT);
            assertThat(PolledCounter.BY_GROUP.get(h.group + "/" + h.prompts).get()).as("prompts the processor's polls returned")
                    .isEqualTo(300);
            assertThat(p.maxObservedInFlight()).isLessThanOrEqualTo(4);
        }
    }
}
