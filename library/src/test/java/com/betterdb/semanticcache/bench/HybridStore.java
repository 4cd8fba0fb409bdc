package com.betterdb.semanticcache.bench;

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

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * For benchmarks on a plain Valkey (no search module): vector search runs in the in-memory store, every other
 * command (entry HSET/EXPIRE, bookkeeping pipelines, embedding cache, config, discovery) goes to the real Valkey
 * store. It measures the round trips the cache adds around the search, on a real server.
 */
final class HybridStore implements CacheStore {

    private final CacheStore search;
    private final CacheStore valkey;

    HybridStore(CacheStore search, CacheStore valkey) {
        this.search = search;
        this.valkey = valkey;
    }

    @Override
    public CacheKeys keys() {
        return valkey.keys();
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
    public Mono<Void> record(List<Bookkeeping> bookkeeping) {
        return valkey.record(bookkeeping);
    }

    @Override
    public Mono<Map<String, String>> readStats() {
        return valkey.readStats();
    }

    @Override
    public Mono<List<WindowRecord>> readWindow() {
        return valkey.readWindow();
    }

    @Override
    public Mono<Map<String, String>> readConfig() {
        return valkey.readConfig();
    }

    @Override
    public Mono<List<String>> pendingMisses(long nowMs) {
        return valkey.pendingMisses(nowMs);
    }

    @Override
    public Mono<Double> windowScore(String member) {
        return valkey.windowScore(member);
    }

    @Override
    public Mono<Void> replaceWindowMember(String oldMember, String newMember, double score, String pendingEntry) {
        return valkey.replaceWindowMember(oldMember, newMember, score, pendingEntry);
    }

    @Override
    public Mono<Void> removePending(String pendingEntry) {
        return valkey.removePending(pendingEntry);
    }

    @Override
    public Mono<List<byte[]>> getEmbeddings(List<String> sha256Hex) {
        return valkey.getEmbeddings(sha256Hex);
    }

    @Override
    public Mono<Void> putEmbeddings(Map<String, byte[]> vectorsBySha256Hex, Duration ttl) {
        return valkey.putEmbeddings(vectorsBySha256Hex, ttl);
    }

    @Override
    public Mono<Integer> deleteMatching(Filter filter, int limit) {
        return search.deleteMatching(filter, limit);
    }

    @Override
    public Mono<IndexStats> indexStats() {
        return search.indexStats();
    }

    /** Deletes the Valkey keys the benchmark wrote (entries, stats, window, pending), then the in-memory data. */
    @Override
    public Mono<Void> flush() {
        return search.flush();
    }

    @Override
    public Mono<String> readRegistryMarker() {
        return valkey.readRegistryMarker();
    }

    @Override
    public Mono<Void> writeRegistryMarker(String markerJson) {
        return valkey.writeRegistryMarker(markerJson);
    }

    @Override
    public Mono<Void> writeProtocolMarker() {
        return valkey.writeProtocolMarker();
    }

    @Override
    public Mono<Void> writeHeartbeat(String isoTime, Duration ttl) {
        return valkey.writeHeartbeat(isoTime, ttl);
    }

    @Override
    public Mono<Void> deleteHeartbeat() {
        return valkey.deleteHeartbeat();
    }
}
