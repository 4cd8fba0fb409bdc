package com.betterdb.semanticcache;

import com.betterdb.semanticcache.embed.EmbedPurpose;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.IndexDescriptor;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Whole-entry access behind {@link SemanticCache#entries}, {@link SemanticCache#similarEntries} and
 * {@link SemanticCache#deleteEntries}: for adapters that keep their own records in the cache (the LangGraph memory
 * store pages a category, searches it by similarity and deletes items by key). No decision rule and no bookkeeping:
 * these reads are not lookups, so they touch no stats, window or TTL.
 */
final class EntryAccess {

    private final CacheStore store;
    private final Embedder embedder;
    private final CacheKeys keys;
    private final Function<String, IndexDescriptor> requireReady;

    EntryAccess(CacheStore store, Embedder embedder, CacheKeys keys, Function<String, IndexDescriptor> requireReady) {
        this.store = store;
        this.embedder = embedder;
        this.keys = keys;
        this.requireReady = requireReady;
    }

    Mono<List<CacheEntry>> page(Filter filter, int offset, int limit) {
        Objects.requireNonNull(filter, "filter");
        requireRange(offset >= 0, "offset must be >= 0, got " + offset);
        requireRange(limit >= 1, "limit must be >= 1, got " + limit);
        return Mono.defer(() -> {
            requireReady.apply("entries");
            return store.searchEntries(filter, offset, limit).map(EntryAccess::entries);
        });
    }

    Mono<List<CacheEntry>> similar(String text, int limit, Filter filter, double threshold) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(filter, "filter");
        requireRange(limit >= 1, "limit must be >= 1, got " + limit);
        requireRange(threshold >= 0 && threshold <= 2, "threshold must be a cosine distance in 0..2, got " + threshold);
        return Mono.defer(() -> {
            IndexDescriptor idx = requireReady.apply("similarEntries");
            return embedder.embed(text, EmbedPurpose.QUERY).flatMap(e -> {
                SemanticCache.requireDimension(idx, e.vector());
                return store.knn(e.vector(), limit, filter);
            }).map(rows -> {
                List<CacheEntry> out = new ArrayList<>(rows.size());
                for (Candidate c : rows) {
                    // A row without a numeric score is never within the threshold (as in the reference packages).
                    if (!Double.isNaN(c.score()) && c.score() <= threshold) {
                        out.add(new CacheEntry(c.key(), c.score(), c.fields()));
                    }
                }
                return out;
            });
        });
    }

    Mono<Long> delete(Collection<String> entryKeys) {
        Objects.requireNonNull(entryKeys, "entryKeys");
        List<String> list = List.copyOf(entryKeys);
        return Mono.defer(() -> {
            requireReady.apply("deleteEntries");
            // Only this cache's entries: a caller's key from elsewhere must not delete someone else's data.
            String prefix = keys.entryPrefix();
            for (String k : list) {
                if (!k.startsWith(prefix) || k.length() == prefix.length()) {
                    throw new SemanticCacheUsageError("deleteEntries: '" + k + "' is not an entry key of cache '"
                            + keys.name() + "' (expected " + prefix + "<id>)");
                }
            }
            return list.isEmpty() ? Mono.just(0L) : store.deleteEntries(list);
        });
    }

    private static List<CacheEntry> entries(List<Candidate> rows) {
        List<CacheEntry> out = new ArrayList<>(rows.size());
        for (Candidate c : rows) {
            out.add(new CacheEntry(c.key(), Double.NaN, c.fields()));
        }
        return out;
    }

    private static void requireRange(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
