package com.betterdb.semanticcache.kafka.bench;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.bench.CoalescingBench;
import com.betterdb.semanticcache.kafka.ProcessorHandle;
import com.betterdb.semanticcache.kafka.SemanticCacheProcessor;
import com.betterdb.semanticcache.kafka.SemanticCacheProcessorConfig;
import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.events.LlmReplyEvent;
import com.betterdb.semanticcache.kafka.events.LlmRequestEvent;
import com.betterdb.semanticcache.kafka.events.PromptEvent;
import com.betterdb.semanticcache.kafka.events.ResponseEvent;
import com.betterdb.semanticcache.store.CacheStores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Burst benchmark of the processor's coalescing (a program, not a test): G groups of P paraphrases are produced at
 * random moments within a window; an LLM worker answers every request after a fixed latency (keeping the worker
 * contract). The same burst runs without and with coalescing, on fresh topics and caches, and prints the LLM
 * requests per group and the latency (produced to response read) of the prompts answered by their own request and
 * of those answered from a paraphrase's ({@code coalesced}).
 *
 * <pre>
 * java -cp kafka-connector/target/test-classes:kafka-connector/target/classes:$(cat /tmp/cp.txt) \
 *     [-Dbench.groups=50 -Dbench.paraphrases=20 -Dbench.windowMs=200 -Dbench.llmMs=300] \
 *     com.betterdb.semanticcache.kafka.bench.CoalescingPipelineBench
 * </pre>
 * The burst of the library's {@link CoalescingBench}: synthetic 384-d paraphrases around a random centroid per
 * group (pairwise cosine distance about 0.02-0.05, threshold 0.1); groups unrelated (distance about 1). In-memory
 * store.
 */
public final class CoalescingPipelineBench {

    private static final int GROUPS = Integer.getInteger("bench.groups", 50);
    private static final int PARAPHRASES = Integer.getInteger("bench.paraphrases", 20);
    private static final int WINDOW_MS = Integer.getInteger("bench.windowMs", 200);
    private static final int LLM_MS = Integer.getInteger("bench.llmMs", 300);
    private static final int DIM = 384;
    private static final int PARTITIONS = 3;

    private CoalescingPipelineBench() {
    }

    private record Arrival(String id, String prompt, long atMs) {
    }

    private record Result(int llmCalls, List<Long> ownMs, List<Long> joinedMs) {
    }

    public static void main(String[] args) throws Exception {
        Random random = new Random(11);
        Map<String, float[]> vectors = new ConcurrentHashMap<>();
        List<Arrival> arrivals = new ArrayList<>();
        for (int g = 0; g < GROUPS; g++) {
            float[] centroid = CoalescingBench.unit(random);
            for (int p = 0; p < PARAPHRASES; p++) {
                String text = "group " + g + " paraphrase " + p;
                vectors.put(text, CoalescingBench.near(centroid, random));
                arrivals.add(new Arrival("g" + g + "-p" + p, text, random.nextInt(WINDOW_MS)));
            }
        }
        arrivals.sort((a, b) -> Long.compare(a.atMs, b.atMs));
        EmbeddedBroker broker = EmbeddedBroker.shared();
        System.out.printf(Locale.ROOT, "groups=%d paraphrases=%d window=%d ms llm=%d ms partitions=%d cores=%d%n",
                GROUPS, PARAPHRASES, WINDOW_MS, LLM_MS, PARTITIONS, Runtime.getRuntime().availableProcessors());
        run(broker, vectors, arrivals, true); // warm-up
        Result off = run(broker, vectors, arrivals, false);
        Result on = run(broker, vectors, arrivals, true);
        System.out.println();
        System.out.println("| coalescing | LLM calls | per group | own request p50 / p99 ms | coalesced p50 / p99 ms |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Result r : List.of(off, on)) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.0f / %.0f | %s |%n", r == off ? "off" : "on",
                    r.llmCalls, r.llmCalls / (double) GROUPS, pct(r.ownMs, 50), pct(r.ownMs, 99),
                    r.joinedMs.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f / %.0f", pct(r.joinedMs, 50),
                            pct(r.joinedMs, 99)));
        }
        broker.close();
        System.exit(0);
    }

    private static Result run(EmbeddedBroker broker, Map<String, float[]> vectors, List<Arrival> arrivals,
                              boolean coalescing) throws Exception {
        String tag = Long.toHexString(System.nanoTime());
        String prompts = "co-prompts-" + tag;
        String responses = "co-responses-" + tag;
        String requests = "co-requests-" + tag;
        String replies = "co-replies-" + tag;
        broker.createTopics(PARTITIONS, prompts, responses, requests, replies, "co-dlq-" + tag);
        SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name("co" + tag)
                .store(CacheStores.inMemory())
                .embedFn(text -> Mono.justOrEmpty(vectors.get(text)).switchIfEmpty(Mono.fromCallable(() -> {
                    float[] v = new float[DIM];
                    v[0] = 1; // the start-up probe
                    return v;
                })))
                .defaultThreshold(0.1)
                .embeddingCache(SemanticCacheOptions.EmbeddingCache.disabled())
                .meterRegistry(new SimpleMeterRegistry())
                .build());
        ProcessorHandle processor = SemanticCacheProcessor.create(SemanticCacheProcessorConfig.builder()
                .bootstrapServers(broker.bootstrapServers())
                .groupId("co-proc-" + tag)
                .promptsTopic(prompts)
                .responsesTopic(responses)
                .llmRequestsTopic(requests)
                .llmRepliesTopic(replies)
                .deadLetterTopic("co-dlq-" + tag)
                .coalescing(coalescing)
                .pollTimeout(Duration.ofMillis(20))
                .build(), cache, new SimpleMeterRegistry()).start();
        AtomicInteger llmCalls = new AtomicInteger();
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> ownMs = new ConcurrentHashMap<>();
        Map<String, Long> joinedMs = new ConcurrentHashMap<>();
        ScheduledExecutorService llm = Executors.newSingleThreadScheduledExecutor();
        try (KafkaProducer<byte[], byte[]> producer = producer(broker);
             TopicLoop worker = worker(broker, requests, replies, producer, llm, llmCalls);
             TopicLoop reader = reader(broker, responses, sentAt, ownMs, joinedMs)) {
            Thread.sleep(3000); // the processor and the worker join their groups
            long start = System.nanoTime();
            for (Arrival a : arrivals) {
                long wait = a.atMs - (System.nanoTime() - start) / 1_000_000;
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                sentAt.put(a.id, System.nanoTime());
                producer.send(new ProducerRecord<>(prompts, a.id.getBytes(StandardCharsets.UTF_8),
                        Events.encode(PromptEvent.of(a.id, a.prompt))));
            }
            producer.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ownMs.size() + joinedMs.size() < arrivals.size() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (ownMs.size() + joinedMs.size() < arrivals.size()) {
                throw new IllegalStateException("only " + (ownMs.size() + joinedMs.size()) + " answered");
            }
        } finally {
            llm.shutdownNow();
            processor.stop().block(Duration.ofSeconds(30));
            cache.close();
        }
        return new Result(llmCalls.get(), new ArrayList<>(ownMs.values()), new ArrayList<>(joinedMs.values()));
    }

    /** A record handler that may throw (decoding). */
    private interface Handler {
        void accept(ConsumerRecord<byte[], byte[]> r) throws Exception;
    }

    /** Reads a topic on a thread of its own and hands every record to a handler, until closed. */
    private static final class TopicLoop implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread thread;

        TopicLoop(EmbeddedBroker broker, String topic, String group, Handler handler) {
            consumer = consumer(broker, group);
            consumer.subscribe(List.of(topic));
            thread = new Thread(() -> {
                try {
                    while (true) {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(10))) {
                            handler.accept(r);
                        }
                    }
                } catch (WakeupException e) {
                    // closing
                } catch (Exception e) {
                    System.err.println(group + " failed: " + e);
                }
            }, group);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            consumer.wakeup();
            thread.join(5000);
            consumer.close(Duration.ZERO);
        }
    }

    /** Answers every request after {@code LLM_MS}, on the request's partition with its key and headers. */
    private static TopicLoop worker(EmbeddedBroker broker, String requests, String replies,
                                    KafkaProducer<byte[], byte[]> producer, ScheduledExecutorService llm,
                                    AtomicInteger calls) {
        return new TopicLoop(broker, requests, "co-worker-" + requests, r -> {
            LlmRequestEvent req = Events.mapper().readValue(r.value(), LlmRequestEvent.class);
            calls.incrementAndGet();
            llm.schedule(() -> producer.send(new ProducerRecord<>(replies, r.partition(), r.key(),
                    Events.encode(LlmReplyEvent.of(req.id(), req.prompt(), "answer to " + req.prompt())),
                    r.headers())), LLM_MS, TimeUnit.MILLISECONDS);
        });
    }

    /** Reads the responses; the latency of each prompt, by whether it was coalesced. */
    private static TopicLoop reader(EmbeddedBroker broker, String responses, Map<String, Long> sentAt,
                                    Map<String, Long> ownMs, Map<String, Long> joinedMs) {
        return new TopicLoop(broker, responses, "co-reader-" + responses, r -> {
            ResponseEvent e = Events.mapper().readValue(r.value(), ResponseEvent.class);
            long ms = (System.nanoTime() - sentAt.get(e.id())) / 1_000_000;
            (Boolean.TRUE.equals(e.coalesced()) ? joinedMs : ownMs).putIfAbsent(e.id(), ms);
        });
    }

    private static KafkaProducer<byte[], byte[]> producer(EmbeddedBroker broker) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        return new KafkaProducer<>(p);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(EmbeddedBroker broker, String group) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(c);
    }

    static double pct(List<Long> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Long> copy = new ArrayList<>(values);
        Collections.sort(copy);
        int i = (int) Math.ceil(p / 100.0 * copy.size()) - 1;
        return copy.get(Math.max(0, Math.min(copy.size() - 1, i)));
    }
}
