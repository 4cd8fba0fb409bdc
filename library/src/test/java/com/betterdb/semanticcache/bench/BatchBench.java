package com.betterdb.semanticcache.bench;

import com.betterdb.semanticcache.BatchOptions;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.StoreRequest;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.prompt.Prompt;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.CacheStoreFactory;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.store.SearchRequest;
import com.betterdb.semanticcache.store.valkey.protocol.FtCommands;
import com.betterdb.semanticcache.store.valkey.protocol.FtKeywords;
import com.betterdb.semanticcache.store.valkey.protocol.FtSearchOutput;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Batch throughput benchmark (a program, not a test). Same store, same data, same precomputed embeddings in one
 * process; prints checks/s and latency percentiles per row, and ratios to the sequential {@code check()} baseline (A)
 * and to raw pipelined searches with no cache logic (B, the store's limit).
 *
 * <pre>
 * VALKEY_SEARCH_URL=redis://127.0.0.1:6379 mvn -q -pl library test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=com.betterdb.semanticcache.bench.BatchBench [-Dbench.entries=10000 -Dbench.dim=384]
 * </pre>
 * Without {@code VALKEY_SEARCH_URL} it runs against the in-memory store.
 */
public final class BatchBench {

    private static final int ENTRIES = Integer.getInteger("bench.entries", 10_000);
    private static final int DIM = Integer.getInteger("bench.dim", 384);
    private static final int QUERIES = Integer.getInteger("bench.queries", 4_000);
    private static final int SEQUENTIAL = Integer.getInteger("bench.sequential", 1_000);

    public static void main(String[] args) throws Exception {
        String url = System.getenv("VALKEY_SEARCH_URL");
        if (url != null && !Boolean.getBoolean("bench.legacy")) {
            // valkey-search has its own program, with raw-socket and batched baselines measured in rounds.
            System.err.println("For valkey-search run ValkeySearchBench (docs/performance.md); -Dbench.legacy=true runs"
                    + " this program's older valkey-search rows anyway.");
            System.exit(2);
        }
        Random random = new Random(7);
        Map<String, float[]> vectors = new ConcurrentHashMap<>();
        List<String> stored = new ArrayList<>();
        for (int i = 0; i < ENTRIES; i++) {
            String text = "entry " + i;
            vectors.put(text, unit(random));
            stored.add(text);
        }
        // Queries: half near a stored entry (hits), half random (misses).
        List<Prompt> queries = new ArrayList<>();
        for (int i = 0; i < QUERIES; i++) {
            String text = "query " + i;
            float[] v = i % 2 == 0 ? near(vectors.get(stored.get(random.nextInt(ENTRIES))), random) : unit(random);
            vectors.put(text, v);
            queries.add(Prompt.of(text));
        }
        vectors.put("probe", unit(random));

        RedisClient client = null;
        StatefulRedisConnection<byte[], byte[]> connection = null;
        StatefulRedisConnection<byte[], byte[]> plain = null;
        CacheStoreFactory factory;
        String name = "bench_" + UUID.randomUUID().toString().substring(0, 8);
        String plainUrl = System.getenv("VALKEY_URL");
        String storeName;
        if (url != null) {
            client = RedisClient.create(url);
            connection = client.connect(ByteArrayCodec.INSTANCE);
            factory = CacheStores.valkey(connection);
            storeName = "valkey-search " + url;
        } else if (plainUrl != null) {
            // Plain Valkey: searches in memory, every other command on the real server (see HybridStore).
            client = RedisClient.create(plainUrl);
            StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
            CacheStoreFactory memory = CacheStores.inMemory();
            factory = keys -> new HybridStore(memory.open(keys), CacheStores.valkey(c).open(keys));
            storeName = "in-memory search + Valkey for all other commands " + plainUrl;
            plain = c;
        } else {
            factory = CacheStores.inMemory();
            storeName = "in-memory";
        }
        CacheStore[] storeRef = new CacheStore[1];
        CacheStoreFactory capturing = keys -> storeRef[0] = factory.open(keys);
        SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name(name)
                .store(capturing)
                .embedFn(t -> Mono.just(vectors.get(t)))
                .embeddingCache(Boolean.getBoolean("bench.embeddingCache") ? SemanticCacheOptions.EmbeddingCache.DEFAULT
                        : SemanticCacheOptions.EmbeddingCache.disabled())
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .meterRegistry(new SimpleMeterRegistry())
                .build());
        try {
            cache.initialize().block();
            System.out.printf(Locale.ROOT, "store=%s entries=%d dim=%d queries=%d cores=%d%n",
                    storeName, ENTRIES, DIM, QUERIES,
                    Runtime.getRuntime().availableProcessors());

            // storeAll vs sequential store
            int seqStores = Math.min(SEQUENTIAL, ENTRIES / 2);
            Row storeSeq = time("store() sequential", seqStores, () -> Flux.fromIterable(stored.subList(0, seqStores))
                    .concatMap(t -> timed(cache.store(Prompt.of(t), "answer to " + t, StoreOptions.defaults())))
                    .collectList().block());
            Row storeAll = time("storeAll(256)", ENTRIES - seqStores, () -> Flux.fromIterable(stored.subList(seqStores, ENTRIES))
                    .map(t -> StoreRequest.of(t, "answer to " + t))
                    .transform(f -> cache.storeAll(f, BatchOptions.defaults().withMaxInFlight(256)))
                    .map(r -> 0L).collectList().block());
            awaitIndexed(storeRef[0], url != null);

            Row a = time("check() sequential [A]", SEQUENTIAL, () -> Flux.fromIterable(queries.subList(0, SEQUENTIAL))
                    .concatMap(q -> timed(cache.check(q, CheckOptions.defaults()))).collectList().block());
            List<Row> rows = new ArrayList<>();
            for (int inFlight : new int[]{1, 16, 64, 256}) {
                rows.add(time("checkAll(" + inFlight + ")", QUERIES, () -> {
                    long[] starts = new long[QUERIES];
                    List<Long> lat = new ArrayList<>(QUERIES);
                    int[] idx = {0, 0};
                    Flux<Prompt> source = Flux.fromIterable(queries).doOnNext(q -> starts[idx[0]++] = System.nanoTime());
                    cache.checkAll(source, CheckOptions.defaults(), BatchOptions.defaults().withMaxInFlight(inFlight))
                            .doOnNext(r -> lat.add(System.nanoTime() - starts[idx[1]++]))
                            .blockLast();
                    return lat;
                }));
            }
            Row b;
            if (connection != null) {
                StatefulRedisConnection<byte[], byte[]> c = connection;
                String idx = name + ":idx";
                b = time("raw FT.SEARCH pipelined(256) [B]", QUERIES, () -> Flux.fromIterable(queries)
                        .flatMapSequential(q -> timed(Mono.fromCompletionStage(() -> c.async().dispatch(FtKeywords.SEARCH,
                                new FtSearchOutput(), FtCommands.knnSearch(idx, FtCommands.knnQuery(null, 1),
                                        Float32.encode(vectors.get(q.text())), 1, FtCommands.KNN_RETURN_FIELDS)))), 256)
                        .collectList().block());
            } else {
                CacheStore s = storeRef[0];
                // The store's own batch search in the chunks checkAll(256) uses, with no cache logic around it.
                b = time("raw store.knnAll chunks(32x8) [B]", QUERIES, () -> Flux.fromIterable(queries)
                        .buffer(32)
                        .flatMapSequential(chunk -> timed(s.knnAll(chunk.stream()
                                .map(q -> new SearchRequest(vectors.get(q.text()), 1, Filter.all())).toList()).then()), 8)
                        .collectList().block());
            }
            System.out.println();
            System.out.printf(Locale.ROOT, "%-36s %12s %10s %10s %8s %8s%n", "row", "ops/s", "p50 ms", "p99 ms", "x A", "x B");
            List<Row> all = new ArrayList<>(List.of(a));
            all.addAll(rows);
            all.add(b);
            for (Row r : all) {
                System.out.printf(Locale.ROOT, "%-36s %12.0f %10.3f %10.3f %8.2f %8.2f%n", r.name, r.opsPerSec, r.p50,
                        r.p99, r.opsPerSec / a.opsPerSec, r.opsPerSec / b.opsPerSec);
            }
            System.out.printf(Locale.ROOT, "%-36s %12.0f %10.3f %10.3f%n", storeSeq.name, storeSeq.opsPerSec, storeSeq.p50,
                    storeSeq.p99);
            System.out.printf(Locale.ROOT, "%-36s %12.0f %10s %10s %8.2f (x sequential store)%n", storeAll.name,
                    storeAll.opsPerSec, "-", "-", storeAll.opsPerSec / storeSeq.opsPerSec);
        } finally {
            cache.flush().onErrorResume(e -> Mono.empty()).block();
            cache.close();
            if (plain != null) {
                // Remove what the benchmark wrote to the plain Valkey (its keys all start with the unique name).
                var sync = plain.sync();
                var scan = io.lettuce.core.ScanArgs.Builder.matches(name + ":*").limit(1000);
                io.lettuce.core.KeyScanCursor<byte[]> cursor = sync.scan(scan);
                while (true) {
                    if (!cursor.getKeys().isEmpty()) {
                        sync.del(cursor.getKeys().toArray(new byte[0][]));
                    }
                    if (cursor.isFinished()) {
                        break;
                    }
                    cursor = sync.scan(cursor, scan);
                }
                plain.close();
            }
            if (connection != null) {
                connection.close();
            }
            if (client != null) {
                client.shutdown();
            }
        }
    }

    private record Row(String name, double opsPerSec, double p50, double p99) {
    }

    private interface Work {
        List<Long> run() throws Exception;
    }

    private static <T> Mono<Long> timed(Mono<T> op) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return op.then(Mono.fromSupplier(() -> System.nanoTime() - start));
        });
    }

    private static Row time(String name, int n, Work work) throws Exception {
        work.run(); // warm-up pass (JIT, connections); the measured pass follows
        long start = System.nanoTime();
        List<Long> lat = work.run();
        double secs = (System.nanoTime() - start) / 1e9;
        long[] sorted = lat.stream().mapToLong(Long::longValue).sorted().toArray();
        double p50 = sorted.length == 0 ? 0 : sorted[sorted.length / 2] / 1e6;
        double p99 = sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1e6;
        System.out.printf(Locale.ROOT, "  %-34s done in %.2fs%n", name, secs);
        return new Row(name, n / secs, p50, p99);
    }

    private static void awaitIndexed(CacheStore store, boolean valkey) throws InterruptedException {
        if (!valkey) {
            return;
        }
        for (int i = 0; i < 600; i++) {
            var s = store.indexStats().block();
            if (s != null && s.numDocs() >= ENTRIES && "ready".equals(s.indexingState())) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private static float[] unit(Random r) {
        float[] v = new float[DIM];
        double n = 0;
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextGaussian();
            n += v[i] * v[i];
        }
        n = Math.sqrt(n);
        for (int i = 0; i < DIM; i++) {
            v[i] /= (float) n;
        }
        return v;
    }

    private static float[] near(float[] base, Random r) {
        float[] v = Arrays.copyOf(base, base.length);
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) (r.nextGaussian() * 0.01);
        }
        return v;
    }
}
