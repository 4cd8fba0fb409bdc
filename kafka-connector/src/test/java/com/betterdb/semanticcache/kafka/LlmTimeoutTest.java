package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.kafka.Harness.Answer;
import com.betterdb.semanticcache.kafka.events.PromptEvent;
import com.betterdb.semanticcache.kafka.events.ResponseEvent;
import com.betterdb.semanticcache.kafka.testing.KafkaBroker;
import com.betterdb.semanticcache.kafka.testing.KafkaTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Finding 4: an LLM request that never gets a reply ends, after bounded re-requests, in exactly one response. */
@KafkaTest
class LlmTimeoutTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static void send(Harness h, String id) {
        h.send(h.prompts, "key-" + id, PromptEvent.of(id, "question " + id + " about subject s" + id.hashCode()));
    }

    /** Responses by id, read until every id in {@code ids} has one. */
    private static Map<String, List<ResponseEvent>> responses(Harness h, Set<String> ids, Duration timeout) {
        Map<String, List<ResponseEvent>> byId = new HashMap<>();
        h.readUntil(h.responses, l -> {
            byId.clear();
            l.forEach(r -> byId.computeIfAbsent(Harness.decode(r, ResponseEvent.class).id(),
                    k -> new CopyOnWriteArrayList<>()).add(Harness.decode(r, ResponseEvent.class)));
            return byId.keySet().containsAll(ids);
        }, timeout);
        return byId;
    }

    @Test
    void droppedRequestsEndInOneErrorResponseAndLateRepliesAreNotForwarded(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 2)) {
            SemanticCache cache = h.cache();
            ProcessorHandle p = h.start(h.config().llmTimeout(Duration.ofSeconds(1)).llmMaxAttempts(2).build(), cache);
            List<ProcessingOutcome> outcomes = new CopyOnWriteArrayList<>();
            p.outcomes().subscribe(outcomes::add);
            // drop-*: never answered; flaky-*: the first request is dropped; late-*: answered after every timeout.
            h.startLlmWorker((req, attempt) -> {
                if (req.id().startsWith("drop")) {
                    return Answer.DROP;
                }
                if (req.id().startsWith("flaky")) {
                    return attempt == 1 ? Answer.DROP : Answer.NOW;
                }
                if (req.id().startsWith("late")) {
                    return attempt == 1 ? Answer.after(6000) : Answer.DROP;
                }
                return Answer.NOW;
            });
            Set<String> ids = new HashSet<>();
            for (String kind : List.of("ok", "drop", "flaky", "late")) {
                for (int i = 0; i < 3; i++) {
                    ids.add(kind + "-" + i);
                    send(h, kind + "-" + i);
                }
            }
            h.flush();
            Map<String, List<ResponseEvent>> byId = responses(h, ids, WAIT);
            assertThat(byId.keySet()).containsAll(ids);
            // The late replies arrive ~6 s after the first request; wait for them to be processed.
            Harness.await(() -> outcomes.stream().filter(o -> o.kind() == ProcessingOutcome.Kind.DUPLICATE_REPLY)
                    .count() >= 3, WAIT);
            byId = responses(h, ids, Duration.ofMillis(500));

            for (String id : ids) {
                assertThat(byId.get(id)).as("responses of %s", id).hasSize(1);
                ResponseEvent r = byId.get(id).get(0);
                if (id.startsWith("drop") || id.startsWith("late")) {
                    assertThat(r.source()).as(id).isEqualTo(ResponseEvent.SOURCE_ERROR);
                    assertThat(r.error()).isEqualTo(ResponseEvent.ERROR_LLM_TIMEOUT);
                    assertThat(r.response()).isNull();
                } else {
                    assertThat(r.source()).as(id).isEqualTo(ResponseEvent.SOURCE_LLM);
                }
                int expectedRequests = id.startsWith("ok") ? 1 : 2;
                assertThat(h.llmRequestsSeen.get(id).get()).as("LLM requests for %s", id).isEqualTo(expectedRequests);
            }
            // Key and correlation of the error response are the prompt's.
            ConsumerRecord<byte[], byte[]> error = h.readUntil(h.responses, l -> false, Duration.ofMillis(300)).stream()
                    .filter(r -> Harness.decode(r, ResponseEvent.class).id().equals("drop-0")).findFirst().orElseThrow();
            assertThat(Harness.str(error.key())).isEqualTo("key-drop-0");
            assertThat(Harness.header(error, Headers.CORRELATION_ID)).isEqualTo("drop-0");
            assertThat(Harness.header(error, Headers.SOURCE)).isEqualTo("error");
            // A late answer is still worth keeping: it is stored.
            assertThat(h.store[0].entries().keySet()).anyMatch(k -> k.endsWith(
                    ChunkPipeline.entryId(cache.name(), "late-0").toString()));
            assertThat(h.meters.get(KafkaMetricNames.LLM_TIMEOUTS).counter().count()).isEqualTo(6);
            assertThat(h.meters.get(KafkaMetricNames.LLM_REREQUESTS).counter().count()).isEqualTo(9);
            assertThat(h.meters.get(KafkaMetricNames.DUPLICATE_REPLIES).counter().count()).isEqualTo(3);
            assertThat(outcomes).filteredOn(o -> o.kind() == ProcessingOutcome.Kind.LLM_TIMEOUT).hasSize(6);
            p.stop().block(WAIT);
        }
    }

    @Test
    void pendingRequestsSurviveACrashAndAnsweredOnesAreNotTimedOutAgain(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 2)) {
            SemanticCacheProcessorConfig cfg = h.config().llmTimeout(Duration.ofSeconds(2)).llmMaxAttempts(1).build();
            ProcessorHandle first = h.start(cfg, h.cache());
            h.startLlmWorker((req, attempt) -> req.id().startsWith("drop") ? Answer.DROP : Answer.NOW);
            Set<String> answered = new HashSet<>();
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                answered.add("ok-" + i);
                send(h, "ok-" + i);
            }
            for (int i = 0; i < 4; i++) {
                ids.add("drop-" + i);
                send(h, "drop-" + i);
            }
            h.flush();
            ids.addAll(answered);
            responses(h, answered, WAIT);
            // Crash while the dropped requests still wait for their timeout: their timers are only in Kafka now.
            first.crash().block(WAIT);
            ProcessorHandle second = h.start(cfg, h.cache());
            Map<String, List<ResponseEvent>> byId = responses(h, ids, WAIT);
            Harness.sleep(2500); // a wrongly re-armed timer of an answered request would fire now
            byId = responses(h, ids, Duration.ofMillis(500));
            for (String id : ids) {
                assertThat(byId.get(id)).as("responses of %s", id).hasSize(1);
                assertThat(byId.get(id).get(0).source()).as(id)
                        .isEqualTo(id.startsWith("drop") ? ResponseEvent.SOURCE_ERROR : ResponseEvent.SOURCE_LLM);
            }
            second.stop().block(WAIT);
        }
    }

    @Test
    void timeoutsNeedRequestAndReplyTopicsWithTheSamePartitionCount(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 1)) {
            String replies = broker.uniqueTopic("replies3");
            broker.createTopics(3, replies);
            ProcessorHandle p = SemanticCacheProcessor.create(h.config().llmRepliesTopic(replies).build(), h.cache(),
                    h.meters).start();
            assertThatThrownBy(() -> p.terminated().block(WAIT))
                    .hasMessageContaining("partitions")
                    .hasMessageContaining("llmTimeout");
            // Without timeouts the same topics are fine.
            ProcessorHandle q = h.start(h.config().llmRepliesTopic(replies).llmTimeout(Duration.ZERO).build(), h.cache());
            send(h, "ok-1");
            h.flush();
            assertThat(h.readAtLeast(h.llmRequests, 1, WAIT)).hasSize(1);
            assertThat(q.isRunning()).isTrue();
            q.stop().block(WAIT);
        }
    }
}
