package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.events.LlmRequestEvent;
import com.betterdb.semanticcache.kafka.events.PromptEvent;
import com.betterdb.semanticcache.kafka.events.ResponseEvent;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import com.betterdb.semanticcache.kafka.testing.KafkaBroker;
import com.betterdb.semanticcache.kafka.testing.KafkaTest;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Crashes, cache outages, rebalances and backpressure: every prompt is answered, none lost. */
@KafkaTest
class FailureRecoveryTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Ids answered: a response or an LLM request for each. */
    private static Set<String> answeredIds(Harness h, int expected) {
        Set<String> ids = new HashSet<>();
        h.readUntil(h.llmRequests, l -> {
            ids.clear();
            l.forEach(r -> ids.add(Harness.decode(r, LlmRequestEvent.class).id()));
            return ids.size() >= expected;
        }, WAIT);
        return ids;
    }

    private static void sendPrompts(Harness h, int from, int to) {
        for (int i = from; i < to; i++) {
            // Distinct words per prompt: every one is a miss, so every one must reach llm-requests.
            h.send(h.prompts, "key-" + i, PromptEvent.of("id-" + i, Harness.uniquePrompt(i)));
        }
        h.flush();
    }

    private static Set<String> ids(int from, int to) {
        Set<String> s = new HashSet<>();
        for (int i = from; i < to; i++) {
            s.add("id-" + i);
        }
        return s;
    }

    private static EmbedFn slow(long ms) {
        return text -> Mono.delay(Duration.ofMillis(ms)).map(t -> TestEmbedder.embed(text, Harness.DIM));
    }

    @Test
    void crashMidBatchThenRestartLosesNothing(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 3)) {
            SemanticCache cache = h.cache(slow(2));
            SemanticCacheProcessorConfig cfg = h.config().chunkSize(8).maxPollRecords(20).maxInFlight(60).build();
            ProcessorHandle first = h.start(cfg, cache);
            AtomicInteger done = new AtomicInteger();
            first.outcomes().subscribe(o -> done.incrementAndGet());
            sendPrompts(h, 0, 300);

            long deadline = System.nanoTime() + WAIT.toNanos();
            while (done.get() < 60 && System.nanoTime() < deadline) {
                Harness.sleep(5);
            }
            assertThat(done.get()).as("the first instance processed some records").isGreaterThanOrEqualTo(60);
            first.crash().block(WAIT);
            int finishedBeforeCrash = done.get();
            assertThat(finishedBeforeCrash).as("crashed mid-stream").isLessThan(300);

            ProcessorHandle second = h.start(cfg, cache);
            Set<String> answered = answeredIds(h, 300);
            assertThat(answered).containsExactlyInAnyOrderElementsOf(ids(0, 300));
            second.stop().block(WAIT);
            assertThat(h.committedPrompts()).isEqualTo(300);
            assertThat(h.readUntil(h.deadLetters, l -> false, Duration.ofMillis(300))).isEmpty();
        }
    }

    @Test
    void cacheOutageIsRetriedWithBackoffWithoutLoss(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 2)) {
            AtomicInteger embedFailures = new AtomicInteger(0);
            EmbedFn flaky = text -> embedFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                    ? Mono.error(new IllegalStateException("embedding provider unavailable"))
                    : Mono.just(TestEmbedder.embed(text, Harness.DIM));
            SemanticCache cache = h.cache(flaky);
            ProcessorHandle p = h.start(h.config().build(), cache);
            List<ProcessingOutcome> outcomes = new CopyOnWriteArrayList<>();
            p.outcomes().subscribe(outcomes::add);
            sendPrompts(h, 0, 20);
            assertThat(answeredIds(h, 20)).hasSize(20);

            // The store is down for 40 calls, then the embedder for 30 calls.
            h.store[0].failNext(40);
            sendPrompts(h, 20, 60);
            embedFailures.set(30);
            sendPrompts(h, 60, 100);
            assertThat(answeredIds(h, 100)).containsExactlyInAnyOrderElementsOf(ids(0, 100));
            assertThat(outcomes).anyMatch(o -> o.kind() == ProcessingOutcome.Kind.RETRY);
            assertThat(h.meters.get(KafkaMetricNames.RETRIES).tag(KafkaMetricNames.TAG_TOPIC, h.prompts)
                    .counter().count()).isGreaterThan(0);
            p.stop().block(WAIT);
            assertThat(h.committedPrompts()).isEqualTo(100);
            assertThat(h.readUntil(h.deadLetters, l -> false, Duration.ofMillis(300))).isEmpty();
        }
    }

    @Test
    void twoInstancesInOneGroupShareTheWorkAcrossRebalances(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 4)) {
            SemanticCache cache = h.cache(slow(1));
            SemanticCacheProcessorConfig cfg = h.config().chunkSize(8).build();
            ProcessorHandle a = h.start(cfg, cache);
            AtomicInteger byA = new AtomicInteger();
            AtomicInteger byB = new AtomicInteger();
            a.outcomes().subscribe(o -> byA.incrementAndGet());
            sendPrompts(h, 0, 100);
            assertThat(answeredIds(h, 100)).hasSize(100);

            ProcessorHandle b = h.start(cfg, cache); // rebalance: a gives up partitions to b
            b.outcomes().subscribe(o -> byB.incrementAndGet());
            // Keep prompts coming until b has processed some (the rebalance takes a moment).
            long deadline = System.nanoTime() + WAIT.toNanos();
            int next = 100;
            while (byB.get() == 0 && System.nanoTime() < deadline) {
                sendPrompts(h, next, next + 10);
                next += 10;
                Harness.sleep(50);
            }
            assertThat(byB.get()).as("the second instance got partitions and processed records").isGreaterThan(0);
            a.stop().block(WAIT); // rebalance again: b takes everything
            int total = next + 100;
            sendPrompts(h, next, total);
            assertThat(answeredIds(h, total)).containsExactlyInAnyOrderElementsOf(ids(0, total));
            assertThat(byA.get()).isGreaterThanOrEqualTo(100);
            b.stop().block(WAIT);
            assertThat(h.committedPrompts()).isEqualTo(total);
        }
    }

    @Test
    void slowCacheKeepsInFlightWithinTheBound(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 3)) {
            SemanticCache cache = h.cache(slow(15));
            int bound = 40;
            ProcessorHandle p = h.start(h.config().maxInFlight(bound).maxPollRecords(10).chunkSize(5).build(), cache);
            AtomicInteger maxGauge = new AtomicInteger();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    double inFlight = h.meters.get(KafkaMetricNames.IN_FLIGHT)
                            .tag(KafkaMetricNames.TAG_TOPIC, h.prompts).gauge().value();
                    maxGauge.accumulateAndGet((int) inFlight, Math::max);
                    Harness.sleep(2);
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            sendPrompts(h, 0, 400);
            assertThat(answeredIds(h, 400)).hasSize(400);
            sampler.interrupt();
            assertThat(p.maxObservedInFlight()).isLessThanOrEqualTo(bound).isGreaterThan(0);
            assertThat(maxGauge.get()).isLessThanOrEqualTo(bound).isGreaterThan(bound / 4);
            p.stop().block(WAIT);
            assertThat(h.committedPrompts()).isEqualTo(400);
        }
    }

    @Test
    void perPartitionOutputOrderFollowsInputOrder(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 1)) {
            SemanticCache cache = h.cache(slow(1));
            cache.initialize().block();
            cache.store("shared cached question alpha", "cached answer", null).block();
            ProcessorHandle p = h.start(h.config().chunkSize(7).build(), cache);
            for (int i = 0; i < 120; i++) {
                h.send(h.prompts, "k", PromptEvent.of("o-" + i, "shared cached question alpha"));
            }
            h.flush();
            List<ConsumerRecord<byte[], byte[]>> out = h.readAtLeast(h.responses, 120, WAIT);
            assertThat(out).extracting(r -> Harness.decode(r, ResponseEvent.class).id())
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 120).mapToObj(i -> "o-" + i).toList());
            assertThat(Events.VERSION).isEqualTo(1);
            p.stop().block(WAIT);
        }
    }

    @Test
    void aRecordThatAlwaysFailsIsDeadLetteredAfterMaxAttemptsWhenConfigured(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 1)) {
            EmbedFn picky = text -> text.contains("unembeddable")
                    ? Mono.error(new IllegalStateException("model rejects this input"))
                    : Mono.just(TestEmbedder.embed(text, Harness.DIM));
            ProcessorHandle p = h.start(h.config().maxProcessingAttempts(3).build(), h.cache(picky));
            sendPrompts(h, 0, 5);
            h.send(h.prompts, "poison", PromptEvent.of("poison-id", "an unembeddable prompt"));
            h.flush();
            sendPrompts(h, 5, 10);
            assertThat(answeredIds(h, 10)).containsExactlyInAnyOrderElementsOf(ids(0, 10));
            List<ConsumerRecord<byte[], byte[]>> dead = h.readAtLeast(h.deadLetters, 1, WAIT);
            assertThat(dead).hasSize(1);
            assertThat(Harness.header(dead.get(0), Headers.DLQ_REASON)).isEqualTo("PROCESSING_FAILED");
            assertThat(Harness.header(dead.get(0), Headers.DLQ_SOURCE_OFFSET)).isEqualTo("5");
            p.stop().block(WAIT);
            assertThat(h.committedPrompts()).isEqualTo(11);
        }
    }
}
