package com.betterdb.semanticcache.store.valkey;

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
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * A {@link CacheStore} for a plain Valkey server without the valkey-search module: the FT.* parts of the SPI
 * ({@code ensureIndex}, {@code knn}, {@code deleteMatching}, {@code indexStats}) are answered in-process, every other
 * method goes to a real {@link ValkeyCacheStore}, so all bookkeeping, entries, embedding cache, config and discovery
 * keys are really written to Valkey.
 *
 * <ul>
 *   <li>{@code ensureIndex} subscribes the dimension probe (as the real store does when it creates an index) and
 *       answers {@code IndexDescriptor(dim, true)};</li>
 *   <li>{@code knn} answers {@link #knnAnswer} for the query vector (default: no candidates).</li>
 * </ul>
 */
public final class FakeSearchStore implements CacheStore {

    private final CacheStore real;
    /** What {@code knn} returns for a query vector. */
    public final AtomicReference<Function<float[], List<Candidate>>> knnAnswer =
            new AtomicReference<>(v -> List.of());
    /** Every vector {@code knn} was asked about, in order. */
    public final List<float[]> knnQueries = new CopyOnWriteArrayList<>();

    public FakeSearchStore(CacheStore real) {
        this.real = real;
    }

    /** A factory over {@code connection} (not owned); {@code created} receives the store the cache opens. */
    public static CacheStoreFactory over(StatefulRedisConnection<byte[], byte[]> connection,
                                         Consumer<FakeSearchStore> created) {
        return keys -> {
            FakeSearchStore s = new FakeSearchStore(new ValkeyCacheStore(connection, false, keys));
            created.accept(s);
            return s;
        };
    }

    /** Answers every {@code knn} with {@code candidates}. */
    public void answer(Candidate... candidates) {
        List<Candidate> list = List.of(candidates);
        knnAnswer.set(v -> list);
    }

    @Override
    public CacheKeys keys() {
        return real.keys();
    }

    @Override
    public Mono<IndexDescriptor> ensureIndex(Mono<Integer> dimensionProbe) {
        return dimensionProbe.map(dim -> new IndexDescriptor(dim, true));
    }

    @Override
    public Mono<List<Candidate>> knn(float[] vector, int k, Filter filter) {
        return Mono.fromSupplier(() -> {
            knnQueries.add(vector.clone());
            List<Candidate> all = knnAnswer.get().apply(vector);
            return all.size() <= k ? all : all.subList(0, k);
        });
    }

    @Override
    public Mono<Integer> deleteMatching(Filter filter, int limit) {
        return Mono.just(0);
    }

    @Override
    public Mono<IndexStats> indexStats() {
        return Mono.just(new IndexStats(0, "0"));
    }

    // ------------------------------------------------------------------------------------- delegated to Valkey

    @Override
    public Mono<Void> putEntry(String key, EntryRecord entry, Duration ttl) {
        return real.putEntry(key, entry, ttl);
    }

    @Override
    public Mono<Void> putEntries(List<String> keys, List<EntryRecord> entries, List<Duration> ttls) {
        return real.putEntries(keys, entries, ttls);
    }

    @Override
    public Mono<Void> record(List<Bookkeeping> bookkeeping) {
        return real.record(bookkeeping);
    }

    @Override
    public Mono<Map<String, String>> readStats() {
        return real.readStats();
    }

    @Override
    public Mono<List<WindowRecord>> readWindow() {
        return real.readWindow();
    }

    @Override
    public Mono<Map<String, String>> readConfig() {
        return real.readConfig();
    }

    @Override
    public Mono<List<String>> pendingMisses(long nowMs) {
        return real.pendingMisses(nowMs);
    }

    @Override
    public Mono<Double> windowScore(String member) {
        return real.windowScore(member);
    }

    @Override
    public Mono<Void> replaceWindowMember(String oldMember, String newMember, double score, String pendingEntry) {
        return real.replaceWindowMember(oldMember, newMember, score, pendingEntry);
    }

    @Override
    public Mono<Void> removePending(String pendingEntry) {
        return real.removePending(pendingEntry);
    }

    @Override
    public Mono<List<byte[]>> getEmbeddings(List<String> sha256Hex) {
        return real.getEmbeddings(sha256Hex);
    }

    @Override
    public Mono<Void> putEmbeddings(Map<String, byte[]> vectorsBySha256Hex, Duration ttl) {
        return real.putEmbeddings(vectorsBySha256Hex, ttl);
    }

    @Override
    public Mono<Void> flush() {
        return real.flush();
    }

    @Override
    public Mono<String> readRegistryMarker() {
        return real.readRegistryMarker();
    }

    @Override
    public Mono<Void> writeRegistryMarker(String markerJson) {
        return real.writeRegistryMarker(markerJson);
    }

    @Override
    public Mono<Void> writeProtocolMarker() {
        return real.writeProtocolMarker();
    }

    @Override
    public Mono<Void> writeHeartbeat(String isoTime, Duration ttl) {
        return real.writeHeartbeat(isoTime, ttl);
    }

    @Override
    public Mono<Void> deleteHeartbeat() {
        return real.deleteHeartbeat();
    }

    @Override
    public void close() {
        real.close();
    }
}
