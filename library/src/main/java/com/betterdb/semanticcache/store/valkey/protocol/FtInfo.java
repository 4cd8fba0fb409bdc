package com.betterdb.semanticcache.store.valkey.protocol;

import com.betterdb.semanticcache.store.IndexDescriptor;
import com.betterdb.semanticcache.store.IndexStats;

/**
 * What the cache reads from {@code FT.INFO} (docs/data-format.md §4.3).
 *
 * @param dimension      dimension of the first vector attribute, 0 when none is reported (probe fallback)
 * @param hasBinaryRefs  whether an attribute has {@code identifier binary_refs}
 * @param numDocs        top-level {@code num_docs}, 0 when absent or unparsable
 * @param indexingState  the raw top-level {@code indexing} value when present (RediSearch-style servers; what the
 *                       reference packages report); otherwise valkey-search's {@code state} ({@code ready},
 *                       {@code backfill_in_progress}, {@code backfill_paused_by_oom}); otherwise derived from
 *                       {@code backfill_in_progress} ({@code "0"} → {@code ready}, else {@code backfill_in_progress});
 *                       otherwise {@code "unknown"}
 */
public record FtInfo(int dimension, boolean hasBinaryRefs, long numDocs, String indexingState) {

    /** The state reported when the reply carries no indexing information at all. */
    public static final String UNKNOWN = "unknown";

    /** valkey-search's state once the backfill after FT.CREATE has finished. */
    public static final String READY = "ready";

    public FtInfo {
        indexingState = indexingState == null ? UNKNOWN : indexingState;
    }

    /**
     * False only when the reply positively says indexing is still under way: valkey-search's
     * {@code backfill_in_progress} / {@code backfill_paused_by_oom}, or a non-zero numeric {@code indexing} flag.
     * {@code "unknown"} counts as ready, so a caller polling for readiness never waits on a server that does not
     * report it.
     */
    public boolean isReady() {
        String s = indexingState;
        if (READY.equalsIgnoreCase(s) || UNKNOWN.equals(s)) {
            return true;
        }
        if (s.regionMatches(true, 0, "backfill", 0, 8)) {
            return false;
        }
        double flag = ReplyValues.parseNumber(s);
        // RediSearch's `indexing` is 1 while indexing, 0 when done; any other string is not a known busy state.
        return Double.isNaN(flag) || flag == 0;
    }

    /** Dimension and binary_refs presence, for the store's index descriptor. */
    public IndexDescriptor descriptor() {
        return new IndexDescriptor(dimension, hasBinaryRefs);
    }

    /** {@code num_docs} and the indexing state, for {@code indexInfo()}. */
    public IndexStats stats() {
        return new IndexStats(numDocs, indexingState);
    }
}
