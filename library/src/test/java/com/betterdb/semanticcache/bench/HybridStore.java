package com.betterdb.semanticcache.bench;

import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import com.betterdb.semanticcache.store.IndexDescriptor;
import com.betterdb.semanticcache.store.IndexStats;
import com.betterdb.semanticcache.store.SearchOutcome;
import com.betterdb.semanticcache.store.SearchRequest;
import com.betterdb.semanticcache.testing.ForwardingCacheStore;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;

/**
 * For benchmarks on a plain Valkey (no search module): vector search runs in the in-memory store, every other
 * command (entry HSET/EXPIRE, bookkeeping pipelines, embedding cache, config, discovery) goes to the real Valkey
 * store. It measures the round trips the cache adds around the search, on a real server.
 */
final class HybridStore extends ForwardingCacheStore {

    private final CacheStore search;
    private final CacheStore valkey;

    HybridStore(CacheStore search, CacheStore valkey) {
        this.search = search;
        this.valkey = valkey;
    }

    /** Everything not overridden below goes to the real Valkey store. */
    @Override
    protected CacheStore delegate() {
        return valkey;
    }

    @Override
    public Mono<IndexDescriptor> ensureIndex(Mono<Integer> dimensionProbe) {
        return search.ensureIndex(dimensionProbe);
    }

    @Override
    public Mono<List<Candidate>> knn(float[] vector, int k, Filter filter) {
        return search.knn(vector, k, filter);
    }

    @Override
    public Flux<SearchOutcome> knnAll(List<SearchRequest> requests) {
        return search.knnAll(requests);
    }

    @Override
    public Mono<Void> putEntry(String key, EntryRecord entry, Duration ttl) {
        return valkey.putEntry(key, entry, ttl).then(search.putEntry(key, entry, ttl));
    }

    @Override
    public Mono<Void> putEntries(List<String> keys, List<EntryRecord> entries, List<Duration> ttls) {
        return valkey.putEntries(keys, entries, ttls).then(search.putEntries(keys, entries, ttls));
    }

    @Override
    public Mono<Integer> deleteMatching(Filter filter, int limit) {
        return search.deleteMatching(filter, limit);
    }

    @Override
    public Mono<IndexStats> indexStats() {
        return search.indexStats();
    }

    @Override
    public Mono<Void> flush() {
        return search.flush();
    }

}
