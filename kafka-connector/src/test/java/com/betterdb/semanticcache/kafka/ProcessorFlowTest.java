package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.events.LlmReplyEvent;
import com.betterdb.semanticcache.kafka.events.LlmRequestEvent;
import com.betterdb.semanticcache.kafka.events.PromptEvent;
import com.betterdb.semanticcache.kafka.events.ResponseEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import com.betterdb.semanticcache.kafka.testing.KafkaBroker;
import com.betterdb.semanticcache.kafka.testing.KafkaTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

@KafkaTest
class ProcessorFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void hitsGoToResponsesAndMissesToLlmRequestsWithKeysAndCorrelation(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 2)) {
            SemanticCache cache = h.cache();
            cache.initialize().block();
            String seededKey = cache.store("what is the capital of france", "Paris",
                    StoreOptions.builder().model("gpt-4o").build()).block();
            cache.store("how do i reverse a list in python", "use reversed() or list[::-1]", null).block();

            ProcessorHandle p = h.start(h.config().build(), cache);
            List<ProcessingOutcome> outcomes = new CopyOnWriteArrayList<>();
            p.outcomes().subscribe(outcomes::add);

            h.send(h.prompts, "k1", Events.encode(PromptEvent.of("h1", "What is the capital of France?")),
                    Map.of(Headers.CORRELATION_ID, "corr-1"));
            h.send(h.prompts, "k2", PromptEvent.of("h2", "How do I reverse a list in Python?").withModel("gpt-4o"));
            h.send(h.prompts, "k3", PromptEvent.of("m1", "Explain quantum entanglement to a child"));
            h.send(h.prompts, "k4", PromptEvent.of("m2", "Best pizza dough hydration percentage")
                    .withCategory("cooking"));
            h.flush();

            List<ConsumerRecord<byte[], byte[]>> responses = h.readAtLeast(h.responses, 2, WAIT);
            List<ConsumerRecord<byte[], byte[]>> requests = h.readAtLeast(h.llmRequests, 2, WAIT);
            assertThat(responses).hasSize(2);
            assertThat(requests).hasSize(2);

            ConsumerRecord<byte[], byte[]> r1 = responses.stream()
                    .filter(r -> Harness.decode(r, ResponseEvent.class).id().equals("h1")).findFirst().orElseThrow();
            ResponseEvent e1 = Harness.decode(r1, ResponseEvent.class);
            assertThat(e1.v()).isEqualTo(Events.VERSION);
            assertThat(e1.response()).isEqualTo("Paris");
            assertThat(e1.source()).isEqualTo("cache");
            assertThat(e1.matchedKey()).isEqualTo(seededKey);
            assertThat(e1.similarity()).isLessThan(0.1);
            assertThat(e1.confidence()).isIn("high", "uncertain");
            assertThat(Harness.str(r1.key())).isEqualTo("k1");
            assertThat(Harness.header(r1, Headers.CORRELATION_ID)).isEqualTo("corr-1");
            assertThat(Harness.header(r1, Headers.SOURCE)).isEqualTo("cache");

            ConsumerRecord<byte[], byte[]> r2 = responses.stream()
                    .filter(r -> Harness.decode(r, ResponseEvent.class).id().equals("h2")).findFirst().orElseThrow();
            assertThat(Harness.decode(r2, ResponseEvent.class).model()).isEqualTo("gpt-4o");
            assertThat(Harness.header(r2, Headers.CORRELATION_ID)).as("default correlation = event id").isEqualTo("h2");

            ConsumerRecord<byte[], byte[]> q = requests.stream()
                    .filter(r -> Harness.decode(r, LlmRequestEvent.class).id().equals("m2")).findFirst().orElseThrow();
            LlmRequestEvent req = Harness.decode(q, LlmRequestEvent.class);
            assertThat(req.prompt()).isEqualTo("Best pizza dough hydration percentage");
            assertThat(req.category()).isEqualTo("cooking");
            assertThat(req.nearestMiss()).isNotNull();
            assertThat(req.nearestMiss().similarity()).isGreaterThan(0.1);
            assertThat(req.nearestMiss().deltaToThreshold()).isGreaterThan(0);
            assertThat(Harness.str(q.key())).isEqualTo("k4");
            assertThat(Harness.header(q, Headers.CORRELATION_ID)).isEqualTo("m2");

            p.stop().block(WAIT);
            assertThat(h.committedPrompts()).as("all four prompts committed after a graceful stop").isEqualTo(4);
            assertThat(outcomes).extracting(ProcessingOutcome::kind)
                    .containsExactlyInAnyOrder(ProcessingOutcome.Kind.HIT, ProcessingOutcome.Kind.HIT,
                            ProcessingOutcome.Kind.MISS, ProcessingOutcome.Kind.MISS);
            assertThat(h.meters.get(KafkaMetricNames.HITS).counter().count()).isEqualTo(2);
            assertThat(h.meters.get(KafkaMetricNames.MISSES).counter().count()).isEqualTo(2);
            assertThat(h.meters.get(KafkaMetricNames.RECORDS_IN).tag(KafkaMetricNames.TAG_TOPIC, h.prompts)
                    .counter().count()).isEqualTo(4);
            assertThat(h.meters.get(KafkaMetricNames.RECORDS_OUT).tag(KafkaMetricNames.TAG_TOPIC, h.responses)
                    .counter().count()).isEqualTo(2);
            assertThat(h.meters.get(KafkaMetricNames.PROCESSING_LATENCY).tag(KafkaMetricNames.TAG_OUTCOME, "hit")
                    .timer().count()).isEqualTo(2);
            assertThat(h.meters.get(KafkaMetricNames.IN_FLIGHT).tag(KafkaMetricNames.TAG_TOPIC, h.prompts)
                    .gauge().value()).isZero();
        }
    }

    @Test
    void replyIsStoredOnceAndAParaphraseIsThenServedFromTheCache(KafkaBroker broker) {
        try (Harness h = new Harness(broker, 1)) {
            SemanticCache cache = h.cache();
            ProcessorHandle p = h.start(h.config().build(), cache);
            h.startLlmWorker();

            h.send(h.prompts, "user-7", PromptEvent.of("req-1", "how tall is the eiffel tower"));
            h.flush();
            List<ConsumerRecord<byte[], byte[]>> first = h.readAtLeast(h.responses, 1, WAIT);
            assertThat(first).hasSize(1);
            ResponseEvent llm = Harness.decode(first.get(0), ResponseEvent.class);
            assertThat(llm.source()).isEqualTo("llm");
            assertThat(llm.id()).isEqualTo("req-1");
            assertThat(llm.response()).isEqualTo("answer to: how tall is the eiffel tower");
            String expectedKey = "kc" + h.tag + ":entry:" + ChunkPipeline.entryId(cache.name(), "req-1");
            assertThat(llm.matchedKey()).isEqualTo(expectedKey);
            assertThat(Harness.str(first.get(0).key())).isEqualTo("user-7");
            assertThat(Harness.header(first.get(0), Headers.CORRELATION_ID)).isEqualTo("req-1");

            // A redelivered reply overwrites the same entry; the prompt was answered already, so it is not forwarded.
            List<ProcessingOutcome> outcomes = new CopyOnWriteArrayList<>();
            p.outcomes().subscribe(outcomes::add);
            // (as the worker would send it again: with the request's headers)
            ConsumerRecord<byte[], byte[]> request = h.readAtLeast(h.llmRequests, 1, WAIT).get(0);
            h.producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(h.llmReplies, 0, request.key(),
                    Events.encode(new LlmReplyEvent(Events.VERSION, "req-1", "how tall is the eiffel tower", "330 m",
                            "gpt-4o-mini", 10, 5, null, 3600L)), request.headers()));
            h.flush();
            Harness.await(() -> !outcomes.isEmpty(), WAIT);
            assertThat(outcomes).extracting(ProcessingOutcome::kind).containsExactly(ProcessingOutcome.Kind.DUPLICATE_REPLY);
            assertThat(h.store[0].entryCount()).isEqualTo(1);
            assertThat(h.store[0].putCount.get()).isEqualTo(2);
            assertThat(h.store[0].entries()).containsOnlyKeys(expectedKey);

            h.send(h.prompts, "user-8", PromptEvent.of("req-2", "How tall is the Eiffel Tower, roughly?"));
            h.flush();
            List<ConsumerRecord<byte[], byte[]>> all = h.readAtLeast(h.responses, 2, WAIT);
            assertThat(all).hasSize(2);
            ResponseEvent hit = Harness.decode(all.get(1), ResponseEvent.class);
            assertThat(hit.id()).isEqualTo("req-2");
            assertThat(hit.source()).isEqualTo("cache");
            assertThat(hit.response()).isEqualTo("330 m");
            assertThat(hit.matchedKey()).isEqualTo(expectedKey);
            assertThat(h.readUntil(h.llmRequests, l -> false, Duration.ofMillis(500)))
                    .as("only the first prompt went to the LLM").hasSize(1);
            p.stop().block(WAIT);
        }
    }
}
