package com.betterdb.semanticcache.examples;

import com.betterdb.semanticcache.kafka.Headers;
import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.events.LlmReplyEvent;
import com.betterdb.semanticcache.kafka.events.LlmRequestEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example LLM worker keeps the processor's worker contract (docs/kafka-connector.md): a failed call is retried,
 * a request that keeps failing is given up (and committed: the processor's LLM timeout asks again), the reply goes to
 * the request's partition number with its key and headers and echoes id and prompt, and a request's offset is
 * committed only after its reply was acknowledged. On a real broker in this JVM.
 */
class LlmWorkerTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static DemoBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = DemoBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /** A producer whose acknowledgements reach the caller only once {@code gate} completes. */
    private static final class GatedProducer extends KafkaProducer<byte[], byte[]> {
        final CompletableFuture<Void> gate = new CompletableFuture<>();

        GatedProducer(Map<String, Object> config) {
            super(config);
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            return super.send(record, (md, e) -> gate.thenRun(() -> callback.onCompletion(md, e)));
        }
    }

    private static Map<String, Object> producerConfig() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        return p;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String group) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(c);
    }

    private static long committed(String group, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = consumer(group)) {
            Map<TopicPartition, OffsetAndMetadata> m = c.committed(
                    Set.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1)), Duration.ofSeconds(10));
            return m.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer("reader-" + UUID.randomUUID())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (out.size() < atLeast && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(100)).forEach(out::add);
            }
            c.poll(Duration.ofMillis(300)).forEach(out::add); // anything extra
        }
        return out;
    }

    private static boolean await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void retriesRepliesOnTheRequestsPartitionWithKeyAndHeadersAndCommitsOnlyAfterTheAcks() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String requests = "llm-requests-" + tag;
        String replies = "llm-replies-" + tag;
        String group = "llm-worker-" + tag;
        broker.createTopics(2, requests, replies);

        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        // "flaky" fails twice then answers; "broken" always fails; the others answer at once.
        java.util.function.Function<LlmRequestEvent, CompletableFuture<LlmReplyEvent>> llm = req -> {
            int call = calls.computeIfAbsent(req.id(), k -> new AtomicInteger()).incrementAndGet();
            if (req.id().equals("broken") || (req.id().equals("flaky") && call <= 2)) {
                return CompletableFuture.failedFuture(new IllegalStateException("HTTP 503"));
            }
            return CompletableFuture.completedFuture(new LlmReplyEvent(Events.VERSION, req.id(), req.prompt(),
                    "answer: " + req.prompt(), LlmWorker.MODEL, 10, 20, req.category(), null));
        };

        Map<String, Integer> partitionOf = Map.of("ok-0", 0, "ok-1", 1, "flaky", 1, "broken", 0);
        try (KafkaProducer<byte[], byte[]> feeder = new KafkaProducer<>(producerConfig());
             GatedProducer replyProducer = new GatedProducer(producerConfig())) {
            for (Map.Entry<String, Integer> e : partitionOf.entrySet()) {
                String id = e.getKey();
                RecordHeaders h = new RecordHeaders();
                h.add(Headers.LLM_REQUEST_REF, ("prompts/" + e.getValue() + "/" + id).getBytes(StandardCharsets.UTF_8));
                h.add(Headers.CORRELATION_ID, ("corr-" + id).getBytes(StandardCharsets.UTF_8));
                h.add(Headers.LLM_ATTEMPT, "1".getBytes(StandardCharsets.UTF_8));
                LlmRequestEvent req = new LlmRequestEvent(Events.VERSION, id, "prompt of " + id, null, null, null, null,
                        null, null);
                feeder.send(new ProducerRecord<>(requests, e.getValue(), ("key-" + id).getBytes(StandardCharsets.UTF_8),
                        Events.encode(req), h)).get();
            }

            LlmWorker worker = new LlmWorker(broker.bootstrapServers(), group, requests, replies, replyProducer, null, llm);
            try {
                worker.start();
                // The three answers are written, but their acknowledgements are held: nothing may be committed.
                List<ConsumerRecord<byte[], byte[]>> written = readAll(replies, 3);
                assertThat(written).hasSize(3);
                assertThat(await(() -> worker.failures.get() == 1)).as("the broken request is given up").isTrue();
                Thread.sleep(500); // a worker that commits before the acknowledgements would have by now
                assertThat(committed(group, requests)).as("committed before the replies were acknowledged").isZero();

                replyProducer.gate.complete(null);
                assertThat(await(() -> committed(group, requests) == 4)).as("all four requests committed").isTrue();

                for (ConsumerRecord<byte[], byte[]> r : written) {
                    LlmReplyEvent reply = Events.decodeReply(r.value());
                    String id = reply.id();
                    assertThat(r.partition()).as("partition of %s", id).isEqualTo(partitionOf.get(id));
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("key-" + id);
                    assertThat(header(r, Headers.LLM_REQUEST_REF)).isEqualTo("prompts/" + partitionOf.get(id) + "/" + id);
                    assertThat(header(r, Headers.CORRELATION_ID)).isEqualTo("corr-" + id);
                    assertThat(reply.prompt()).isEqualTo("prompt of " + id);
                    assertThat(reply.response()).isEqualTo("answer: prompt of " + id);
                    assertThat(reply.model()).isEqualTo(LlmWorker.MODEL);
                }
                assertThat(written).extracting(r -> Events.decodeReply(r.value()).id())
                        .containsExactlyInAnyOrder("ok-0", "ok-1", "flaky");
                assertThat(calls.get("flaky").get()).as("retried until it answered").isEqualTo(3);
                assertThat(calls.get("broken").get()).isEqualTo(LlmWorker.MAX_ATTEMPTS);
                assertThat(worker.calls.get()).isEqualTo(2 + 3 + LlmWorker.MAX_ATTEMPTS);
                assertThat(worker.retries.get()).isEqualTo(2 + (LlmWorker.MAX_ATTEMPTS - 1));
            } finally {
                worker.close();
            }
        }
    }
}
