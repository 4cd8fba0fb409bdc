package com.betterdb.semanticcache.bench;

import com.betterdb.semanticcache.embed.local.LocalEmbedder;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.EntryRecord;
import com.betterdb.semanticcache.store.memory.InMemoryCacheStore;
import com.betterdb.semanticcache.store.memory.InMemoryOptions;
import com.betterdb.semanticcache.store.memory.RawBlockedScan;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Speed of the in-memory store's KNN and of the local embedding model. A program, not a test:
 * <pre>
 * mvn -o -q -pl library test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=com.betterdb.semanticcache.bench.InMemoryBench
 * </pre>
 * KNN: random unit vectors (seed 42), dim 384, k = 1, no filter, one query at a time from one thread (after a
 * warm-up), so latency = one scan; the baseline rows scan the same vectors in a bare float[] with one thread and
 * the scalar dot product, the "raw blocked kernel" rows with the store's vectorised block kernel alone, and
 * {@code --no-hnsw} skips the approximate rows (HNSW build + recall@1 against exact;
 * {@code -Dbench.hnswEntries} (100000), {@code -Dbench.efSearch} (100)). Embedding: all-MiniLM-L6-v2 through
 * {@link LocalEmbedder}, texts of ~10 words, batch 1 (one {@code embed} at a time) vs batch 32 ({@code embedAll} of 32 texts). Ratios are against the baseline
 * row of the same run (10k entries; batch 1).
 */
public final class InMemoryBench {

    private static final int DIM = 384;

    public static void main(String[] args) {
        boolean skipEmbed = Arrays.asList(args).contains("--no-embed");
        System.out.printf(Locale.ROOT, "java %s, %d available processors, max heap %d MB%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        System.out.println();
        System.out.println("| measurement | p50 | p99 | throughput | ratio vs baseline |");
        System.out.println("|---|---|---|---|---|");
        Result raw10 = rawScan(10_000, 400, false);
        print("raw exact scan k=1, 10k x 384, one thread, no store (baseline)", raw10, raw10, "queries/s");
        print("raw blocked kernel k=1, 10k x 384, one thread, no store", rawScan(10_000, 400, true), raw10,
                "queries/s");
        Result base = knn(10_000, 400);
        print("store KNN k=1, 10k x 384", base, raw10, "queries/s");
        InMemoryOptions oneThread = InMemoryOptions.builder().parallelThreshold(Integer.MAX_VALUE).build();
        print("store KNN k=1, 10k x 384, one thread (no slices)", knnWith(10_000, 400, 1, Filter.all(), oneThread),
                raw10, "queries/s");
        Result raw100 = rawScan(100_000, 100, false);
        print("raw exact scan k=1, 100k x 384, one thread, no store (baseline)", raw100, raw100, "queries/s");
        print("raw blocked kernel k=1, 100k x 384, one thread, no store", rawScan(100_000, 100, true), raw100,
                "queries/s");
        Result big = knn(100_000, 100);
        print("store KNN k=1, 100k x 384", big, raw100, "queries/s");
        print("store KNN k=1, 100k x 384, one thread (no slices)", knnWith(100_000, 100, 1, Filter.all(), oneThread),
                raw100, "queries/s");
        Result filtered = knnFiltered(100_000, 100);
        print("store KNN k=5, 100k x 384, tag filter (1/2 pass)", filtered, raw100, "queries/s");
        if (!Arrays.asList(args).contains("--no-hnsw")) {
            hnsw(Integer.getInteger("bench.hnswEntries", 100_000));
        }
        if (!skipEmbed) {
            try (LocalEmbedder embedder = LocalEmbedder.create()) {
                embedder.warmUp().block();
                Result one = embed(embedder, 1, 20);
                print("embed batch 1 (baseline)", one, one, "texts/s");
                Result b32 = embed(embedder, 32, 20);
                print("embed batch 32 (embedAll)", b32, one, "texts/s");
            }
        }
    }

    /** Latencies in ns, and throughput in items per second. */
    record Result(double p50Ms, double p99Ms, double perSecond) {
    }

    private static void print(String name, Result r, Result base, String unit) {
        System.out.printf(Locale.ROOT, "| %s | %.2f ms | %.2f ms | %.0f %s | %.2fx %s |%n", name, r.p50Ms(), r.p99Ms(),
                r.perSecond(), unit, r.perSecond() / base.perSecond(), r == base ? "" : "throughput");
    }

    private static InMemoryCacheStore filled(int n, Random r) {
        return filled(n, r, InMemoryOptions.defaults());
    }

    private static InMemoryCacheStore filled(int n, Random r, InMemoryOptions options) {
        InMemoryCacheStore store = new InMemoryCacheStore(new CacheKeys("bench"), options);
        store.ensureIndex(Mono.just(DIM)).block();
        int chunk = 1000;
        for (int start = 0; start < n; start += chunk) {
            List<String> keys = new ArrayList<>(chunk);
            List<EntryRecord> entries = new ArrayList<>(chunk);
            for (int i = start; i < Math.min(n, start + chunk); i++) {
                keys.add("bench:entry:" + i);
                entries.add(new EntryRecord(Map.of("prompt", "p" + i, "response", "r" + i,
                        "model", i % 2 == 0 ? "even" : "odd", "category", "", "inserted_at", "0", "metadata", "{}"),
                        Float32.encode(unit(r))));
            }
            store.putEntries(keys, entries, java.util.Collections.nCopies(keys.size(), null)).block();
        }
        return store;
    }

    private static float[] unit(Random r) {
        float[] v = new float[DIM];
        double s = 0;
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextGaussian();
            s += v[i] * v[i];
        }
        float n = (float) Math.sqrt(s);
        for (int i = 0; i < DIM; i++) {
            v[i] /= n;
        }
        return v;
    }

    private static Result knn(int n, int queries) {
        return knnWith(n, queries, 1, Filter.all());
    }

    private static Result knnFiltered(int n, int queries) {
        return knnWith(n, queries, 5, Filter.model("even"));
    }

    private static Result knnWith(int n, int queries, int k, Filter filter) {
        return knnWith(n, queries, k, filter, InMemoryOptions.defaults());
    }

    private static Result knnWith(int n, int queries, int k, Filter filter, InMemoryOptions options) {
        Random r = new Random(42);
        InMemoryCacheStore store = filled(n, r, options);
        for (int i = 0; i < Math.max(20, queries / 4); i++) { // warm-up (JIT)
            store.knn(unit(r), k, filter).block();
        }
        long[] lat = new long[queries];
        long t0 = System.nanoTime();
        for (int i = 0; i < queries; i++) {
            float[] q = unit(r);
            long s = System.nanoTime();
            if (store.knn(q, k, filter).block().size() != k) {
                throw new IllegalStateException("short result");
            }
            lat[i] = System.nanoTime() - s;
        }
        long total = System.nanoTime() - t0;
        return summarize(lat, queries, total);
    }

    /**
     * The floor the store is measured against: the same random vectors in one contiguous float[], scanned by one
     * thread with the scalar dot product (one row at a time, as the store did before its blocked layout), best
     * distance kept, nothing else (no entries, TTLs, keys). {@code blocked}: the store's blocked matrix and its
     * vectorised kernel instead, still one thread and nothing else.
     */
    private static Result rawScan(int n, int queries, boolean blocked) {
        Random r = new Random(42);
        float[] m = new float[n * DIM];
        for (int i = 0; i < n; i++) {
            System.arraycopy(unit(r), 0, m, i * DIM, DIM);
        }
        RawBlockedScan kernel = blocked ? new RawBlockedScan(m, n, DIM) : null;
        long[] lat = new long[queries];
        int sink = 0;
        for (int w = 0; w < Math.max(20, queries / 4) + queries; w++) {
            float[] q = unit(r);
            long s = System.nanoTime();
            int at = kernel != null ? kernel.nearest(q) : nearest(q, m, n);
            sink += at;
            int i = w - Math.max(20, queries / 4);
            if (i >= 0) {
                lat[i] = System.nanoTime() - s;
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
        long total = Arrays.stream(lat).sum();
        return summarize(lat, queries, total);
    }

    private static int nearest(float[] q, float[] m, int n) {
        float best = Float.POSITIVE_INFINITY;
        int at = -1;
        for (int row = 0; row < n; row++) {
            float d = 1f - rawDot(q, m, row * DIM);
            if (d < best) {
                best = d;
                at = row;
            }
        }
        return at;
    }

    private static float rawDot(float[] a, float[] m, int off) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        for (int i = 0; i < a.length; i += 4) {
            s0 += a[i] * m[off + i];
            s1 += a[i + 1] * m[off + i + 1];
            s2 += a[i + 2] * m[off + i + 2];
            s3 += a[i + 3] * m[off + i + 3];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * HNSW (Lucene) against the exact scan on the same store contents: build time, latency, and recall@1 (how often
     * the approximate top hit is the exact top hit) for queries near a stored vector (cache-hit-like: a stored
     * vector plus noise) and for uniformly random queries (the hard case: every vector is about as far).
     */
    private static void hnsw(int n) {
        Random r = new Random(42);
        List<float[]> stored = new ArrayList<>();
        Random copy = new Random(42);
        for (int i = 0; i < n; i++) {
            stored.add(unit(copy));
        }
        InMemoryCacheStore exact = filled(n, new Random(42));
        long t0 = System.nanoTime();
        InMemoryCacheStore approx = filled(n, new Random(42), InMemoryOptions.builder()
                .hnsw(com.betterdb.semanticcache.store.memory.HnswOptions.builder()
                        .efSearch(Integer.getInteger("bench.efSearch", 100)).build()).build());
        double buildS = (System.nanoTime() - t0) / 1e9;
        int queries = 200;
        for (String kind : new String[]{"near a stored vector", "uniformly random"}) {
            long[] lat = new long[queries];
            long[] exactLat = new long[queries];
            int agree = 0;
            for (int w = 0; w < 50; w++) {
                approx.knn(unit(r), 1, Filter.all()).block();
            }
            for (int i = 0; i < queries; i++) {
                float[] q = kind.startsWith("near") ? noisy(stored.get(r.nextInt(n)), r) : unit(r);
                long s = System.nanoTime();
                var a = approx.knn(q, 1, Filter.all()).block();
                lat[i] = System.nanoTime() - s;
                s = System.nanoTime();
                var e = exact.knn(q, 1, Filter.all()).block();
                exactLat[i] = System.nanoTime() - s;
                if (a.get(0).key().equals(e.get(0).key())) {
                    agree++;
                }
            }
            Result res = summarize(lat, queries, Arrays.stream(lat).sum());
            Result ex = summarize(exactLat, queries, Arrays.stream(exactLat).sum());
            print(String.format(Locale.ROOT, "exact store KNN k=1, %dk x 384, query %s (baseline)", n / 1000, kind),
                    ex, ex, "queries/s");
            print(String.format(Locale.ROOT, "HNSW k=1, %dk x 384, query %s: recall@1 %.3f (%d/%d)", n / 1000, kind,
                    agree / (double) queries, agree, queries), res, ex, "queries/s");
        }
        System.out.printf(Locale.ROOT, "| HNSW build (M 16, beam 100, efSearch %d), %dk x 384 | | | %.0f inserts/s |"
                + " %.1f s total |%n", Integer.getInteger("bench.efSearch", 100), n / 1000, n / buildS, buildS);
    }

    private static float[] noisy(float[] base, Random r) {
        float[] v = base.clone();
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) (r.nextGaussian() * 0.02);
        }
        return v;
    }

    private static Result embed(LocalEmbedder embedder, int batch, int rounds) {
        String[] words = ("what is the capital of france how do i bake bread reset my password weather today "
                + "cache valkey vector search response model latency throughput").split(" ");
        Random r = new Random(7);
        List<Long> lat = new ArrayList<>();
        for (int w = 0; w < 3; w++) { // warm-up
            embedder.embedAll(texts(words, r, batch)).block();
        }
        long texts = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            List<String> t = texts(words, r, batch);
            long s = System.nanoTime();
            if (batch == 1) {
                embedder.embed(t.get(0)).block();
            } else {
                embedder.embedAll(t).block();
            }
            lat.add(System.nanoTime() - s);
            texts += batch;
        }
        long total = System.nanoTime() - t0;
        long[] arr = lat.stream().mapToLong(Long::longValue).toArray();
        return summarize(arr, texts, total);
    }

    private static List<String> texts(String[] words, Random r, int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < 10; j++) {
                sb.append(words[r.nextInt(words.length)]).append(' ');
            }
            out.add(sb.toString().trim());
        }
        return out;
    }

    private static Result summarize(long[] lat, long items, long totalNanos) {
        long[] sorted = lat.clone();
        Arrays.sort(sorted);
        double p50 = sorted[(int) Math.floor(0.50 * (sorted.length - 1))] / 1e6;
        double p99 = sorted[(int) Math.ceil(0.99 * (sorted.length - 1))] / 1e6;
        return new Result(p50, p99, items / (totalNanos / 1e9));
    }
}
