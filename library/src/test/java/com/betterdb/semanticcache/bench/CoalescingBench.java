package com.betterdb.semanticcache.bench;

import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.ComputeResult;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.store.CacheStoreFactory;
import com.betterdb.semanticcache.store.CacheStores;
import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Burst benchmark of {@code getOrCompute} (a program, not a test): G groups of P paraphrases each arrive at random
 * moments within a window; the LLM answers after a fixed latency. Runs the same burst without and with in-flight
 * coalescing, on fresh caches, and prints LLM calls per group and latency percentiles by outcome.
 *
 * <pre>
 * ./mvnw -q -pl library test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=com.betterdb.semanticcache.bench.CoalescingBench \
 *     [-Dbench.groups=50 -Dbench.paraphrases=20 -Dbench.windowMs=200 -Dbench.llmMs=300 -Dbench.dim=384]
 * </pre>
 * With {@code VALKEY_SEARCH_URL} set it runs on Valkey + valkey-search, else on the in-memory store. Paraphrases
 * are synthetic vectors around a random centroid per group (pairwise cosine distance about 0.02-0.05, threshold
 * 0.1); groups are unrelated (distance about 1).
 */
public final class CoalescingBench {

    private static final int GROUPS = Integer.getInteger("bench.groups", 50);
    private static final int PARAPHRASES = Integer.getInteger("bench.paraphrases", 20);
    private static final int WINDOW_MS = Integer.getInteger("bench.windowMs", 200);
    private static final int LLM_MS = Integer.getInteger("bench.llmMs", 300);
    private static final int DIM = Integer.getInteger("bench.dim", 384);

    private record Arrival(String prompt, int group, long atMs) {
    }

    private record Outcome(ComputeResult.Outcome outcome, double latencyMs) {
    }

    public static void main(String[] args) {
        Random random = new Random(11);
        Map<String, float[]> vectors = new ConcurrentHashMap<>();
        vectors.put("probe", unit(random));
        List<Arrival> arrivals = new ArrayList<>();
        for (int g = 0; g < GROUPS; g++) {
            float[] centroid = unit(random);
            for (int p = 0; p < PARAPHRASES; p++) {
                String text = "group " + g + " paraphrase " + p;
                vectors.put(text, near(centroid, random));
                arrivals.add(new Arrival(text, g, random.nextInt(WINDOW_MS)));
            }
        }
        String url = System.getenv("VALKEY_SEARCH_URL");
        RedisClient client = url == null ? null : RedisClient.create(url);
        System.out.printf(Locale.ROOT, "store=%s groups=%d paraphrases=%d window=%d ms llm=%d ms dim=%d cores=%d%n",
                url == null ? "in-memory" : "valkey-search " + url, GROUPS, PARAPHRASES, WINDOW_MS, LLM_MS, DIM,
                Runtime.getRuntime().availableProcessors());
        try {
            // Warm-up (JIT, connection), then the two measured runs.
            run("warm-up", vectors, arrivals, true, client);
            Result off = run("without coalescing", vectors, arrivals, false, client);
            Result on = run("with coalescing", vectors, arrivals, true, client);
            System.out.printf(Locale.ROOT, "LLM calls: %d without, %d with coalescing: %.2fx fewer%n",
                    off.llmCalls, on.llmCalls, (double) off.llmCalls / on.llmCalls);
        } finally {
            if (client != null) {
                client.shutdown();
            }
        }
    }

    private record Result(int llmCalls, List<Outcome> outcomes) {
    }

    private static Result run(String label, Map<String, float[]> vectors, List<Arrival> arrivals, boolean coalesce,
                              RedisClient client) {
        CacheStoreFactory store = client == null ? CacheStores.inMemory()
                : CacheStores.valkey(client.connect(ByteArrayCodec.INSTANCE));
        SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name("cobench_" + UUID.randomUUID().toString().substring(0, 8))
                .store(store)
                .embedFn(t -> Mono.just(vectors.get(t)))
                .coalescing(coalesce ? SemanticCacheOptions.Coalescing.DEFAULT
                        : SemanticCacheOptions.Coalescing.disabled())
                .embeddingCache(SemanticCacheOptions.EmbeddingCache.disabled())
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .meterRegistry(new SimpleMeterRegistry())
                .build());
        AtomicInteger llmCalls = new AtomicInteger();
        try {
            cache.initialize().block();
            long t0 = System.nanoTime();
            List<Outcome> outcomes = Flux.fromIterable(arrivals)
                    .flatMap(a -> Mono.delay(Duration.ofMillis(a.atMs)).then(Mono.defer(() -> {
                        long start = System.nanoTime();
                        return cache.getOrCompute(a.prompt, p -> {
                                    llmCalls.incrementAndGet();
                                    return Mono.delay(Duration.ofMillis(LLM_MS)).thenReturn(Answer.of("answer " + a.group));
                                })
                                .map(r -> new Outcome(r.outcome(), (System.nanoTime() - start) / 1e6));
                    })), Integer.MAX_VALUE)
                    .collectList().block();
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%-20s %5d requests in %.2f s, LLM calls %4d (%.2f per group)%n", label,
                    outcomes.size(), seconds, llmCalls.get(), (double) llmCalls.get() / GROUPS);
            for (ComputeResult.Outcome o : ComputeResult.Outcome.values()) {
                double[] ms = outcomes.stream().filter(x -> x.outcome == o).mapToDouble(Outcome::latencyMs).sorted()
                        .toArray();
                if (ms.length > 0) {
                    System.out.printf(Locale.ROOT, "    %-9s %5d   p50 %7.1f ms   p99 %7.1f ms%n", o, ms.length,
                            pct(ms, 0.50), pct(ms, 0.99));
                }
            }
            return new Result(llmCalls.get(), outcomes);
        } finally {
            cache.flush().onErrorResume(e -> Mono.empty()).block();
            cache.close();
        }
    }

    private static double pct(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** A random unit vector of {@code bench.dim} dimensions (also the Kafka burst benchmark's group centroids). */
    public static float[] unit(Random r) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return normalise(v);
    }

    /** A vector about 0.01-0.02 cosine distance from {@code c}. */
    /** A paraphrase of centroid {@code c}: pairwise distance about 0.02-0.05 (also the Kafka burst benchmark's). */
    public static float[] near(float[] c, Random r) {
        float[] v = Arrays.copyOf(c, c.length);
        double sigma = 0.15 / Math.sqrt(DIM);
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) (r.nextGaussian() * sigma);
        }
        return normalise(v);
    }

    private static float[] normalise(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        float inv = (float) (1 / Math.sqrt(n));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        return v;
    }
}
