package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.kafka.PartitionState.Role;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where newly assigned partitions start reading (on the poll thread, inside the rebalance callback). Every one
 * starts at the group's committed offset: never at a position this consumer remembers from an earlier assignment,
 * which another member may have moved past while this one was away.
 */
final class StartPositions {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final SemanticCacheProcessorConfig config;
    private final Consumer<byte[], byte[]> consumer;
    private final LlmTimeouts llm;

    StartPositions(SemanticCacheProcessorConfig config, Consumer<byte[], byte[]> consumer, LlmTimeouts llm) {
        this.config = config;
        this.consumer = consumer;
        this.llm = llm;
    }

    /** Seeks the assigned partitions and adds their state to {@code partitions}. */
    void apply(Collection<TopicPartition> assigned, Map<TopicPartition, PartitionState> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(assigned), TIMEOUT);
        Set<TopicPartition> noCommit = new HashSet<>();
        for (TopicPartition tp : assigned) {
            PartitionState ps = new PartitionState(tp, roleOf(tp));
            partitions.put(tp, ps);
            OffsetAndMetadata c = committed.get(tp);
            if (c != null) {
                consumer.seek(tp, c);
                ps.commit = c;
            } else {
                noCommit.add(tp);
            }
            switch (ps.role) {
                case REQUESTS -> llm.requestsAssigned(tp.partition(), c);
                case REPLIES -> llm.repliesAssigned(tp.partition());
                default -> {
                }
            }
        }
        startWithoutCommit(noCommit);
        replayAnswers(committed, partitions);
    }

    Role roleOf(TopicPartition tp) {
        if (tp.topic().equals(config.promptsTopic())) {
            return Role.PROMPTS;
        }
        return tp.topic().equals(config.llmRepliesTopic()) ? Role.REPLIES : Role.REQUESTS;
    }

    /**
     * A partition without a committed offset starts where {@code auto.offset.reset} says, explicitly (the consumer
     * might otherwise keep a position from an earlier assignment); the processor's own requests topic starts at its
     * end: older requests are not this group's timers.
     */
    private void startWithoutCommit(Set<TopicPartition> tps) {
        List<TopicPartition> beginning = new ArrayList<>();
        List<TopicPartition> end = new ArrayList<>();
        String reset = String.valueOf(config.consumerProperties()
                .getOrDefault(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        for (TopicPartition tp : tps) {
            if (roleOf(tp) == Role.REQUESTS || reset.equals("latest")) {
                end.add(tp);
            } else if (reset.equals("earliest")) {
                beginning.add(tp);
            }
        }
        if (!beginning.isEmpty()) {
            consumer.seekToBeginning(beginning);
        }
        if (!end.isEmpty()) {
            consumer.seekToEnd(end);
        }
    }

    /**
     * Requests read again from their committed offset may have been answered before: the replies are read again
     * from the time of the oldest unanswered request up to their committed offset, to settle them only.
     */
    private void replayAnswers(Map<TopicPartition, OffsetAndMetadata> committed,
                               Map<TopicPartition, PartitionState> partitions) {
        if (!llm.enabled()) {
            return;
        }
        Map<TopicPartition, Long> times = new HashMap<>();
        for (PartitionState ps : partitions.values()) {
            if (ps.role == Role.REPLIES && committed.get(ps.tp) != null) {
                Long from = llm.replayFromMs(ps.tp.partition());
                if (from != null) {
                    times.put(ps.tp, Math.max(0, from));
                }
            }
        }
        if (times.isEmpty()) {
            return;
        }
        consumer.offsetsForTimes(times, TIMEOUT).forEach((tp, found) -> {
            long until = committed.get(tp).offset();
            if (found != null && found.offset() < until) {
                consumer.seek(tp, found.offset());
                partitions.get(tp).replayUntil = until;
            }
        });
    }
}
