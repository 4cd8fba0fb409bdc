package com.betterdb.semanticcache.store;

import java.time.Duration;

/**
 * The writes one decided lookup causes, besides the lookup itself (docs/decision-rules.md §4). A store applies any
 * number of these in one flush: the Valkey store sends them as one pipeline (and sums the counters of a batch).
 * All of them are best-effort.
 *
 * @param hit           {@code true}: {@code HINCRBY stats total 1} + {@code hits 1}; {@code false}: + {@code misses 1}
 * @param nowMs         wall-clock time of the decision, used as the zset score
 * @param windowMember  similarity-window member JSON to add (then trim to 7 days and 10,000 members), or {@code null}
 * @param pendingMember miss-pending member JSON to add (then prune members older than 5 minutes), or {@code null}
 * @param expireKey     entry key whose TTL is refreshed on a hit, or {@code null}
 * @param expireTtl     the TTL for {@code expireKey}
 * @param costMicros    {@code HINCRBY stats cost_saved_micros}, when {@code > 0}
 * @param deleteKey     entry key to delete (stale-model eviction), or {@code null}
 * @param verdictMember judge-verdict member JSON to add to {@code {name}:__judge_verdicts} (then trim to
 *                      {@link #VERDICT_MAX_AGE_MS} and {@link #VERDICT_MAX_MEMBERS}), or {@code null}
 */
public record Bookkeeping(
        boolean hit,
        long nowMs,
        String windowMember,
        String pendingMember,
        String expireKey,
        Duration expireTtl,
        long costMicros,
        String deleteKey,
        String verdictMember) {

    /** Judge verdicts older than this are trimmed on each verdict write (30 days). */
    public static final long VERDICT_MAX_AGE_MS = 30L * 24 * 3600 * 1000;

    /** The judge-verdict set keeps at most this many newest members. */
    public static final long VERDICT_MAX_MEMBERS = 10_000;

    /** Bookkeeping without a judge verdict. */
    public Bookkeeping(boolean hit, long nowMs, String windowMember, String pendingMember, String expireKey,
                       Duration expireTtl, long costMicros, String deleteKey) {
        this(hit, nowMs, windowMember, pendingMember, expireKey, expireTtl, costMicros, deleteKey, null);
    }

    /** This bookkeeping with a judge verdict member. */
    public Bookkeeping withVerdict(String member) {
        return new Bookkeeping(hit, nowMs, windowMember, pendingMember, expireKey, expireTtl, costMicros, deleteKey,
                member);
    }

    /** What a group of bookkeeping records adds to the stats hash, and the latest decision time. */
    public record Totals(long hits, long misses, long costMicros, long latestMs) {
        public long total() {
            return hits + misses;
        }
    }

    /** Sums a group, so a store can apply it with one increment per counter. */
    public static Totals totals(java.util.List<Bookkeeping> group) {
        long hits = 0;
        long misses = 0;
        long cost = 0;
        long latest = 0;
        for (Bookkeeping b : group) {
            if (b.hit()) {
                hits++;
            } else {
                misses++;
            }
            cost += Math.max(0, b.costMicros());
            latest = Math.max(latest, b.nowMs());
        }
        return new Totals(hits, misses, cost, latest);
    }
}
