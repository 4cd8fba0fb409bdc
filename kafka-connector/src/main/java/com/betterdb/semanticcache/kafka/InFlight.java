package com.betterdb.semanticcache.kafka;

import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records polled and not yet finished, counted per partition and per input topic. A partition may hold at most
 * {@code maxPerPartition}, a topic at most {@code maxPerTopic}: so one stuck partition fills only its own share, and
 * a backlog of prompts never takes the room of the replies (each input topic has its own budget). Updated by the poll
 * thread only; the counts are readable from any thread.
 */
final class InFlight {

    private final int maxPerTopic;
    private final int maxPerPartition;
    private final Map<TopicPartition, Integer> byPartition = new HashMap<>();
    private final Map<String, AtomicInteger> byTopic = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final AtomicInteger maxObserved = new AtomicInteger();

    InFlight(int maxPerTopic, int maxPerPartition) {
        this.maxPerTopic = maxPerTopic;
        this.maxPerPartition = maxPerPartition;
    }

    /** How many more records {@code tp} may take now. */
    int room(TopicPartition tp) {
        int partitionRoom = maxPerPartition - byPartition.getOrDefault(tp, 0);
        int topicRoom = maxPerTopic - topic(tp.topic()).get();
        return Math.max(0, Math.min(partitionRoom, topicRoom));
    }

    void add(TopicPartition tp, int n) {
        if (n == 0) {
            return;
        }
        byPartition.merge(tp, n, Integer::sum);
        int t = topic(tp.topic()).addAndGet(n);
        total.addAndGet(n);
        maxObserved.accumulateAndGet(t, Math::max);
    }

    void release(TopicPartition tp, int n) {
        if (n == 0) {
            return;
        }
        Integer left = byPartition.computeIfPresent(tp, (k, v) -> v - n <= 0 ? null : v - n);
        topic(tp.topic()).addAndGet(-n);
        total.addAndGet(-n);
        assert left == null || left > 0;
    }

    /** Forgets {@code tp} (revoked or lost), releasing whatever it still held. */
    void forget(TopicPartition tp) {
        Integer n = byPartition.remove(tp);
        if (n != null) {
            topic(tp.topic()).addAndGet(-n);
            total.addAndGet(-n);
        }
    }

    void clear() {
        byPartition.clear();
        byTopic.values().forEach(c -> c.set(0));
        total.set(0);
    }

    /** The live count of {@code topic} (for a gauge). */
    AtomicInteger topic(String topic) {
        return byTopic.computeIfAbsent(topic, t -> new AtomicInteger());
    }

    int total() {
        return total.get();
    }

    /** The largest count one topic reached; never more than {@code maxPerTopic}. */
    int maxObserved() {
        return maxObserved.get();
    }
}
