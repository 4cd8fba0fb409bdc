package com.betterdb.semanticcache.testing;

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
 * A {@link CacheStore} that forwards every call to {@link #delegate()}; test doubles override only what they change
 * (e.g. answer the FT.* part locally and keep every other command on a real server).
 */
public abstract class ForwardingCacheStore implements CacheStore {

    protected abstract CacheStore delegate();

    @Override
    public CacheKeys keys() {
        return delegate().keys();
    }

    @Override
    public Mono<IndexDescriptor> ensureIndex(Mono<Integer> dimensionProbe) {
        return delegate().ensureIndex(dimensionProbe);
    }

    @Override
    public Mono<List<Candidate>> knn(float[] vector, int k, Filter filter) {
        return delegate().knn(vector, k, filter);
    }

    @Override
    public Flux<SearchOutcome> knnAll(List<SearchRequest> requests) {
        return delegate().knnAll(requests);
    }

    @Override
    public Mono<Void> putEntry(String key, EntryRecord entry, Duration ttl) {
        return delegate().putEntry(key, entry, ttl);
    }

    @Override
    public Mono<Void> putEntries(List<String> keys, List<EntryRecord> entries, List<Duration> ttls) {
        return delegate().putEntries(keys, entries, ttls);
    }

    @Override
    public Mono<Void> record(List<Bookkeeping> bookkeeping) {
        return delegate().record(bookkeeping);
    }

    @Override
    public Mono<Map<String, String>> readStats() {
        return delegate().readStats();
    }

    @Override
    public Mono<List<WindowRecord>> readJudgeVerdicts() {
        return delegate().readJudgeVerdicts();
    }

    @Override
    public Mono<List<WindowRecord>> readWindow() {
        return delegate().readWindow();
    }

    @Override
    public Mono<Map<String, String>> readConfig() {
        return delegate().readConfig();
    }

    @Override
    public Mono<List<String>> pendingMisses(long nowMs) {
        return delegate().pendingMisses(nowMs);
    }

    @Override
    public Mono<Double> windowScore(String member) {
        return delegate().windowScore(member);
    }

    @Override
    public Mono<Void> replaceWindowMember(String oldMember, String newMember, double score, String pendingEntry) {
        return delegate().replaceWindowMember(oldMember, newMember, score, pendingEntry);
    }

    @Override
    public Mono<Void> removePending(String pendingEntry) {
        return delegate().removePending(pendingEntry);
    }

    @Override
    public Mono<List<byte[]>> getEmbeddings(List<String> sha256Hex) {
        return delegate().getEmbeddings(sha256Hex);
    }

    @Override
    public Mono<Void> putEmbeddings(Map<String, byte[]> vectorsBySha256Hex, Duration ttl) {
        return delegate().putEmbeddings(vectorsBySha256Hex, ttl);
    }

    @Override
    public Mono<Integer> deleteMatching(Filter filter, int limit) {
        return delegate().deleteMatching(filter, limit);
    }

    @Override
    public Mono<List<Candidate>> searchEntries(Filter filter, int offset, int limit) {
        return delegate().searchEntries(filter, offset, limit);
    }

    @Override
    public Mono<Long> deleteEntries(List<String> entryKeys) {
        return delegate().deleteEntries(entryKeys);
    }

    @Override
    public Mono<IndexStats> indexStats() {
        return delegate().indexStats();
    }

    @Override
    public Mono<Void> flush() {
        return delegate().flush();
    }

    @Override
    public Mono<String> readRegistryMarker() {
        return delegate().readRegistryMarker();
    }

    @Override
    public Mono<Void> writeRegistryMarker(String markerJson) {
        return delegate().writeRegistryMarker(markerJson);
    }

    @Override
    public Mono<Void> writeProtocolMarker() {
        return delegate().writeProtocolMarker();
    }

    @Override
    public Mono<Void> writeHeartbeat(String isoTime, Duration ttl) {
        return delegate().writeHeartbeat(isoTime, ttl);
    }

    @Override
    public Mono<Void> deleteHeartbeat() {
        return delegate().deleteHeartbeat();
    }

    @Override
    public Mono<Void> closeAsync() {
        return delegate().closeAsync();
    }

    @Override
    public void close() {
        delegate().close();
    }
}
