package com.betterdb.semanticcache;

import com.betterdb.semanticcache.prompt.ContentBlock;

import java.util.List;

/**
 * The outcome of one lookup. Fields that the spec marks optional are {@code null} when absent.
 *
 * @param hit           whether a cached response is returned
 * @param confidence    {@code HIGH} or {@code UNCERTAIN} for hits, {@code MISS} otherwise
 * @param response      the cached response (hits only)
 * @param similarity    cosine distance of the decided candidate (hits; misses with a numeric candidate)
 * @param matchedKey    key of the matched entry (hits only)
 * @param nearestMiss   closest candidate (threshold misses with a score; judge rejections)
 * @param costSaved     dollars saved, from the entry's {@code cost_micros} (hits whose entry has one)
 * @param contentBlocks content blocks stored with {@code storeMultipart} (hits on such entries)
 * @param error         for batch lookups in {@code BatchOptions.ErrorMode.RESULT} mode: why this element
 *                      failed; then {@code hit} is false and nothing was recorded for it. Always {@code null}
 *                      for {@code check()}, which signals errors through the {@code Mono}.
 */
public record CacheResult(
        boolean hit,
        Confidence confidence,
        String response,
        Double similarity,
        String matchedKey,
        NearestMiss nearestMiss,
        Double costSaved,
        List<ContentBlock> contentBlocks,
        Throwable error) {

    private static final CacheResult BARE_MISS = new CacheResult(false, Confidence.MISS, null, null, null, null, null, null, null);

    public CacheResult {
        contentBlocks = contentBlocks == null ? null : List.copyOf(contentBlocks);
    }

    /** A miss with no candidate information. */
    public static CacheResult miss() {
        return BARE_MISS;
    }

    /** A threshold miss with the nearest candidate's distance. */
    public static CacheResult miss(double similarity, NearestMiss nearestMiss) {
        return new CacheResult(false, Confidence.MISS, null, similarity, null, nearestMiss, null, null, null);
    }

    /** A batch element that failed; see {@link #error()}. */
    public static CacheResult failed(Throwable error) {
        return new CacheResult(false, Confidence.MISS, null, null, null, null, null, null, error);
    }

    public boolean isError() {
        return error != null;
    }
}
