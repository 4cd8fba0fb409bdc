package com.betterdb.semanticcache.store.memory;

import com.betterdb.semanticcache.store.WindowRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A Redis sorted set: unique members with a double score, ordered by score, then by member in binary (UTF-8 byte)
 * order, which for Java strings is code-point order. Every method is atomic (synchronized on the set): a zset is
 * a small structure written once per lookup, so one monitor per set is the fine-grained lock here.
 */
final class SortedSet {

    /** UTF-8 byte order = code-point order (String#compareTo orders UTF-16 units, which differs for surrogates). */
    static final Comparator<String> BINARY_ORDER = com.betterdb.semanticcache.internal.CodePoints.ORDER;

    private record Item(double score, String member) {
    }

    private static final Comparator<Item> ORDER = Comparator.comparingDouble(Item::score)
            .thenComparing(Item::member, BINARY_ORDER);

    private final Map<String, Double> scores = new HashMap<>();
    private final TreeSet<Item> ordered = new TreeSet<>(ORDER);

    /** {@code ZADD key score member}: adds or updates the score. */
    synchronized void add(double score, String member) {
        Double old = scores.put(member, score);
        if (old != null) {
            ordered.remove(new Item(old, member));
        }
        ordered.add(new Item(score, member));
    }

    /** {@code ZREM}. */
    synchronized boolean remove(String member) {
        Double old = scores.remove(member);
        if (old == null) {
            return false;
        }
        ordered.remove(new Item(old, member));
        return true;
    }

    /** {@code ZSCORE}; {@code null} when absent. */
    synchronized Double score(String member) {
        return scores.get(member);
    }

    /** {@code ZREMRANGEBYSCORE key -inf max} ({@code (max} when not inclusive). Returns the number removed. */
    synchronized int removeUpTo(double max, boolean inclusive) {
        int n = 0;
        while (!ordered.isEmpty()) {
            Item first = ordered.first();
            if (first.score() < max || (inclusive && first.score() == max)) {
                ordered.pollFirst();
                scores.remove(first.member());
                n++;
            } else {
                break;
            }
        }
        return n;
    }

    /** {@code ZREMRANGEBYRANK key 0 -(keep+1)}: keeps the {@code keep} highest-ranked members. */
    synchronized int keepNewest(long keep) {
        int n = 0;
        while (ordered.size() > keep) {
            Item first = ordered.pollFirst();
            scores.remove(first.member());
            n++;
        }
        return n;
    }

    /** {@code ZRANGE key 0 -1 WITHSCORES}. */
    synchronized List<WindowRecord> range() {
        List<WindowRecord> out = new ArrayList<>(ordered.size());
        for (Item i : ordered) {
            out.add(new WindowRecord(i.member(), i.score()));
        }
        return out;
    }

    /** {@code ZRANGE key 0 -1}. */
    synchronized List<String> members() {
        List<String> out = new ArrayList<>(ordered.size());
        for (Item i : ordered) {
            out.add(i.member());
        }
        return out;
    }

    synchronized int size() {
        return scores.size();
    }

    synchronized void clear() {
        scores.clear();
        ordered.clear();
    }
}
