package com.betterdb.semanticcache.bench;

import com.betterdb.semanticcache.BatchOptions;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.StoreRequest;
import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.prompt.Prompt;
import com.betterdb.semanticcache.store.CacheStoreFactory;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.store.valkey.ValkeyStoreOptions;
import com.betterdb.semanticcache.store.valkey.protocol.FtCommands;
import com.betterdb.semanticcache.store.valkey.protocol.FtKeywords;
import com.betterdb.semanticcache.store.valkey.protocol.FtSearchOutput;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * {@code checkAll} / {@code storeAll} against the raw limits of a real valkey-search server (a program, not a test).
 *
 * <pre>
 * VALKEY_SEARCH_URL=redis://127.0.0.1:6390 ./mvnw -q -pl library test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=com.betterdb.semanticcache.bench.ValkeySearchBench
 * </pre>
 *
 * <p>Baselines, all sending the library's exact FT.SEARCH argv (same index, same query vectors) or the exact HSET
 * of an entry:
 * <ul>
 *   <li><b>raw socket</b> ({@link RawResp}): hand-encoded RESP, one write per batch of 32, a reader thread that skips
 *       replies, a window of 256 per connection; on 1 and on N connections (the server blocks a connection for the
 *       duration of each FT.SEARCH and each HSET into an indexed prefix, so one connection keeps one of its worker
 *       threads busy at a time). The <b>limit</b> of a round is its fastest raw row.</li>
 *   <li><b>Lettuce batched</b>: one Lettuce connection with auto-flush off, 32 commands dispatched then one
 *       {@code flushCommands()}, a window of 256, replies decoded by the library's {@code FtSearchOutput}.</li>
 * </ul>
 * Every row runs once per round; rounds rotate the row order, and the ratios printed are the medians over rounds of
 * (row ÷ the same round's limit), so slow phases of a shared machine hit baselines and library alike. Each row also
 * reports the CPU it cost per operation: this JVM ({@code getProcessCpuTime}) and the server ({@code INFO cpu}).
 *
 * <p>Options: {@code -Dbench.entries} (10000), {@code -Dbench.dim} (384), {@code -Dbench.queries} (4000 per row),
 * {@code -Dbench.rounds} (5), {@code -Dbench.stores} (1000 entries per store row), {@code -Dbench.connections}
 * (the raw multi-connection row and the store's connections; default the store's default), {@code -Dbench.depth}
 * (the store's pipeline depth per connection),
 * {@code -Dbench.only=check|store}, {@code -Dbench.rows=REGEX} (library rows to run; baselines always run).
 */
public final class ValkeySearchBench {

    private static final int ENTRIES = Integer.getInteger("bench.entries", 10_000);
    private static final int DIM = Integer.getInteger("bench.dim", 384);
    private static final int QUERIES = Integer.getInteger("bench.queries", 4_000);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final int STORES = Integer.getInteger("bench.stores", 1_000);
    private static final int CONNECTIONS = Integer.getInteger("bench.connections",
            ValkeyStoreOptions.defaults().searchConnections());
    private static final ValkeyStoreOptions STORE_OPTIONS = ValkeyStoreOptions.builder().searchConnections(CONNECTIONS)
            .pipelineDepth(Integer.getInteger("bench.depth", ValkeyStoreOptions.DEFAULT_PIPELINE_DEPTH)).build();
    private static final String ONLY = System.getProperty("bench.only", "");
    private static final int BATCH = 32;
    private static final int WINDOW = 256;

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) throws Exception {
        String url = System.getenv("VALKEY_SEARCH_URL");
        if (url == null) {
            throw new IllegalStateException("set VALKEY_SEARCH_URL to a valkey-search server, e.g. redis://127.0.0.1:6390");
        }
        RedisURI uri = RedisURI.create(url);
        RedisClient client = RedisClient.create(uri);
        StatefulRedisConnection<String, String> admin = client.connect(StringCodec.UTF8);
        System.out.printf(Locale.ROOT, "valkey-search %s entries=%d dim=%d queries/row=%d rounds=%d stores/row=%d"
                        + " connections=%d cores=%d java=%s%n", url, ENTRIES, DIM, QUERIES, ROUNDS, STORES, CONNECTIONS,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        try {
            if (!ONLY.equals("store")) {
                checkPhase(client, uri, admin);
            }
            if (!ONLY.equals("check")) {
                storePhase(client, uri, admin);
            }
        } finally {
            admin.close();
            client.shutdown();
        }
    }

    // ------------------------------------------------------------------------------------------------ check side

    private static void checkPhase(RedisClient client, RedisURI uri, StatefulRedisConnection<String, String> admin)
            throws Exception {
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
        byte[][] queryBytes = new byte[QUERIES][];
        for (int i = 0; i < QUERIES; i++) {
            String text = "query " + i;
            float[] v = i % 2 == 0 ? near(vectors.get(stored.get(random.nextInt(ENTRIES))), random) : unit(random);
            vectors.put(text, v);
            queries.add(Prompt.of(text));
            queryBytes[i] = Float32.encode(v);
        }
        vectors.put("probe", unit(random));
        String name = "bench_" + UUID.randomUUID().toString().substring(0, 8);
        SemanticCache cache = cache(name, CacheStores.valkey(client, STORE_OPTIONS), vectors);
        try {
            cache.initialize().block();
            long t0 = System.nanoTime();
            Flux.fromIterable(stored).map(t -> StoreRequest.of(t, "answer to " + t))
                    .transform(f -> cache.storeAll(f, BatchOptions.defaults())).blockLast();
            awaitIndexed(admin, name + ":idx", ENTRIES);
            System.out.printf(Locale.ROOT, "loaded %d entries in %.1fs%n", ENTRIES, (System.nanoTime() - t0) / 1e9);

            String idx = name + ":idx";
            RawResp.Commands search = (i, w) -> {
                List<byte[]> argv = FtCommands.knnSearchArgv(idx, FtCommands.knnQuery(null, 1), queryBytes[i], 1,
                        FtCommands.KNN_RETURN_FIELDS);
                w.array(argv.size() + 1).bulk(FtKeywords.SEARCH.getBytes());
                for (byte[] a : argv) {
                    w.bulk(a);
                }
            };
            StatefulRedisConnection<byte[], byte[]> lettuce = client.connect(ByteArrayCodec.INSTANCE);
            lettuce.setAutoFlushCommands(false);
            List<Row> rows = new ArrayList<>();
            rows.add(Row.baseline("raw socket FT.SEARCH, 1 connection", QUERIES,
                    () -> RawResp.run(uri.getHost(), uri.getPort(), QUERIES, BATCH, WINDOW, 1, search).latencies()));
            rows.add(Row.baseline("raw socket FT.SEARCH, " + CONNECTIONS + " connections", QUERIES,
                    () -> RawResp.run(uri.getHost(), uri.getPort(), QUERIES, BATCH, WINDOW, CONNECTIONS, search)
                            .latencies()));
            rows.add(new Row("Lettuce batched FT.SEARCH, 1 connection", QUERIES, () -> lettuceBatched(lettuce, QUERIES,
                    i -> FtCommands.knnSearch(idx, FtCommands.knnQuery(null, 1), queryBytes[i], 1,
                            FtCommands.KNN_RETURN_FIELDS), FtKeywords.SEARCH, FtSearchOutput::new)));
            rows.add(checkAllRow(cache, queries, BatchOptions.defaults(), "checkAll(default "
                    + BatchOptions.defaults().maxInFlight() + ")"));
            for (int inFlight : new int[]{16, 64, 256, 1024}) {
                rows.add(checkAllRow(cache, queries, BatchOptions.defaults().withMaxInFlight(inFlight),
                        "checkAll(" + inFlight + ")"));
            }
            int seq = Math.min(QUERIES, 1000);
            rows.add(new Row("check() sequential", seq, () -> Flux.fromIterable(queries.subList(0, seq))
                    .concatMap(q -> timed(cache.check(q, CheckOptions.defaults()))).collectList().block().stream()
                    .mapToLong(Long::longValue).toArray()));
            runRounds("FT.SEARCH side (" + ENTRIES + " entries, k=1)", rows, admin);
            lettuce.close();
        } finally {
            cache.flush().onErrorResume(e -> Mono.empty()).block();
            cache.close();
        }
    }

    private static Row checkAllRow(SemanticCache cache, List<Prompt> queries, BatchOptions batch, String label) {
        return new Row(label, queries.size(), () -> {
            long[] starts = new long[queries.size()];
            long[] lat = new long[queries.size()];
            int[] idx = {0, 0};
            Flux<Prompt> source = Flux.fromIterable(queries).doOnNext(q -> starts[idx[0]++] = System.nanoTime());
            cache.checkAll(source, CheckOptions.defaults(), batch)
                    .doOnNext(r -> {
                        if (r.error() != null) {
                            throw new IllegalStateException("check failed", r.error());
                        }
                        int i = idx[1]++;
                        lat[i] = System.nanoTime() - starts[i];
                    })
                    .blockLast();
            return lat;
        });
    }

    // ------------------------------------------------------------------------------------------------ store side

    private static void storePhase(RedisClient client, RedisURI uri, StatefulRedisConnection<String, String> admin)
            throws Exception {
        Random random = new Random(11);
        int total = STORES * 6 * (ROUNDS + 1);
        Map<String, float[]> vectors = new ConcurrentHashMap<>();
        List<String> texts = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            String t = "stored " + i;
            texts.add(t);
            vectors.put(t, unit(random));
        }
        vectors.put("probe", unit(random));
        String name = "bench_" + UUID.randomUUID().toString().substring(0, 8);
        SemanticCache cache = cache(name, CacheStores.valkey(client, STORE_OPTIONS), vectors);
        String prefix = name + ":entry:";
        int[] next = {0};
        // Each call of a row takes STORES fresh texts: every row inserts new keys into the same growing index.
        Supplier<List<String>> fresh = () -> {
            List<String> out = texts.subList(next[0], next[0] + STORES);
            next[0] += STORES;
            return out;
        };
        try {
            cache.initialize().block();
            StatefulRedisConnection<byte[], byte[]> lettuce = client.connect(ByteArrayCodec.INSTANCE);
            lettuce.setAutoFlushCommands(false);
            List<Row> rows = new ArrayList<>();
            rows.add(Row.baseline("raw socket HSET, 1 connection", STORES, () -> rawHset(uri, fresh.get(), vectors,
                    prefix, 1)));
            rows.add(Row.baseline("raw socket HSET, " + CONNECTIONS + " connections", STORES, () -> rawHset(uri,
                    fresh.get(), vectors, prefix, CONNECTIONS)));
            rows.add(new Row("Lettuce batched HSET, 1 connection", STORES, () -> {
                List<String> batch = fresh.get();
                return lettuceBatched(lettuce, batch.size(), i -> hsetArgs(prefix, batch.get(i), vectors),
                        CommandType.HSET, () -> new IntegerOutput<>(ByteArrayCodec.INSTANCE));
            }));
            rows.add(new Row("storeAll(default " + BatchOptions.defaults().maxInFlight() + ")", STORES,
                    () -> storeAll(cache, fresh.get(), BatchOptions.defaults())));
            rows.add(new Row("storeAll(1024)", STORES,
                    () -> storeAll(cache, fresh.get(), BatchOptions.defaults().withMaxInFlight(1024))));
            rows.add(new Row("store() sequential", STORES / 4, () -> Flux.fromIterable(fresh.get().subList(0, STORES / 4))
                    .concatMap(t -> timed(cache.store(Prompt.of(t), "answer to " + t, StoreOptions.defaults())))
                    .collectList().block().stream().mapToLong(Long::longValue).toArray()));
            runRounds("HSET side (entries written into the indexed prefix)", rows, admin);
            lettuce.close();
        } finally {
            cache.flush().onErrorResume(e -> Mono.empty()).block();
            cache.close();
        }
    }

    private static long[] storeAll(SemanticCache cache, List<String> texts, BatchOptions batch) {
        return cache.storeAll(Flux.fromIterable(texts).map(t -> StoreRequest.of(t, "answer to " + t)), batch)
                .doOnNext(r -> {
                    if (r.error() != null) {
                        throw new IllegalStateException("store failed", r.error());
                    }
                })
                .map(r -> 0L).collectList().block().stream().mapToLong(Long::longValue).toArray();
    }

    /** The HSET the cache sends for an entry with default options (the fields of data-format §3, in its order). */
    private static List<byte[]> hsetArgv(String prefix, String text, Map<String, float[]> vectors) {
        List<byte[]> a = new ArrayList<>(15);
        a.add((prefix + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
        for (String s : new String[]{"prompt", text, "response", "answer to " + text, "model", "", "category", "",
                "inserted_at", Long.toString(System.currentTimeMillis()), "metadata", "{}", "embedding"}) {
            a.add(s.getBytes(StandardCharsets.UTF_8));
        }
        a.add(Float32.encode(vectors.get(text)));
        return a;
    }

    private static CommandArgs<byte[], byte[]> hsetArgs(String prefix, String text, Map<String, float[]> vectors) {
        List<byte[]> argv = hsetArgv(prefix, text, vectors);
        CommandArgs<byte[], byte[]> args = new CommandArgs<>(ByteArrayCodec.INSTANCE).addKey(argv.get(0));
        for (int i = 1; i < argv.size(); i++) {
            args.add(argv.get(i));
        }
        return args;
    }

    private static long[] rawHset(RedisURI uri, List<String> texts, Map<String, float[]> vectors, String prefix,
                                  int connections) throws Exception {
        byte[] hset = "HSET".getBytes(StandardCharsets.US_ASCII);
        RawResp.Result r = RawResp.run(uri.getHost(), uri.getPort(), texts.size(), BATCH, WINDOW, connections,
                (i, w) -> {
                    List<byte[]> argv = hsetArgv(prefix, texts.get(i), vectors);
                    w.array(argv.size() + 1).bulk(hset);
                    for (byte[] a : argv) {
                        w.bulk(a);
                    }
                });
        if (r.errors() > 0) {
            throw new IllegalStateException("raw HSET failed: " + r.firstError());
        }
        return r.latencies();
    }

    // ------------------------------------------------------------------------------------------------ baselines

    /** One Lettuce connection, auto-flush off: BATCH commands dispatched, then one flush; WINDOW in flight. */
    private static <T> long[] lettuceBatched(StatefulRedisConnection<byte[], byte[]> c, int n,
                                             java.util.function.IntFunction<CommandArgs<byte[], byte[]>> args,
                                             ProtocolKeyword type,
                                             Supplier<CommandOutput<byte[], byte[], T>> output) throws Exception {
        Semaphore window = new Semaphore(WINDOW);
        long[] lat = new long[n];
        List<AsyncCommand<byte[], byte[], T>> all = new ArrayList<>(n);
        for (int from = 0; from < n; from += BATCH) {
            int to = Math.min(n, from + BATCH);
            window.acquire(to - from);
            long now = System.nanoTime();
            for (int i = from; i < to; i++) {
                AsyncCommand<byte[], byte[], T> cmd = new AsyncCommand<>(new Command<>(type, output.get(), args.apply(i)));
                int at = i;
                cmd.whenComplete((v, e) -> {
                    lat[at] = System.nanoTime() - now;
                    window.release();
                });
                c.dispatch(cmd);
                all.add(cmd);
            }
            c.flushCommands();
        }
        for (AsyncCommand<byte[], byte[], T> cmd : all) {
            cmd.get();
        }
        return lat;
    }

    // ------------------------------------------------------------------------------------------------ rounds

    private interface Work {
        long[] run() throws Exception;
    }

    private record Row(String name, int ops, Work work, boolean baseline, List<Sample> samples) {
        Row(String name, int ops, Work work) {
            this(name, ops, work, false, new ArrayList<>());
        }

        static Row baseline(String name, int ops, Work work) {
            return new Row(name, ops, work, true, new ArrayList<>());
        }
    }

    private record Sample(double opsPerSec, double p50Ms, double p99Ms, double clientCpuUs, double serverCpuUs) {
    }

    private static void runRounds(String title, List<Row> allRows, StatefulRedisConnection<String, String> admin)
            throws Exception {
        String only = System.getProperty("bench.rows");
        List<Row> rows = allRows.stream().filter(r -> r.baseline() || only == null || r.name().matches(only)).toList();
        System.out.println();
        System.out.println("## " + title);
        for (Row r : rows) { // warm-up: JIT, connections, server caches
            r.work().run();
        }
        List<double[]> ratios = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            int n = rows.size();
            for (int j = 0; j < n; j++) {
                Row r = rows.get((j + round) % n);
                // The previous row's garbage is collected now, not charged to this row.
                System.gc();
                double cpu0 = OS.getProcessCpuTime() / 1e3;
                double srv0 = serverCpuUs(admin);
                long t0 = System.nanoTime();
                long[] lat = r.work().run();
                double secs = (System.nanoTime() - t0) / 1e9;
                double cpu = OS.getProcessCpuTime() / 1e3 - cpu0;
                double srv = serverCpuUs(admin) - srv0;
                long[] sorted = lat.clone();
                Arrays.sort(sorted);
                r.samples().add(new Sample(r.ops() / secs, sorted[sorted.length / 2] / 1e6,
                        sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1e6, cpu / r.ops(),
                        srv / r.ops()));
            }
            double limit = rows.stream().filter(Row::baseline).mapToDouble(r -> r.samples().get(r.samples().size() - 1)
                    .opsPerSec()).max().orElseThrow();
            double[] ratio = new double[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                ratio[i] = rows.get(i).samples().get(rows.get(i).samples().size() - 1).opsPerSec() / limit;
            }
            ratios.add(ratio);
            System.out.printf(Locale.ROOT, "  round %d done (limit %.0f ops/s)%n", round + 1, limit);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "| %-44s | %9s | %7s | %7s | %8s | %8s | %s |%n", "row", "ops/s", "p50 ms",
                "p99 ms", "client", "server", "x limit (median, min-max)");
        System.out.printf(Locale.ROOT, "|%s|%s:|%s:|%s:|%s:|%s:|%s|%n", "-".repeat(46), "-".repeat(10), "-".repeat(8),
                "-".repeat(8), "-".repeat(9), "-".repeat(9), "-".repeat(27));
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            int at = i;
            double[] rr = ratios.stream().mapToDouble(x -> x[at]).sorted().toArray();
            System.out.printf(Locale.ROOT, "| %-44s | %9.0f | %7.2f | %7.2f | %5.0f us | %5.0f us | %.2f (%.2f-%.2f) |%n",
                    r.name(), median(r.samples().stream().mapToDouble(Sample::opsPerSec)),
                    median(r.samples().stream().mapToDouble(Sample::p50Ms)),
                    median(r.samples().stream().mapToDouble(Sample::p99Ms)),
                    median(r.samples().stream().mapToDouble(Sample::clientCpuUs)),
                    median(r.samples().stream().mapToDouble(Sample::serverCpuUs)),
                    rr[rr.length / 2], rr[0], rr[rr.length - 1]);
        }
        System.out.println("(ops/s, latency and CPU per op: medians over rounds; client = this JVM's CPU, server ="
                + " INFO cpu; limit = the fastest raw row of the same round)");
    }

    private static double median(java.util.stream.DoubleStream s) {
        double[] a = s.sorted().toArray();
        return a[a.length / 2];
    }

    private static double serverCpuUs(StatefulRedisConnection<String, String> admin) {
        Map<String, String> info = new LinkedHashMap<>();
        for (String line : admin.sync().info("cpu").split("\r?\n")) {
            int c = line.indexOf(':');
            if (c > 0) {
                info.put(line.substring(0, c), line.substring(c + 1).trim());
            }
        }
        return (Double.parseDouble(info.get("used_cpu_user")) + Double.parseDouble(info.get("used_cpu_sys"))) * 1e6;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static SemanticCache cache(String name, CacheStoreFactory store, Map<String, float[]> vectors) {
        return SemanticCache.create(SemanticCacheOptions.builder()
                .name(name)
                .store(store)
                .embedFn(t -> Mono.just(vectors.get(t)))
                .embeddingCache(SemanticCacheOptions.EmbeddingCache.disabled())
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .meterRegistry(new SimpleMeterRegistry())
                .build());
    }

    private static void awaitIndexed(StatefulRedisConnection<String, String> admin, String index, int n)
            throws InterruptedException {
        for (int i = 0; i < 1200; i++) {
            List<Object> info = admin.sync().dispatch(FtKeywords.INFO, new io.lettuce.core.output.ArrayOutput<>(
                    StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).add(index));
            Map<String, Object> m = new LinkedHashMap<>();
            for (int j = 0; j + 1 < info.size(); j += 2) {
                m.put(String.valueOf(info.get(j)), info.get(j + 1));
            }
            if (Long.parseLong(String.valueOf(m.get("num_docs"))) >= n && "ready".equals(String.valueOf(m.get("state")))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("index " + index + " did not reach " + n + " documents");
    }

    private static <T> Mono<Long> timed(Mono<T> op) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return op.then(Mono.fromSupplier(() -> System.nanoTime() - start));
        });
    }

    static float[] unit(Random r) {
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
