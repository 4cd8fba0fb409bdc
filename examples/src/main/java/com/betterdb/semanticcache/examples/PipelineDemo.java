package com.betterdb.semanticcache.examples;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.embed.local.LocalEmbedder;
import com.betterdb.semanticcache.kafka.KafkaMetricNames;
import com.betterdb.semanticcache.kafka.ProcessorHandle;
import com.betterdb.semanticcache.kafka.SemanticCacheProcessor;
import com.betterdb.semanticcache.kafka.SemanticCacheProcessorConfig;
import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.events.PromptEvent;
import com.betterdb.semanticcache.kafka.events.ResponseEvent;
import com.betterdb.semanticcache.store.CacheStoreFactory;
import com.betterdb.semanticcache.store.CacheStores;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * The Kafka pipeline end to end on one machine with only a JDK:
 * an in-process Kafka broker, the semantic-cache processor (in-memory store and the local bge-small-en-v1.5 model via
 * {@code LocalEmbedder};
 * Valkey when {@code VALKEY_SEARCH_URL} is set), and an LLM worker (simulated, or OpenAI when
 * {@code OPENAI_API_KEY} is set). It sends a few hundred bundled prompts, paraphrase groups and one-offs, and
 * prints what the cache saved and whether the answers it served were right: the prompts come in paraphrase groups,
 * so a hit that served another group's answer is counted as a wrong answer served.
 *
 * <p>Shutdown runs in dependency order: the processor, then the cache, then the Valkey client.
 *
 * <pre>./mvnw -B -q -Pdemo compile</pre>
 */
public final class PipelineDemo {

    private static final String PROMPTS = "prompts";
    private static final String RESPONSES = "responses";
    private static final String LLM_REQUESTS = "llm-requests";
    private static final String LLM_REPLIES = "llm-replies";
    private static final String DEAD_LETTERS = "dead-letters";
    private static final int PROMPTS_PER_SECOND = 20;
    private static final int WORST_SHOWN = 5;

    private PipelineDemo() {
    }

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        DemoPrompts prompts = DemoPrompts.load();
        List<String> order = prompts.sendOrder(7);
        System.out.printf("Semantic cache Kafka pipeline demo: %d prompts (%d paraphrase groups, %d one-offs)%n",
                order.size(), prompts.groups().size(), prompts.unrelated().size());

        System.out.print("Starting an in-process Kafka broker ... ");
        DemoBroker broker = DemoBroker.start();
        broker.createTopics(6, PROMPTS, RESPONSES, LLM_REQUESTS, LLM_REPLIES, DEAD_LETTERS);
        System.out.printf("ready at %s%n", broker.bootstrapServers());

        String valkeyUrl = System.getenv("VALKEY_SEARCH_URL");
        RedisClient redis = null;
        CacheStoreFactory store;
        if (valkeyUrl != null && !valkeyUrl.isBlank()) {
            redis = RedisClient.create(valkeyUrl);
            store = CacheStores.valkey(redis);
            System.out.println("Cache store: Valkey (VALKEY_SEARCH_URL)");
        } else {
            store = CacheStores.inMemory();
            System.out.println("Cache store: in-memory (set VALKEY_SEARCH_URL to use Valkey + valkey-search)");
        }
        System.out.print("Loading the local embedding model bge-small-en-v1.5 (int8) ... ");
        LocalEmbedder embedder = LocalEmbedder.create(2);
        embedder.warmUp().block();
        System.out.println("ready");

        SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name("pipeline_demo_" + Long.toHexString(System.currentTimeMillis()))
                .store(store)
                .embedFn(embedder)
                .batchEmbedFn(embedder) // the processor checks chunks of prompts: one model call per chunk
                .defaultThreshold(embedder.recommendedThreshold()) // the model's calibrated threshold
                .meterRegistry(new SimpleMeterRegistry())
                .build());

        String bootstrap = broker.bootstrapServers();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ProcessorHandle processor = SemanticCacheProcessor.create(SemanticCacheProcessorConfig.builder()
                .bootstrapServers(bootstrap)
                .groupId("demo-semantic-cache")
                .promptsTopic(PROMPTS)
                .responsesTopic(RESPONSES)
                .llmRequestsTopic(LLM_REQUESTS)
                .llmRepliesTopic(LLM_REPLIES)
                .deadLetterTopic(DEAD_LETTERS)
                .maxInFlight(256)
                .maxPollRecords(64)
                .chunkSize(4)
                .pollTimeout(Duration.ofMillis(50))
                .build(), cache, meters).start();

        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.LINGER_MS_CONFIG, 1));
        String openAiKey = System.getenv("OPENAI_API_KEY");
        LlmWorker worker = new LlmWorker(bootstrap, LLM_REQUESTS, LLM_REPLIES, producer,
                openAiKey == null || openAiKey.isBlank() ? null : openAiKey);
        worker.start();
        System.out.println("LLM worker: " + (worker.usesOpenAi() ? "OpenAI " + LlmWorker.MODEL
                + " (OPENAI_API_KEY)" : "simulated, 150-400 ms per call (set OPENAI_API_KEY for a real model)"));

        // Responses, as they arrive.
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, String> promptOf = new ConcurrentHashMap<>();
        AnswerQuality quality = new AnswerQuality(prompts);
        List<Long> hitLatency = Collections.synchronizedList(new ArrayList<>());
        List<Long> missLatency = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger hits = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        DoubleAdder costSaved = new DoubleAdder();
        KafkaConsumer<byte[], byte[]> responses = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "demo-client",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
        responses.subscribe(List.of(RESPONSES));
        Thread reader = new Thread(() -> {
            Map<String, Boolean> seen = new ConcurrentHashMap<>();
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    for (ConsumerRecord<byte[], byte[]> r : responses.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        ResponseEvent e = Events.mapper().readValue(r.value(), ResponseEvent.class);
                        Long sent = sentAt.get(e.id());
                        if (sent == null || seen.putIfAbsent(e.id(), true) != null) {
                            continue;
                        }
                        if (ResponseEvent.SOURCE_CACHE.equals(e.source())) {
                            quality.hit(promptOf.get(e.id()), e.matchedKey(),
                                    e.similarity() == null ? Double.NaN : e.similarity());
                            hits.incrementAndGet();
                            hitLatency.add(now - sent);
                            if (e.costSaved() != null) {
                                costSaved.add(e.costSaved());
                            }
                        } else {
                            if (!Boolean.TRUE.equals(e.coalesced())) { // a coalesced answer is another prompt's entry
                                quality.stored(e.matchedKey(), promptOf.get(e.id()));
                            }
                            missLatency.add(now - sent);
                        }
                        answered.incrementAndGet();
                    }
                }
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                // done
            } catch (Exception e) {
                System.err.println("response reader stopped: " + e);
            }
        }, "responses-reader");
        reader.setDaemon(true);
        reader.start();

        // Send the prompts at a steady rate, then wait for every answer.
        long start = System.nanoTime();
        int total = order.size();
        int sent = 0;
        long deadline = start + Duration.ofSeconds(45).toNanos();
        Progress progress = Progress.forStdout(total);
        while ((answered.get() < total) && System.nanoTime() < deadline) {
            long due = Math.min(total, (System.nanoTime() - start) * PROMPTS_PER_SECOND / 1_000_000_000L + 1);
            for (; sent < due; sent++) {
                String id = "p" + sent;
                promptOf.put(id, order.get(sent));
                sentAt.put(id, System.nanoTime());
                producer.send(new ProducerRecord<>(PROMPTS, null, ("user-" + (sent % 17)).getBytes(StandardCharsets.UTF_8),
                        Events.encode(PromptEvent.of(id, order.get(sent)).withModel(LlmWorker.MODEL))));
            }
            progress.update(answered.get(), hits.get());
            Thread.sleep(100);
        }
        long elapsed = System.nanoTime() - start;
        progress.update(answered.get(), hits.get());
        progress.finish();

        int n = answered.get();
        int h = hits.get();
        System.out.println();
        System.out.println("Summary");
        System.out.printf("  prompts answered     %d of %d%n", n, total);
        System.out.printf("  cache hits           %d (%.0f%%)%n", h, n == 0 ? 0.0 : 100.0 * h / n);
        System.out.printf("  LLM calls            %d (saved %d)%n", worker.calls.get(), h);
        System.out.printf("  LLM calls saved by coalescing %d (prompts that waited for a paraphrase's LLM call)%n",
                (long) meters.find(KafkaMetricNames.JOINED).counters().stream().mapToDouble(c -> c.count()).sum());
        printAnswerQuality(quality.report(WORST_SHOWN));
        System.out.printf("  cost saved           $%.6f (%s prices from the cache's cost table)%n",
                costSaved.sum(), LlmWorker.MODEL);
        System.out.printf("  throughput           %.1f prompts/s (sent at %d/s)%n", n / (elapsed / 1e9),
                PROMPTS_PER_SECOND);
        System.out.printf("  latency, cache hits  p50 %6.1f ms   p99 %6.1f ms%n", pct(hitLatency, 50), pct(hitLatency, 99));
        System.out.printf("  latency, LLM misses  p50 %6.1f ms   p99 %6.1f ms%n", pct(missLatency, 50), pct(missLatency, 99));
        for (String outcome : List.of("hit", "miss", "stored")) {
            io.micrometer.core.instrument.Timer t = meters.find(KafkaMetricNames.PROCESSING_LATENCY)
                    .tag(KafkaMetricNames.TAG_OUTCOME, outcome).timer();
            if (t != null && t.count() > 0) {
                System.out.printf("  processor, %-7s   mean %6.1f ms   max %6.1f ms (poll -> ack, %d records)%n", outcome,
                        t.mean(java.util.concurrent.TimeUnit.MILLISECONDS), t.max(java.util.concurrent.TimeUnit.MILLISECONDS),
                        t.count());
            }
        }
        System.out.printf("  in flight at most    %d (bound %d)%n", processor.maxObservedInFlight(), 256);
        if (worker.failures.get() > 0) {
            System.out.printf("  LLM failures         %d%n", worker.failures.get());
        }

        // Dependency order: what uses the cache, then the cache, then the client it talks through.
        processor.stop().block(Duration.ofSeconds(30));
        responses.wakeup();
        reader.join(2000);
        responses.close(Duration.ofSeconds(1));
        worker.close();
        producer.close(Duration.ofSeconds(2));
        cache.close(); // deletes the heartbeat and closes its connection before returning
        if (redis != null) {
            redis.shutdown();
        }
        embedder.close();
        broker.close();
        System.out.printf("Done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        System.exit(n == total ? 0 : 1);
    }

    private static void printAnswerQuality(AnswerQuality.Report q) {
        System.out.printf("  right answers        %d of %d hits answered a paraphrase of the same question%n",
                q.sameGroup(), q.hits());
        System.out.printf("  wrong answers served %d (hits that returned another question's answer)%n", q.wrong());
        if (q.unresolved() > 0) {
            System.out.printf("  not judged           %d (matched entry not seen being stored)%n", q.unresolved());
        }
        printHits("  wrong answers, closest first (prompt -> matched prompt, cosine distance):", q.worst());
        printHits("  least similar hits served (prompt -> matched prompt, cosine distance):", q.farthest());
    }

    private static void printHits(String title, List<AnswerQuality.Hit> hits) {
        if (hits.isEmpty()) {
            return;
        }
        System.out.println(title);
        for (AnswerQuality.Hit h : hits) {
            System.out.printf("    %-5s \"%s\" -> \"%s\"  %.3f%n", h.right() ? "ok" : "WRONG", h.prompt(),
                    h.matchedPrompt(), h.distance());
        }
    }

    private static double pct(List<Long> nanos, int p) {
        List<Long> copy;
        synchronized (nanos) {
            copy = new ArrayList<>(nanos);
        }
        if (copy.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(copy);
        int i = (int) Math.ceil(p / 100.0 * copy.size()) - 1;
        return copy.get(Math.max(0, Math.min(copy.size() - 1, i))) / 1e6;
    }
}
