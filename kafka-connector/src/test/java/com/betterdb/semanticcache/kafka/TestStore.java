package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.Bookkeeping;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.CacheStoreFactory;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import com.betterdb.semanticcache.store.IndexDescriptor;
import com.betterdb.semanticcache.store.IndexStats;
import com.betterdb.semanticcache.store.WindowRecord;
import reactor.core.publisher.Mono;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny in-memory store for these tests (exact KNN, no filters beyond none, no bookkeeping). Stands in until
 * {@code CacheStores.inMemory()} is available. {@link #failNext(int)} makes the next N searches and writes fail,
 * simulating an unreachable cache.
 */
final class TestStore implements CacheStore {

    private final CacheKeys keys;
    private final Map<String, EntryRecord> entries = new ConcurrentHashMap<>();
    private final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger putCount = new AtomicInteger();
    private volatile int dimension;

    private TestStore(CacheKeys keys) {
        this.keys = keys;
    }

    /** A factory that hands out one store and remembers it in {@code holder[0]}. */
    static CacheStoreFactory factory(TestStore[] holder) {
        return k -> holder[0] = new TestStore(k);
    }

    void failNext(int n) {
        failures.set(n);
    }

    int entryCount() {
        return entries.size();
    }

    Map<String, EntryRecord> entries() {
        return entries;
    }

    private Mono<Void> maybeFail(String op) {
        return Mono.defer(() -> failures.getAndUpdate(f -> Math.max(0, f - 1)) > 0
                ? Mono.error(new IllegalStateException("simulated outage: " + op))
                : Mono.empty());
    }

    @Override
    public CacheKeys keys() {
        return keys;
    }

    @Override
    public Mono<IndexDescriptor> ensureIndex(Mono<Integer> dimensionProbe) {
        return dimensionProbe.map(d -> {
            dimension = d;
            return new IndexDescriptor(d, true);
        });
    }

    @Override
    public Mono<List<Candidate>> knn(float[] vector, int k, Filter filter) {
        return maybeFail("FT.SEARCH").then(Mono.fromCallable(() -> {
            List<Candidate> all = new ArrayList<>();
            for (Map.Entry<String, EntryRecord> e : entries.entrySet()) {
                float[] v = decode(e.getValue().embedding());
                double dot = 0;
                for (int i = 0; i < v.length; i++) {
                    dot += v[i] * vector[i];
                }
                Map<String, String> fields = new java.util.HashMap<>(e.getValue().fields());
                all.add(new Candidate(e.getKey(), 1 - dot, fields));
            }
            all.sort(Comparator.comparingDouble(Candidate::score));
            return all.size() > k ? List.copyOf(all.subList(0, k)) : all;
        }));
    }

    private static float[] decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[bytes.length / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getFloat();
        }
        return v;
    }

    @Override
    public Mono<Void> putEntry(String key, EntryRecord entry, Duration ttl) {
        return maybeFail("HSET").then(Mono.fromRunnable(() -> {
            putCount.incrementAndGet();
            entries.put(key, entry);
        }));
    }

    @Override
    public Mono<Void> record(List<Bookkeeping> bookkeeping) {
        return Mono.empty();
    }

    @Override
    public Mono<Map<String, String>> readStats() {
        return Mono.just(Map.of());
    }

    @Override
    public Mono<List<WindowRecord>> readWindow() {
        return Mono.just(List.of());
    }

    @Override
    public Mono<Map<String, String>> readConfig() {
        return Mono.just(Map.of());
    }

    @Override
    public Mono<List<String>> pendingMisses(long nowMs) {
        return Mono.just(List.of());
    }

    @Override
    public Mono<Double> windowScore(String member) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> replaceWindowMember(String oldMember, String newMember, double score, String pendingEntry) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> removePending(String pendingEntry) {
        return Mono.empty();
    }

    @Override
    public Mono<List<byte[]>> getEmbeddings(List<String> sha256Hex) {
        List<byte[]> none = new ArrayList<>();
        for (int i = 0; i < sha256Hex.size(); i++) {
            none.add(null);
        }
        return Mono.just(none);
    }

    @Override
    public Mono<Void> putEmbeddings(Map<String, byte[]> vectorsBySha256Hex, Duration ttl) {
        return Mono.empty();
    }

    @Override
    public Mono<Integer> deleteMatching(Filter filter, int limit) {
        return Mono.just(0);
    }

    @Override
    public Mono<IndexStats> indexStats() {
        return Mono.just(new IndexStats(entries.size(), "ready"));
    }

    @Override
    public Mono<Void> flush() {
        return Mono.fromRunnable(entries::clear);
    }

    @Override
    public Mono<String> readRegistryMarker() {
        return Mono.empty();
    }

    @Override
    public Mono<Void> writeRegistryMarker(String markerJson) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> writeProtocolMarker() {
        return Mono.empty();
    }

    @Override
    public Mono<Void> writeHeartbeat(String isoTime, Duration ttl) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> deleteHeartbeat() {
        return Mono.empty();
    }
}
