package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.kafka.Harness.Answer;
import com.betterdb.semanticcache.kafka.events.PromptEvent;
import com.betterdb.semanticcache.kafka.events.ResponseEvent;
import com.betterdb.semanticcache.kafka.testing.KafkaBroker;
import com.betterdb.semanticcache.kafka.testing.KafkaTest;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Issue 12, Kafka part: a miss close to a prompt whose LLM request is in flight is parked and answered from that
 * request's reply instead of asking the LLM again; parked prompts commit only once answered; a reply that never
 * comes (or a crash, a stop) sends them down the normal miss path. The test embedder gives two prompts with the
 * same words (any order, case or punctuation) distance 0; the cache's threshold is 0.1.
 */
@KafkaTest
class CoalescingTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String LEADER = "What is the capital of France?";
    private static final List<String> PARAPHRASES = List.of("what is the capital of france",
            "France: what is the capital of?", "the capital of France is what", "WHAT IS THE CAPITAL OF FRANCE",
            "capital of France, what is the?");
    private static final String OTHER = "What is the capital of Spain?";

    private static double distance(String a, String b) {
        float[] x = TestEmbedder.embed(a, Harness.DIM);
        float[] y = TestEmbedder.embed(b, Harness.DIM);
        double dot = 0;
        for (int i = 0; i < x.length; i++) {
            dot += x[i] * y[i];
        }
        return 1 - dot;
    }

    private static void send(Harness h, int partition, String id, PromptEvent e) {
        h.producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(h.prompts, partition,
                ("key-" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                com.betterdb.semanticcache.kafka.events.Events.encode(e)));
        h.flush();
    }

    /** Responses by id, read until every id in {@code ids} has one (then whatever else is there). */
    private static Map<String, List<ConsumerRecord<byte[], byte[]>>> responses(Harness h, Set<String> ids) {
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = new LinkedHashMap<>();
        h.readUntil(h.responses, l -> {
            byId.clear();
            l.forEach(r -> byId.computeIfAbsent(Harness.decode(r, ResponseEvent.class).id(), k -> new ArrayList<>()).add(r));
            return byId.keySet().containsAll(ids);
        }, WAIT);
        return byId;
    }

    private static double count(Harness h, String name) {
        return h.meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static Map<Integer, Long> committed(Harness h) {
        try (KafkaConsumer<byte[], byte[]> c = h.rawConsumer(h.group)) {
            Set<TopicPartition> tps = new java.util.HashSet<>();
            for (int i = 0; i < h.partitions; i++) {
                tps.add(new TopicPartition(h.prompts, i));
            }
            Map<Integer, Long> out = new HashMap<>();
            c.committed(tps, Duration.ofSeconds(10)).forEach((tp, o) -> out.put(tp.partition(), o == null ? 0 : o.offset()));
            return out;
        }
    }

    private static long kindCount(List<ProcessingOutcome> outcomes, ProcessingOutcome.Kind kind) {
        return outcomes.stream().filter(o -> o.kind() == kind).count();
    }

    @Test
    void closeMissesOnAnyPartitionWaitForTheRequestInFlightAndCommitOnlyOnceAnswered(KafkaBroker broker) {
        PARAPHRASES.forEach(p -> assertThat(distance(LEADER, p)).as(p).isLessThan(0.1));
        assertThat(distance(LEADER, OTHER)).isGreaterThan(0.1);
        try (Harness h = new Harness(broker, 2)) {
            ProcessorHandle p = h.start(h.config().build(), h.cache());
            List<ProcessingOutcome> outcomes = new CopyOnWriteArrayList<>();
            p.outcomes().subscribe(outcomes::add);
            CompletableFuture<Void> leaderReply = new CompletableFuture<>();
            h.startLlmWorker((req, attempt) -> req.id().equals("leader") ? Answer.when(leaderReply) : Answer.NOW);

            send(h, 0, "leader", PromptEvent.of("leader", LEADER));
            Harness.await(() -> h.llmRequestsSeen.containsKey("leader"), WAIT);
            for (int i = 0; i < PARAPHRASES.size(); i++) {
                send(h, i % 2, "f" + i, PromptEvent.of("f" + i, PARAPHRASES.get(i)));
            }
            send(h, 1, "other", PromptEvent.of("other", OTHER));
            assertThat(Harness.await(() -> kindCount(outcomes, ProcessingOutcome.Kind.PARKED) == PARAPHRASES.size(),
                    WAIT)).as("every paraphrase parked: %s", outcomes).isTrue();
            responses(h, Set.of("other"));

            // Parked prompts are not committed: partition 0 stops at f0 (offset 1), partition 1 at f1 (offset 0),
            // although "other" after f1 and f3 on partition 1 is answered.
            Map<Integer, Long> parkedCommits = committed(h);
            assertThat(parkedCommits.get(0)).isLessThanOrEqualTo(1);
            assertThat(parkedCommits.get(1)).isZero();
            assertThat(h.llmRequestsSeen.keySet()).containsExactlyInAnyOrder("leader", "other");
            assertThat(h.meters.get(KafkaMetricNames.PARKED).gauge().value()).isEqualTo(PARAPHRASES.size());
            assertThat(p.inFlight()).as("parked prompts wait outside the partitions' in-flight budget").isZero();

            leaderReply.complete(null);
            Set<String> ids = new java.util.HashSet<>(Set.of("leader", "other"));
            for (int i = 0; i < PARAPHRASES.size(); i++) {
                ids.add("f" + i);
            }
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = responses(h, ids);
            Harness.await(() -> h.committedPrompts() == 7, WAIT);

            assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            byId.forEach((id, rs) -> assertThat(rs).as("responses of %s", id).hasSize(1));
            for (int i = 0; i < PARAPHRASES.size(); i++) {
                ConsumerRecord<byte[], byte[]> r = byId.get("f" + i).get(0);
                ResponseEvent e = Harness.decode(r, ResponseEvent.class);
                assertThat(e.source()).isEqualTo(ResponseEvent.SOURCE_LLM);
                assertThat(e.coalesced()).isTrue();
                assertThat(e.response()).isEqualTo("answer to: " + LEADER);
                assertThat(e.similarity()).isCloseTo(distance(LEADER, PARAPHRASES.get(i)), within(1e-6));
                assertThat(e.matchedKey()).isEqualTo(Harness.decode(byId.get("leader").get(0), ResponseEvent.class)
                        .matchedKey());
                assertThat(Harness.str(r.key())).isEqualTo("key-f" + i);
                assertThat(Harness.header(r, Headers.CORRELATION_ID)).isEqualTo("f" + i);
                assertThat(Harness.header(r, Headers.SOURCE)).isEqualTo(ResponseEvent.SOURCE_LLM);
            }
            assertThat(Harness.decode(byId.get("leader").get(0), ResponseEvent.class).coalesced()).isNull();
            assertThat(h.llmRequestsSeen.keySet()).as("one LLM request for the six paraphrases")
                    .containsExactlyInAnyOrder("leader", "other");
            assertThat(h.committedPrompts()).isEqualTo(7);
            assertThat(count(h, KafkaMetricNames.PARKED_TOTAL)).isEqualTo(PARAPHRASES.size());
            assertThat(count(h, KafkaMetricNames.JOINED)).isEqualTo(PARAPHRASES.size());
            assertThat(h.meters.get(KafkaMetricNames.PARKED).gauge().value()).isZero();
            assertThat(kindCount(outcomes, ProcessingOutcome.Kind.JOINED)).isEqualTo(PARAPHRASES.size());
            assertThat(p.inFlight()).isZero();
            p.stop().block(WAIT);
        }
    }

    @Test
    void missesOfAnotherCategoryDoNotJoin(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 1)) {
            h.start(h.config().build(), h.cache());
            CompletableFuture<Void> replies = new CompletableFuture<>();
            h.startLlmWorker((req, attempt) -> Answer.when(replies));
            send(h, 0, "geo", PromptEvent.of("geo", LEADER).withCategory("geography"));
            Harness.await(() -> h.llmRequestsSeen.containsKey("geo"), WAIT);
            send(h, 0, "trivia", PromptEvent.of("trivia", PARAPHRASES.get(0)).withCategory("trivia"));
            send(h, 0, "none", PromptEvent.of("none", PARAPHRASES.get(1)));
            send(h, 0, "geo2", PromptEvent.of("geo2", PARAPHRASES.get(2)).withCategory("geography"));
            Harness.await(() -> h.llmRequestsSeen.size() >= 3 && count(h, KafkaMetricNames.PARKED_TOTAL) >= 1, WAIT);
            replies.complete(null);
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = responses(h, Set.of("geo", "trivia", "none", "geo2"));

            assertThat(h.llmRequestsSeen.keySet()).containsExactlyInAnyOrder("geo", "trivia", "none");
            assertThat(Harness.decode(byId.get("geo2").get(0), ResponseEvent.class).coalesced()).isTrue();
            for (String id : List.of("geo", "trivia", "none")) {
                assertThat(Harness.decode(byId.get(id).get(0), ResponseEvent.class).coalesced()).as(id).isNull();
            }
            assertThat(count(h, KafkaMetricNames.PARKED_TOTAL)).isEqualTo(1);
        }
    }

    /**
     * The leader's request gets no reply within {@code llmTimeout}: its parked prompts go down the normal miss path
     * (each its own LLM request); the leader is asked again. Every prompt gets exactly one answer.
     */
    @Test
    void parkedPromptsOfARequestThatTimesOutAskTheLlmThemselves(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 2)) {
            ProcessorHandle p = h.start(h.config().llmTimeout(Duration.ofMillis(1500)).llmMaxAttempts(2).build(), h.cache());
            List<ProcessingOutcome> outcomes = new CopyOnWriteArrayList<>();
            p.outcomes().subscribe(outcomes::add);
            h.startLlmWorker((req, attempt) -> req.id().equals("leader") && attempt == 1 ? Answer.DROP : Answer.NOW);
            send(h, 0, "leader", PromptEvent.of("leader", LEADER));
            Harness.await(() -> h.llmRequestsSeen.containsKey("leader"), WAIT);
            Set<String> ids = new java.util.HashSet<>(Set.of("leader"));
            for (int i = 0; i < 3; i++) {
                ids.add("f" + i);
                send(h, i % 2, "f" + i, PromptEvent.of("f" + i, PARAPHRASES.get(i)));
            }
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = responses(h, ids);
            Harness.sleep(500);
            byId = responses(h, ids);

            byId.forEach((id, rs) -> assertThat(rs).as("responses of %s", id).hasSize(1));
            for (int i = 0; i < 3; i++) {
                ResponseEvent e = Harness.decode(byId.get("f" + i).get(0), ResponseEvent.class);
                assertThat(e.source()).isEqualTo(ResponseEvent.SOURCE_LLM);
                assertThat(e.coalesced()).as("answered by its own request").isNull();
                assertThat(h.llmRequestsSeen.get("f" + i).get()).isEqualTo(1);
            }
            assertThat(h.llmRequestsSeen.get("leader").get()).as("asked again after the timeout").isEqualTo(2);
            assertThat(kindCount(outcomes, ProcessingOutcome.Kind.PARKED)).isEqualTo(3);
            assertThat(h.meters.get(KafkaMetricNames.PARK_RELEASED).tag(KafkaMetricNames.TAG_REASON, "timeout")
                    .counter().count()).isEqualTo(3);
            assertThat(count(h, KafkaMetricNames.JOINED)).isZero();
            assertThat(h.committedPrompts()).isEqualTo(4);
        }
    }

    /**
     * A processor crashes while prompts are parked: they were not committed, so the next instance reads them again
     * and answers them (one of them leads now); none is lost and none answered twice.
     */
    @Test
    void parkedPromptsSurviveACrash(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 2)) {
            SemanticCacheProcessorConfig cfg = h.config().build();
            ProcessorHandle first = h.start(cfg, h.cache());
            List<ProcessingOutcome> outcomes = new CopyOnWriteArrayList<>();
            first.outcomes().subscribe(outcomes::add);
            CompletableFuture<Void> leaderReply = new CompletableFuture<>();
            h.startLlmWorker((req, attempt) -> req.id().equals("leader") ? Answer.when(leaderReply) : Answer.NOW);
            send(h, 0, "leader", PromptEvent.of("leader", LEADER));
            Harness.await(() -> h.llmRequestsSeen.containsKey("leader"), WAIT);
            Set<String> ids = new java.util.HashSet<>(Set.of("leader"));
            for (int i = 0; i < PARAPHRASES.size(); i++) {
                ids.add("f" + i);
                send(h, i % 2, "f" + i, PromptEvent.of("f" + i, PARAPHRASES.get(i)));
            }
            Harness.await(() -> kindCount(outcomes, ProcessingOutcome.Kind.PARKED) == PARAPHRASES.size(), WAIT);

            first.crash().block(WAIT);
            assertThat(committed(h).get(1)).as("nothing parked was committed").isZero();
            ProcessorHandle second = h.start(cfg, h.cache());
            Harness.await(() -> h.llmRequestsSeen.size() >= 2, WAIT);
            leaderReply.complete(null);
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = responses(h, ids);
            Harness.await(() -> h.committedPrompts() == ids.size(), WAIT);
            byId = responses(h, ids);

            assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            byId.forEach((id, rs) -> assertThat(rs).as("responses of %s", id).hasSize(1));
            assertThat(h.llmRequestsSeen.keySet()).as("the leader, and one paraphrase leading after the restart")
                    .hasSize(2);
            assertThat(h.committedPrompts()).isEqualTo(ids.size());
            second.stop().block(WAIT);
        }
    }

    /** A graceful stop does not wait for a reply that may be slow: parked prompts ask the LLM themselves. */
    @Test
    void stopSendsParkedPromptsToTheLlmAndCommitsThem(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 1)) {
            ProcessorHandle p = h.start(h.config().build(), h.cache());
            List<ProcessingOutcome> outcomes = new CopyOnWriteArrayList<>();
            p.outcomes().subscribe(outcomes::add);
            CompletableFuture<Void> never = new CompletableFuture<>();
            h.startLlmWorker((req, attempt) -> Answer.when(never));
            send(h, 0, "leader", PromptEvent.of("leader", LEADER));
            Harness.await(() -> h.llmRequestsSeen.containsKey("leader"), WAIT);
            send(h, 0, "f0", PromptEvent.of("f0", PARAPHRASES.get(0)));
            send(h, 0, "f1", PromptEvent.of("f1", PARAPHRASES.get(1)));
            Harness.await(() -> kindCount(outcomes, ProcessingOutcome.Kind.PARKED) == 2, WAIT);

            p.stop().block(WAIT);

            assertThat(h.committedPrompts()).isEqualTo(3);
            Harness.await(() -> h.llmRequestsSeen.size() == 3, WAIT);
            assertThat(h.llmRequestsSeen.keySet()).containsExactlyInAnyOrder("leader", "f0", "f1");
            assertThat(h.meters.get(KafkaMetricNames.PARK_RELEASED).tag(KafkaMetricNames.TAG_REASON, "stopping")
                    .counter().count()).isEqualTo(2);
        }
    }
}
