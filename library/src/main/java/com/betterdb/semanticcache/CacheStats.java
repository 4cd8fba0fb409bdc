package com.betterdb.semanticcache;

/** Counters of {@code {name}:__stats}. {@code hitRate = hits / total}, 0 when total is 0. */
public record CacheStats(long hits, long misses, long total, double hitRate, long costSavedMicros) {

    public static CacheStats of(long hits, long misses, long total, long costSavedMicros) {
        return new CacheStats(hits, misses, total, total == 0 ? 0.0 : (double) hits / total, costSavedMicros);
    }
}
