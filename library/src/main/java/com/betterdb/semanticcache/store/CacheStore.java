package com.betterdb.semanticcache.store;

import com.betterdb.semanticcache.filter.Filter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where entries and bookkeeping live. The SPI speaks the cache's language (find neighbours, put an entry, record
 * outcomes); {@code SemanticCache} holds every decision rule, so a store only stores. Implementations:
 * {@code ValkeyCacheStore} (valkey-search, the shared data format) and {@code InMemoryCacheStore}.
 *
 * <p>Every method is non-blocking. Errors of methods documented as best-effort are swallowed by the caller;
 * a store may still signal them.
 */
public interface CacheStore {

    /** The key names this store writes. */
    CacheKeys keys();

    /**
     * Finds the index or creates it. {@code dimensionProbe} is subscribed only when the dimension cannot be
     * read from an existing index, or the index must be created; its errors propagate unchanged.
     */
    Mono<IndexDescriptor> ensureIndex(Mono<Integer> dimensionProbe);

    /**
     * Nearest neighbours of {@code vector} among entries matching {@code filter}, closest first, at most {@code k}.
     * Failure: {@code ValkeyCommandError("FT.SEARCH")} (or the store's equivalent).
     */
    Mono<List<Candidate>> knn(float[] vector, int k, Filter filter);

    /**
     * Many searches at once (one outcome per request, in order). The Valkey store writes them to its connection in
     * one go. A failed search yields an error for that element only.
     */
    default Flux<SearchOutcome> knnAll(List<SearchRequest> requests) {
        return Flux.fromIterable(requests)
                .concatMap(r -> knn(r.vector(), r.k(), r.filter())
                        .map(SearchOutcome::ok)
                        .onErrorResume(e -> Mono.just(SearchOutcome.failed(e))));
    }

    /** Writes an entry ({@code HSET}), then applies {@code ttl} when not {@code null}. Failure: {@code HSET} error. */
    Mono<Void> putEntry(String key, EntryRecord entry, Duration ttl);

    /** Writes many entries in one pipelined flush; same semantics as {@link #putEntry} per element. */
    default Mono<Void> putEntries(List<String> keys, List<EntryRecord> entries, List<Duration> ttls) {
        return Flux.range(0, keys.size())
                .concatMap(i -> putEntry(keys.get(i), entries.get(i), ttls.get(i)))
                .then();
    }

    /** Applies the bookkeeping of one or more decided lookups in one flush. Best-effort. */
    Mono<Void> record(List<Bookkeeping> bookkeeping);

    /** {@code HGETALL {name}:__stats}. */
    Mono<Map<String, String>> readStats();

    /** {@code ZRANGE {name}:__similarity_window 0 -1 WITHSCORES}, oldest first. */
    Mono<List<WindowRecord>> readWindow();

    /**
     * {@code ZRANGE {name}:__judge_verdicts 0 -1 WITHSCORES}, oldest first: the judge verdicts written by
     * {@link #record} ({@link Bookkeeping#verdictMember()}). The default is for stores that keep none.
     */
    default Mono<List<WindowRecord>> readJudgeVerdicts() {
        return Mono.just(List.of());
    }

    /** {@code HGETALL {name}:__config}; empty map when absent. */
    Mono<Map<String, String>> readConfig();

    // --- miss-pending cost back-fill (docs/decision-rules.md §10); all best-effort ---

    /** Prunes pending members older than {@code nowMs - 300000} (exclusive) and returns the rest, oldest first. */
    Mono<List<String>> pendingMisses(long nowMs);

    /** The zset score of a window member, empty when it is gone. */
    Mono<Double> windowScore(String member);

    /** Replaces a window member (same score) and removes the pending entry, in one flush. */
    Mono<Void> replaceWindowMember(String oldMember, String newMember, double score, String pendingEntry);

    /** Removes a pending entry. */
    Mono<Void> removePending(String pendingEntry);

    // --- embedding cache (docs/data-format.md §6); best-effort ---

    /** Cached vector bytes per text hash, {@code null} elements for misses, in order, in one round trip. */
    Mono<List<byte[]>> getEmbeddings(List<String> sha256Hex);

    /** Stores vector bytes per text hash with a TTL, in one flush. */
    Mono<Void> putEmbeddings(Map<String, byte[]> vectorsBySha256Hex, Duration ttl);

    // --- invalidation, index, flush ---

    /**
     * Finds at most {@code limit} entries matching {@code filter} and deletes them. Returns the number of entries
     * deleted: {@code limit} when more may match, fewer only when none is left (a search index that still lists
     * already deleted keys must not make the count larger, nor end an invalidation early). Failures:
     * {@code FT.SEARCH} or {@code DEL} errors.
     */
    Mono<Integer> deleteMatching(Filter filter, int limit);

    // --- whole entries, for adapters that keep their own records in the cache (e.g. a memory store) ---

    /**
     * A page of the entries matching {@code filter}, ordered by {@code inserted_at} ascending: the reference packages'
     * {@code _searchEntries}, {@code FT.SEARCH idx <filter> SORTBY inserted_at ASC LIMIT <offset> <limit> DIALECT 2}
     * (docs/data-format.md §13). Each candidate carries every text field of the entry (never the embedding); its score is
     * {@code NaN}. valkey-search 1.2.1 rejects a bare {@code *} filter here, so the filter should name a field.
     * Failure: {@code ValkeyCommandError("FT.SEARCH")}.
     *
     * <p>The default signals {@link UnsupportedOperationException}: stores written before this operation existed
     * keep compiling, and the adapters that need it say which store lacks it.
     */
    default Mono<List<Candidate>> searchEntries(Filter filter, int offset, int limit) {
        return Mono.error(new UnsupportedOperationException(getClass().getName() + " does not support searchEntries"));
    }

    /**
     * Deletes the given entry keys ({@code DEL}); returns how many existed. Failure: {@code ValkeyCommandError("DEL")}.
     * The default signals {@link UnsupportedOperationException} (see {@link #searchEntries}).
     */
    default Mono<Long> deleteEntries(List<String> entryKeys) {
        return Mono.error(new UnsupportedOperationException(getClass().getName() + " does not support deleteEntries"));
    }

    /** Index statistics. Failure: {@code FT.INFO} error. */
    Mono<IndexStats> indexStats();

    /**
     * Drops the index (missing index ignored) and deletes every entry, every embedding-cache key, the stats,
     * the window, the miss-pending keys and the judge verdicts. Never touches config, registry or protocol keys.
     */
    Mono<Void> flush();

    // --- discovery (docs/data-format.md §11); best-effort ---

    /** {@code HGET __betterdb:caches {name}}; empty when absent. */
    Mono<String> readRegistryMarker();

    /** {@code HSET __betterdb:caches {name} marker}. */
    Mono<Void> writeRegistryMarker(String markerJson);

    /** {@code SET __betterdb:protocol 1 NX}. */
    Mono<Void> writeProtocolMarker();

    /** {@code SET __betterdb:heartbeat:{name} isoTime EX ttl}. */
    Mono<Void> writeHeartbeat(String isoTime, Duration ttl);

    /** {@code DEL __betterdb:heartbeat:{name}}. */
    Mono<Void> deleteHeartbeat();

    /** Releases resources the store owns (never the caller's client), without waiting. */
    default void close() {
    }

    /**
     * Releases resources the store owns and completes when they are released (a connection it opened is closed), so
     * that whoever owns the client can shut it down next. The default runs {@link #close()}.
     */
    default Mono<Void> closeAsync() {
        return Mono.fromRunnable(this::close);
    }
}
