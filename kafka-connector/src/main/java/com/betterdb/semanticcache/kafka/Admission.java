package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.kafka.PartitionState.Role;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How polled records enter their partitions (poll thread only): as far as each partition has room in its in-flight
 * budget (its LLM timers' budget for the requests topic); the rest waits in the partition, which is paused until they
 * fit. So the bounds hold exactly and nothing polled is dropped and fetched again. Replies read again after a
 * restart only settle LLM timers.
 */
final class Admission {

    private static final Logger log = LoggerFactory.getLogger(Admission.class);

    private final SemanticCacheProcessorConfig config;
    private final Consumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, PartitionState> partitions;
    private final InFlight inFlight;
    private final LlmTimeouts llm;
    private final ProcessorMetrics metrics;

    Admission(SemanticCacheProcessorConfig config, Consumer<byte[], byte[]> consumer,
              Map<TopicPartition, PartitionState> partitions, InFlight inFlight, LlmTimeouts llm,
              ProcessorMetrics metrics) {
        this.config = config;
        this.consumer = consumer;
        this.partitions = partitions;
        this.inFlight = inFlight;
        this.llm = llm;
        this.metrics = metrics;
    }

    /** The records of one poll: replayed replies settle timers; the others wait in their partition, then are taken. */
    void accept(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            PartitionState ps = partitions.get(tp);
            if (ps == null || ps.revoking) {
                continue; // not ours any more: not processed, not committed; the owner reads it again
            }
            int from = 0;
            while (from < list.size() && list.get(from).offset() < ps.replayUntil) {
                llm.settleReplayed(list.get(from));
                ps.doneTimestampMs = Math.max(ps.doneTimestampMs, list.get(from).timestamp());
                from++;
            }
            if (from < list.size()) {
                metrics.polled(tp.topic(), list.size() - from);
                ps.waiting.addAll(list.subList(from, list.size()));
            }
        }
        admit();
    }

    /** Moves waiting records into their partitions, as far as each has room. */
    void admit() {
        long now = System.nanoTime();
        for (PartitionState ps : partitions.values()) {
            if (ps.waiting.isEmpty() || ps.revoking) {
                continue;
            }
            int take = Math.min(ps.waiting.size(), ps.role == Role.REQUESTS ? llm.room() : inFlight.room(ps.tp));
            if (take == 0) {
                continue;
            }
            if (log.isDebugEnabled()) {
                log.debug("semantic-cache processor {}: takes {} records of {} from offset {}", config.clientId(),
                        take, ps.tp, ps.waiting.peek().offset());
            }
            for (int i = 0; i < take; i++) {
                ConsumerRecord<byte[], byte[]> r = ps.waiting.poll();
                if (ps.role == Role.REQUESTS) {
                    llm.onRequest(r);
                } else {
                    ps.accept(new InputRecord(r, now, ps));
                }
            }
            if (ps.role != Role.REQUESTS) {
                inFlight.add(ps.tp, take);
            }
        }
    }

    /** Pauses exactly the partitions without room or with records waiting (all of them when stopping). */
    void updatePause(boolean stopping) {
        Set<TopicPartition> assignment = consumer.assignment();
        if (assignment.isEmpty()) {
            return;
        }
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        for (TopicPartition tp : assignment) {
            PartitionState ps = partitions.get(tp);
            boolean full = stopping || ps == null || !ps.waiting.isEmpty()
                    || (ps.role == Role.REQUESTS ? llm.room() == 0 : inFlight.room(tp) == 0);
            if (full && !paused.contains(tp)) {
                pause.add(tp);
            } else if (!full && paused.contains(tp)) {
                resume.add(tp);
            }
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
    }

    /**
     * Takes nothing more (the member lost the group): each partition goes back to its first record not started,
     * read again if it is still ours; {@code records} is the poll not taken.
     */
    void setBack(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            first.put(tp, records.records(tp).get(0).offset());
        }
        for (PartitionState ps : partitions.values()) {
            if (!ps.waiting.isEmpty()) {
                first.put(ps.tp, ps.waiting.peek().offset());
                ps.waiting.clear();
            }
            int before = ps.pending.size();
            long dropped = ps.dropUnstarted();
            if (dropped >= 0) {
                first.put(ps.tp, dropped);
                inFlight.release(ps.tp, before - ps.pending.size());
            }
        }
        Set<TopicPartition> assigned = consumer.assignment();
        first.forEach((tp, offset) -> {
            if (assigned.contains(tp)) {
                consumer.seek(tp, offset);
            }
        });
    }
}
