package com.betterdb.semanticcache.kafka.bench;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.StoreRequest;
import com.betterdb.semanticcache.kafka.ProcessingOutcome;
import com.betterdb.semanticcache.kafka.ProcessorHandle;
import com.betterdb.semanticcache.kafka.SemanticCacheProcessor;
import com.betterdb.semanticcache.kafka.SemanticCacheProcessorConfig;
import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.events.PromptEvent;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import reactor.core.publisher.Flux;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * End-to-end prompts/s of the processor at about 50% hit rate on the in-process broker, against two pass-through
 * consume-produce-commit loops on the same broker (same record count, partitions, acks=all, idempotence, commit
 * after acknowledgement): one that waits for each poll's acknowledgements before the next poll (the classic loop),
 * and one that keeps producing while acknowledgements come back and commits each partition's acknowledged prefix
 * (what the processor does). Embeddings: the deterministic test embedder (no model cost), in-memory store, so the
 * numbers measure the pipeline itself. Each round is warmed up first ({@code -Dbench.warmups}, default 3 rounds of
 * the same size: the JIT compiles the broker's, the clients' and the cache's code for seconds).
 * {@code -Dbench.exactlyOnce=true} adds the processor in exactly-once mode to every round (its rate is to the last
 * acknowledgement; the last transaction commits within {@code transactionCommitInterval} after it).
 *
 * <pre>
 * ./mvnw -B -q -pl kafka-connector -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp kafka-connector/target/test-classes:kafka-connector/target/classes:$(cat /tmp/cp.txt) \
 *     com.betterdb.semanticcache.kafka.bench.PipelineBench 20000 3
 * </pre>
 */
public final class PipelineBench {

    private static final int DIM = 64;

    private PipelineBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20000;
        int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        EmbeddedBroker broker = EmbeddedBroker.shared();
        String bootstrap = broker.bootstrapServers();
        System.out.printf("records=%d partitions=%d cores=%d%n", n, partitions, Runtime.getRuntime().availableProcessors());

        // Warm-up rounds (JIT, broker), then the measured round.
        int warmups = Integer.getInteger("bench.warmups", 3);
        Result pass = null;
        Result piped = null;
        Result proc = null;
        Result eos = null;
        boolean exactlyOnce = Boolean.getBoolean("bench.exactlyOnce");
        for (int round = 0; round <= warmups; round++) {
            pass = passThrough(broker, n, partitions);
            piped = pipelinedPassThrough(broker, n, partitions);
            proc = processor(broker, n, partitions, round == warmups, false);
            if (exactlyOnce) {
                eos = processor(broker, n, partitions, false, true);
            }
            if (round < warmups) {
                System.out.printf("warm-up %d of %d done%n", round + 1, warmups);
            }
        }
        System.out.println();
        System.out.println("| pipeline | records | seconds | records/s | p50 ms | p99 ms | hit rate | CPU µs/record | cores busy |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        System.out.println(pass.row("pass-through, acks awaited per poll"));
        System.out.println(piped.row("pass-through, pipelined"));
        System.out.println(proc.row("semantic-cache processor (checkAll, ~50% hits)"));
        if (eos != null) {
            System.out.println(eos.row("semantic-cache processor, exactly-once"));
        }
        System.out.printf("%nratio processor / pass-through (acks awaited per poll): %.2f%n", proc.rate() / pass.rate());
        System.out.printf("ratio processor / pass-through (pipelined): %.2f%n", proc.rate() / piped.rate());
        if (eos != null) {
            System.out.printf("ratio exactly-once processor / pass-through (acks awaited per poll): %.2f, / pipelined: "
                    + "%.2f, / at-least-once processor: %.2f%n", eos.rate() / pass.rate(), eos.rate() / piped.rate(),
                    eos.rate() / proc.rate());
        }
        System.out.printf("processor latency by outcome (poll -> ack): hit p50 %.1f ms p99 %.1f ms, miss p50 %.1f ms p99 %.1f ms%n",
                pct(proc.hitLat, 50), pct(proc.hitLat, 99), pct(proc.missLat, 50), pct(proc.missLat, 99));
        broker.close();
        System.exit(0);
    }

    /**
     * One measured drain. {@code cpuNanos} is this JVM's CPU time during it: broker, clients and (for the processor)
     * the cache, since the broker runs in this JVM for every pipeline; so CPU per record compares their costs.
     */
    record Result(int records, double seconds, List<Long> lat, List<Long> hitLat, List<Long> missLat, double hitRate,
                  long cpuNanos) {
        double rate() {
            return records / seconds;
        }

        String row(String name) {
            return String.format("| %s | %d | %.2f | %.0f | %.1f | %.1f | %s | %.0f | %.2f |", name, records, seconds,
                    rate(), pct(lat, 50), pct(lat, 99),
                    Double.isNaN(hitRate) ? "-" : String.format("%.0f%%", hitRate * 100), cpuNanos / 1e3 / records,
                    cpuNanos / 1e9 / seconds);
        }
    }

    /** CPU time of this JVM, all threads (JIT and GC included). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static String prompt(int i) {
        // Even i: one of 200 recurring questions (seeded in the cache: hits); odd i: unique (misses).
        return i % 2 == 0 ? "recurring question number q" + (i / 2 % 200) + " about subject s" + (i / 2 % 200)
                : "unique question w" + i + " on matter m" + (i * 31) + " and k" + (i * 17);
    }

    private static void fill(String bootstrap, String topic, int n) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
            for (int i = 0; i < n; i++) {
                p.send(new ProducerRecord<>(topic, ("u" + (i % 101)).getBytes(StandardCharsets.UTF_8),
                        Events.encode(PromptEvent.of("id-" + i, prompt(i)))));
            }
            p.flush();
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        return new KafkaProducer<>(p);
    }

    private static Result passThrough(EmbeddedBroker broker, int n, int partitions) throws Exception {
        String tag = Long.toHexString(System.nanoTime());
        String in = "bench-in-" + tag;
        String out = "bench-out-" + tag;
        broker.createTopics(partitions, in, out);
        fill(broker.bootstrapServers(), in, n);
        Map<String, Object> c = consumerProps(broker, "bench-pass-" + tag);
        List<Long> lat = new ArrayList<>(n);
        int done = 0;
        long start = 0;
        long cpuStart = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
             KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
            consumer.subscribe(List.of(in));
            while (done < n) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                if (start == 0) {
                    start = System.nanoTime();
                    cpuStart = processCpuNanos();
                }
                long polled = System.nanoTime();
                List<CompletableFuture<Void>> acks = new ArrayList<>();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    CompletableFuture<Void> f = new CompletableFuture<>();
                    producer.send(new ProducerRecord<>(out, r.key(), r.value()), (md, e) -> {
                        if (e != null) {
                            f.completeExceptionally(e);
                        } else {
                            lat.add(System.nanoTime() - polled);
                            f.complete(null);
                        }
                    });
                    acks.add(f);
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
                consumer.commitAsync(offsets, null);
                done += records.count();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(n, seconds, lat, List.of(), List.of(), Double.NaN, processCpuNanos() - cpuStart);
    }

    /**
     * Consume, produce, commit without waiting for a poll's acknowledgements: at most {@code maxInFlight} records
     * unacknowledged, each partition committed up to its acknowledged prefix after every poll.
     */
    private static Result pipelinedPassThrough(EmbeddedBroker broker, int n, int partitions) throws Exception {
        String tag = Long.toHexString(System.nanoTime());
        String in = "bench-in-" + tag;
        String out = "bench-out-" + tag;
        broker.createTopics(partitions, in, out);
        fill(broker.bootstrapServers(), in, n);
        List<Long> lat = Collections.synchronizedList(new ArrayList<>(n));
        java.util.concurrent.Semaphore room = new java.util.concurrent.Semaphore(1024);
        Map<TopicPartition, java.util.ArrayDeque<long[]>> unacked = new HashMap<>(); // {offset, acked 0/1}
        AtomicInteger acked = new AtomicInteger();
        long start = 0;
        long cpuStart = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(broker, "bench-piped-" + tag));
             KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
            consumer.subscribe(List.of(in));
            while (acked.get() < n) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(5));
                if (start == 0 && !records.isEmpty()) {
                    start = System.nanoTime();
                    cpuStart = processCpuNanos();
                }
                long polled = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    room.acquire();
                    long[] slot = {r.offset(), 0};
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    synchronized (unacked) {
                        unacked.computeIfAbsent(tp, k -> new java.util.ArrayDeque<>()).add(slot);
                    }
                    producer.send(new ProducerRecord<>(out, r.key(), r.value()), (md, e) -> {
                        synchronized (unacked) {
                            slot[1] = 1;
                        }
                        lat.add(System.nanoTime() - polled);
                        acked.incrementAndGet();
                        room.release();
                    });
                }
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                synchronized (unacked) {
                    unacked.forEach((tp, q) -> {
                        long next = -1;
                        while (!q.isEmpty() && q.peek()[1] == 1) {
                            next = q.poll()[0] + 1;
                        }
                        if (next >= 0) {
                            offsets.put(tp, new OffsetAndMetadata(next));
                        }
                    });
                }
                if (!offsets.isEmpty()) {
                    consumer.commitAsync(offsets, null);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(n, seconds, lat, List.of(), List.of(), Double.NaN, processCpuNanos() - cpuStart);
    }

    private static Map<String, Object> consumerProps(EmbeddedBroker broker, String group) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 256);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return c;
    }

    private static Result processor(EmbeddedBroker broker, int n, int partitions, boolean showThreads,
                                    boolean exactlyOnce) throws Exception {
        String tag = Long.toHexString(System.nanoTime());
        String prompts = "bench-prompts-" + tag;
        String[] others = {"bench-responses-" + tag, "bench-requests-" + tag, "bench-dlq-" + tag};
        broker.createTopics(partitions, prompts, others[0], others[1], others[2]);
        fill(broker.bootstrapServers(), prompts, n);
        SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name("bench" + tag)
                .store(CacheStores.inMemory())
                .embedFn(TestEmbedder.embedFn(DIM))
                .meterRegistry(new SimpleMeterRegistry())
                .build());
        cache.initialize().block();
        cache.storeAll(Flux.range(0, 200).map(q -> StoreRequest.of(
                "recurring question number q" + q + " about subject s" + q, "answer " + q)), null).blockLast();
        ProcessorHandle h = SemanticCacheProcessor.create(SemanticCacheProcessorConfig.builder()
                .bootstrapServers(broker.bootstrapServers())
                .groupId("bench-proc-" + tag)
                .promptsTopic(prompts)
                .responsesTopic(others[0])
                .llmRequestsTopic(others[1])
                .deadLetterTopic(others[2])
                .maxInFlight(1024)
                .maxPollRecords(256)
                .chunkSize(128)
                .exactlyOnce(exactlyOnce)
                .build(), cache, new SimpleMeterRegistry()).start();
        List<Long> lat = Collections.synchronizedList(new ArrayList<>(n));
        List<Long> hitLat = Collections.synchronizedList(new ArrayList<>());
        List<Long> missLat = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger hits = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(n);
        long[] first = {0, 0};
        ThreadCpu[] threads = new ThreadCpu[1];
        h.outcomes().subscribe(o -> {
            synchronized (first) {
                if (first[0] == 0) {
                    first[0] = System.nanoTime() - o.latencyNanos();
                    first[1] = processCpuNanos();
                    threads[0] = ThreadCpu.now();
                }
            }
            lat.add(o.latencyNanos());
            if (o.kind() == ProcessingOutcome.Kind.HIT) {
                hits.incrementAndGet();
                hitLat.add(o.latencyNanos());
            } else if (o.kind() == ProcessingOutcome.Kind.MISS) {
                missLat.add(o.latencyNanos());
            }
            all.countDown();
        });
        if (!all.await(300, TimeUnit.SECONDS)) {
            throw new IllegalStateException("processor did not finish: " + all.getCount() + " left");
        }
        double seconds = (System.nanoTime() - first[0]) / 1e9;
        long cpu = processCpuNanos() - first[1];
        if (showThreads) {
            System.out.println("processor run, CPU by thread (ms):");
            ThreadCpu.now().minus(threads[0]).print(10);
        }
        h.stop().block(Duration.ofSeconds(30));
        cache.close();
        return new Result(n, seconds, lat, hitLat, missLat, hits.get() / (double) n, cpu);
    }

    /**
     * CPU time per thread of this JVM from {@code /proc/self/task} (Linux), native threads (JIT compilers, GC)
     * included; names are grouped with their digits replaced by N. Empty elsewhere.
     */
    record ThreadCpu(Map<String, Long> ticksByThread) {
        static ThreadCpu now() {
            Map<String, Long> m = new HashMap<>();
            java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
            for (java.io.File t : tasks == null ? new java.io.File[0] : tasks) {
                try {
                    String stat = java.nio.file.Files.readString(t.toPath().resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    m.put(t.getName() + ":" + name, Long.parseLong(f[11]) + Long.parseLong(f[12])); // utime + stime
                } catch (java.io.IOException | RuntimeException e) {
                    // the thread ended
                }
            }
            return new ThreadCpu(m);
        }

        ThreadCpu minus(ThreadCpu before) {
            Map<String, Long> d = new HashMap<>();
            ticksByThread.forEach((k, v) -> d.put(k, v - before.ticksByThread.getOrDefault(k, 0L)));
            return new ThreadCpu(d);
        }

        void print(int top) {
            Map<String, Long> groups = new HashMap<>();
            ticksByThread.forEach((k, v) -> groups.merge(k.substring(k.indexOf(':') + 1).replaceAll("[0-9]+", "N"), v,
                    Long::sum));
            groups.entrySet().stream().filter(e -> e.getValue() > 0)
                    .sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(top)
                    .forEach(e -> System.out.printf("  %-16s %6d%n", e.getKey(), e.getValue() * 1000 / 100)); // 100 Hz ticks
        }
    }

    static double pct(List<Long> nanos, int p) {
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
