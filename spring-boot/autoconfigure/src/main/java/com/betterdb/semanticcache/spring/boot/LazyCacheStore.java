package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.Bookkeeping;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import com.betterdb.semanticcache.store.IndexDescriptor;
import com.betterdb.semanticcache.store.IndexStats;
import com.betterdb.semanticcache.store.SearchOutcome;
import com.betterdb.semanticcache.store.SearchRequest;
import com.betterdb.semanticcache.store.WindowRecord;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A store that connects on first use rather than when the cache is built, so that an application can start while
 * Valkey is down (startup mode {@code background}) and the connection is opened by {@code initialize()}, where a
 * failure is reported and retried. A failed connect is not remembered: the next call tries again. Every method
 * forwards to the real store, defaults included (a test checks that none is left to the interface's default).
 */
final class LazyCacheStore implements CacheStore {

    private final CacheKeys keys;
    private final Supplier<CacheStore> opener;
    private final Mono<CacheStore> open;
    private volatile CacheStore delegate;
    /** Guarded by {@code this}. */
    private boolean closed;

    /** @param opener connects (blocking, like {@code RedisClient.connect()}) and returns the real store */
    LazyCacheStore(CacheKeys keys, Supplier<CacheStore> opener) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.opener = Objects.requireNonNull(opener, "opener");
        this.open = Mono.fromCallable(this::openOnce).subscribeOn(Schedulers.boundedElastic());
    }

    private synchronized CacheStore openOnce() {
        if (closed) {
            throw new IllegalStateException("the store of '" + keys.name() + "' is closed");
        }
        if (delegate == null) {
            delegate = Objects.requireNonNull(opener.get(), "opener returned null");
        }
        return delegate;
    }

    /** Whether the real store has been opened (a connection exists). */
    boolean isOpen() {
        return delegate != null;
    }

    private <T> Mono<T> on(Function<CacheStore, Mono<T>> call) {
        CacheStore d = delegate;
        return d != null ? call.apply(d) : open.flatMap(call);
    }

    @Override
    public CacheKeys keys() {
        return keys;
    }

    @Override
    public Mono<IndexDescriptor> ensureIndex(Mono<Integer> dimensionProbe) {
        return on(s -> s.ensureIndex(dimensionProbe));
    }

    @Override
    public Mono<List<Candidate>> knn(float[] vector, int k, Filter filter) {
        return on(s -> s.knn(vector, k, filter));
    }

    @Override
    public Flux<SearchOutcome> knnAll(List<SearchRequest> requests) {
        CacheStore d = delegate;
        return d != null ? d.knnAll(requests) : open.flatMapMany(s -> s.knnAll(requests));
    }

    @Override
    public Mono<Void> putEntry(String key, EntryRecord entry, Duration ttl) {
        return on(s -> s.putEntry(key, entry, ttl));
    }

    @Override
    public Mono<Void> putEntries(List<String> keys, List<EntryRecord> entries, List<Duration> ttls) {
        return on(s -> s.putEntries(keys, entries, ttls));
    }

    @Override
    public Mono<Void> record(List<Bookkeeping> bookkeeping) {
        return on(s -> s.record(bookkeeping));
    }

    @Override
    public Mono<Map<String, String>> readStats() {
        return on(CacheStore::readStats);
    }

    @Override
    public Mono<List<WindowRecord>> readWindow() {
        return on(CacheStore::readWindow);
    }

    @Override
    public Mono<List<WindowRecord>> readJudgeVerdicts() {
        return on(CacheStore::readJudgeVerdicts);
    }

    @Override
    public Mono<Map<String, String>> readConfig() {
        return on(CacheStore::readConfig);
    }

    @Override
    public Mono<List<String>> pendingMisses(long nowMs) {
        return on(s -> s.pendingMisses(nowMs));
    }

    @Override
    public Mono<Double> windowScore(String member) {
        return on(s -> s.windowScore(member));
    }

    @Override
    public Mono<Void> replaceWindowMember(String oldMember, String newMember, double score, String pendingEntry) {
        return on(s -> s.replaceWindowMember(oldMember, newMember, score, pendingEntry));
    }

    @Override
    public Mono<Void> removePending(String pendingEntry) {
        return on(s -> s.removePending(pendingEntry));
    }

    @Override
    public Mono<List<byte[]>> getEmbeddings(List<String> sha256Hex) {
        return on(s -> s.getEmbeddings(sha256Hex));
    }

    @Override
    public Mono<Void> putEmbeddings(Map<String, byte[]> vectorsBySha256Hex, Duration ttl) {
        return on(s -> s.putEmbeddings(vectorsBySha256Hex, ttl));
    }

    @Override
    public Mono<Integer> deleteMatching(Filter filter, int limit) {
        return on(s -> s.deleteMatching(filter, limit));
    }

    @Override
    public Mono<List<Candidate>> searchEntries(Filter filter, int offset, int limit) {
        return on(s -> s.searchEntries(filter, offset, limit));
    }

    @Override
    public Mono<Long> deleteEntries(List<String> entryKeys) {
        return on(s -> s.deleteEntries(entryKeys));
    }

    @Override
    public Mono<IndexStats> indexStats() {
        return on(CacheStore::indexStats);
    }

    @Override
    public Mono<Void> flush() {
        return on(CacheStore::flush);
    }

    @Override
    public Mono<String> readRegistryMarker() {
        return on(CacheStore::readRegistryMarker);
    }

    @Override
    public Mono<Void> writeRegistryMarker(String markerJson) {
        return on(s -> s.writeRegistryMarker(markerJson));
    }

    @Override
    public Mono<Void> writeProtocolMarker() {
        return on(CacheStore::writeProtocolMarker);
    }

    @Override
    public Mono<Void> writeHeartbeat(String isoTime, Duration ttl) {
        return on(s -> s.writeHeartbeat(isoTime, ttl));
    }

    @Override
    public Mono<Void> deleteHeartbeat() {
        // Nothing to delete through a connection that was never opened: do not connect just for that.
        CacheStore d = delegate;
        return d == null ? Mono.empty() : d.deleteHeartbeat();
    }

    @Override
    public void close() {
        CacheStore d;
        synchronized (this) {
            closed = true;
            d = delegate;
        }
        if (d != null) {
            d.close();
        }
    }

    @Override
    public Mono<Void> closeAsync() {
        return Mono.defer(() -> {
            CacheStore d;
            synchronized (this) {
                closed = true;
                d = delegate;
            }
            return d == null ? Mono.empty() : d.closeAsync();
        });
    }
}
