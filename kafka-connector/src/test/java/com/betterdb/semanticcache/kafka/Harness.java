package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.store.CacheStoreFactory;
import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.testing.KafkaBroker;
import com.betterdb.semanticcache.kafka.events.LlmReplyEvent;
import com.betterdb.semanticcache.kafka.events.LlmRequestEvent;
import com.betterdb.semanticcache.kafka.events.ResponseEvent;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** Unique topics, a cache on {@link TestStore}, a producer and readers for one test. */
final class Harness implements AutoCloseable {

    static final int DIM = 256;

    final KafkaBroker broker;
    final String tag = UUID.randomUUID().toString().substring(0, 8);
    final String prompts = "prompts-" + tag;
    final String responses = "responses-" + tag;
    final String llmRequests = "llm-requests-" + tag;
    final String llmReplies = "llm-replies-" + tag;
    final String deadLetters = "dead-letters-" + tag;
    final String group = "group-" + tag;
    final int partitions;
    final TestStore[] store = new TestStore[1];
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final KafkaProducer<byte[], byte[]> producer;
    /**
     * Whether the test's readers (and the simulated LLM worker) read {@code read_committed}, as readers of an
     * exactly-once processor's outputs must. Set before starting the worker.
     */
    volatile boolean readCommitted;
    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

    Harness(KafkaBroker broker, int partitions) {
        this.broker = broker;
        this.partitions = partitions;
        broker.createTopics(partitions, prompts, responses, llmRequests, llmReplies, deadLetters);
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        // Input order matters to some tests; no idempotence needed for a test feeder.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        // Tests send records near the broker's 1 MiB default limit: the feeder itself must not refuse them.
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
        producer = new KafkaProducer<>(p);
    }

    SemanticCache cache(EmbedFn embedFn) {
        return SemanticCache.create(cacheOptions("kc" + tag, TestStore.factory(store), embedFn));
    }

    /** A cache for these tests: threshold 0.1, no embedding cache, config refresh or discovery. */
    static SemanticCacheOptions cacheOptions(String name, CacheStoreFactory store, EmbedFn embedFn) {
        return SemanticCacheOptions.builder()
                .name(name)
                .store(store)
                .embedFn(embedFn)
                .defaultThreshold(0.1)
                .embeddingCache(SemanticCacheOptions.EmbeddingCache.disabled())
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .meterRegistry(new SimpleMeterRegistry())
                .build();
    }

    /** Waits until {@code condition} holds, at most {@code timeout}; returns whether it does. */
    static boolean await(java.util.function.BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            sleep(10);
        }
        return true;
    }

    /**
     * A prompt far from every other {@code uniquePrompt(j)} under the test embedder (at least 0.14 apart for
     * {@code i, j < 3000}, measured; the tests' threshold is 0.1): every one is a miss, and none is parked behind
     * another. Prompts sharing all but two words are not: their two tokens collide in pairs now and then.
     */
    static String uniquePrompt(int i) {
        return "unique question w" + i + " about t" + (i * 7) + " k" + (i * 13) + " m" + (i * 31);
    }

    SemanticCache cache() {
        return cache(TestEmbedder.embedFn(DIM));
    }

    SemanticCacheProcessorConfig.Builder config() {
        return SemanticCacheProcessorConfig.builder()
                .bootstrapServers(broker.bootstrapServers())
                .groupId(group)
                .promptsTopic(prompts)
                .responsesTopic(responses)
                .llmRequestsTopic(llmRequests)
                .llmRepliesTopic(llmReplies)
                .deadLetterTopic(deadLetters)
                .pollTimeout(Duration.ofMillis(50))
                .retryBackoff(Duration.ofMillis(20))
                .maxRetryBackoff(Duration.ofMillis(200))
                .consumerProperty(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000)
                .consumerProperty(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500)
                .consumerProperty(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 20000);
    }

    ProcessorHandle start(SemanticCacheProcessorConfig config, SemanticCache cache) {
        ProcessorHandle h = SemanticCacheProcessor.create(config, cache, meters).start();
        closeables.add(() -> h.stop().block(Duration.ofSeconds(30)));
        return h;
    }

    void send(String topic, String key, byte[] value, Map<String, String> headers) {
        RecordHeaders h = new RecordHeaders();
        headers.forEach((k, v) -> h.add(k, v.getBytes(StandardCharsets.UTF_8)));
        producer.send(new ProducerRecord<>(topic, null, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value, h));
    }

    /** Sends to one partition of {@code topic}. */
    void send(String topic, int partition, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, partition, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value));
    }

    void send(String topic, String key, Object event) {
        send(topic, key, Events.encode(event), Map.of());
    }

    void flush() {
        producer.flush();
    }

    /** Reads {@code topic} from the beginning (own consumer, no group) until {@code done} holds or timeout. */
    List<ConsumerRecord<byte[], byte[]>> readUntil(String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
                                                   Duration timeout) {
        return readUntil(topic, done, timeout, readCommitted);
    }

    /** As {@link #readUntil(String, Predicate, Duration)}, with {@code isolation.level=read_committed} or not. */
    List<ConsumerRecord<byte[], byte[]>> readUntil(String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
                                                   Duration timeout, boolean committed) {
        try (KafkaConsumer<byte[], byte[]> c = rawConsumer(null, committed)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo pi : c.partitionsFor(topic)) {
                tps.add(new TopicPartition(topic, pi.partition()));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(out) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(100)).forEach(out::add);
            }
            return out;
        }
    }

    /** Reads until at least {@code n} records arrived, then a little longer to catch extras. */
    List<ConsumerRecord<byte[], byte[]>> readAtLeast(String topic, int n, Duration timeout) {
        return readUntil(topic, l -> l.size() >= n, timeout);
    }

    KafkaConsumer<byte[], byte[]> rawConsumer(String groupId) {
        return rawConsumer(groupId, readCommitted);
    }

    KafkaConsumer<byte[], byte[]> rawConsumer(String groupId, boolean committed) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committed ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        return new KafkaConsumer<>(p);
    }

    /** The processor group's committed offsets of the prompts topic, summed over partitions. */
    long committedPrompts() {
        try (KafkaConsumer<byte[], byte[]> c = rawConsumer(group)) {
            Set<TopicPartition> tps = new java.util.HashSet<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new TopicPartition(prompts, i));
            }
            Map<TopicPartition, OffsetAndMetadata> m = c.committed(tps, Duration.ofSeconds(10));
            return m.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
        }
    }

    static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : str(h.value());
    }

    static <T> T decode(ConsumerRecord<byte[], byte[]> r, Class<T> type) {
        try {
            return Events.mapper().readValue(r.value(), type);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * What the simulated LLM worker does with one request: answer after {@code delayMs}, or drop it, or answer when
     * {@code gate} completes.
     */
    record Answer(long delayMs, java.util.concurrent.CompletableFuture<?> gate) {
        static final Answer NOW = new Answer(0, null);
        static final Answer DROP = new Answer(-1, null);

        static Answer after(long ms) {
            return new Answer(ms, null);
        }

        /** Answers once the test completes {@code gate}. */
        static Answer when(java.util.concurrent.CompletableFuture<?> gate) {
            return new Answer(0, gate);
        }
    }

    /** Requests the worker received, by id (re-requests included). */
    final Map<String, AtomicInteger> llmRequestsSeen = new ConcurrentHashMap<>();

    /**
     * A simulated LLM worker: reads llm-requests and answers each with {@code "answer to: " + prompt} on
     * llm-replies. It follows the worker contract: same partition number and key as the request, headers copied,
     * offsets committed only after the replies it sent were acknowledged.
     */
    void startLlmWorker() {
        startLlmWorker((req, attempt) -> Answer.NOW);
    }

    /** A worker that decides per request (and per attempt, 1 for the first) what to do. */
    void startLlmWorker(java.util.function.BiFunction<LlmRequestEvent, Integer, Answer> behaviour) {
        KafkaConsumer<byte[], byte[]> c = rawConsumer("llm-worker-" + tag);
        c.subscribe(List.of(llmRequests));
        java.util.concurrent.ScheduledExecutorService later = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "llm-worker-late-" + tag);
                    t.setDaemon(true);
                    return t;
                });
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
                        LlmRequestEvent req = decode(r, LlmRequestEvent.class);
                        int attempt = llmRequestsSeen.computeIfAbsent(req.id(), k -> new AtomicInteger()).incrementAndGet();
                        Answer answer = behaviour.apply(req, attempt);
                        if (answer.delayMs() < 0) {
                            continue;
                        }
                        LlmReplyEvent reply = new LlmReplyEvent(Events.VERSION, req.id(), req.prompt(),
                                "answer to: " + req.prompt(), "gpt-4o-mini", 12, 30, req.category(), null);
                        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(llmReplies, r.partition(), r.key(),
                                Events.encode(reply), r.headers());
                        if (answer.gate() != null) {
                            answer.gate().thenRun(() -> producer.send(out));
                        } else if (answer.delayMs() == 0) {
                            acks.add(producer.send(out));
                        } else {
                            later.schedule(() -> producer.send(out), answer.delayMs(), TimeUnit.MILLISECONDS);
                        }
                    }
                    for (java.util.concurrent.Future<?> f : acks) {
                        f.get(30, TimeUnit.SECONDS);
                    }
                    c.commitSync();
                }
            } catch (org.apache.kafka.common.errors.InterruptException | org.apache.kafka.common.errors.WakeupException e) {
                // stopping
            } catch (Exception e) {
                throw new IllegalStateException("test LLM worker failed", e);
            } finally {
                later.shutdownNow();
                c.close(Duration.ZERO);
            }
        }, "llm-worker-" + tag);
        t.setDaemon(true);
        t.start();
        closeables.add(() -> {
            c.wakeup();
            t.join(5000);
        });
    }

    /** Ids of the records read from {@code topic} (events with an {@code id} member), with their counts. */
    static Map<String, Integer> idCounts(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Integer> counts = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.value() != null) {
                counts.merge(decode(r, ResponseEvent.class).id(), 1, Integer::sum);
            }
        }
        return counts;
    }

    @Override
    public void close() {
        List<AutoCloseable> list = new ArrayList<>(closeables);
        java.util.Collections.reverse(list);
        for (AutoCloseable c : list) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
        producer.close(Duration.ofSeconds(5));
    }

    static void sleep(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
