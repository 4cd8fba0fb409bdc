package com.betterdb.semanticcache.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * One assigned partition, as the poll thread sees it (touched by the poll thread only).
 *
 * <p>Two views of its records: {@link #pending}, the work not started (in offset order, retries first), and the
 * window, every record accepted and not yet passed by the commit point. Records finish out of order (acknowledgements
 * of different output partitions, parked prompts answered later); the commit point is the first record not finished,
 * so an offset is never committed before every output of every record before it was acknowledged. Parked records
 * leave the window for {@link #detached} so that the records after them do not pile up behind them.
 */
final class PartitionState {

    /** Which input a partition is. */
    enum Role {
        /** Prompt events: looked up, answered or forwarded to the LLM. */
        PROMPTS,
        /** LLM replies (and the processor's timeout markers): stored and forwarded. */
        REPLIES,
        /** The processor's own LLM requests, read back as timers. */
        REQUESTS
    }

    final TopicPartition tp;
    final Role role;
    /** Polled, not taken yet: the partition had no room (it is paused until they fit). */
    final ArrayDeque<ConsumerRecord<byte[], byte[]>> waiting = new ArrayDeque<>();
    /** Polled, not in a chunk now: never started, or back for a retry or to send an answer found later. */
    final ArrayDeque<InputRecord> pending = new ArrayDeque<>();
    /** Accepted and not passed by the commit point, in offset order. */
    private final ArrayDeque<InputRecord> window = new ArrayDeque<>();
    /** Parked records the window moved past, by offset, until they are finished. */
    private final TreeMap<Long, InputRecord> detached = new TreeMap<>();
    /** The offset after the newest accepted record, or -1 before the first. */
    private long nextOffset = -1;
    /** The chunk being planned and handed to the producer, or null: one at a time, so outputs follow input order. */
    List<InputRecord> busy;
    /** No chunk starts before this (retry backoff). */
    long notBeforeNanos;
    /** Consecutive failed attempts, for the backoff. */
    int failures;
    /** What to commit next, or null; never moves backwards. */
    OffsetAndMetadata commit;
    boolean dirty;
    boolean revoking;
    /** Exactly-once mode: the transaction generation its records belong to; an abort makes it stale. */
    int generation;
    /** Replies below this offset were processed before a restart and are read again only to settle requests. */
    long replayUntil = -1;
    /** Timestamp of the newest replies record finished (or read again): how far the replies are known. */
    long doneTimestampMs = -1;

    PartitionState(TopicPartition tp, Role role) {
        this.tp = tp;
        this.role = role;
    }

    /** A newly polled record: work to do, and a place in the window. */
    void accept(InputRecord in) {
        pending.add(in);
        window.add(in);
        nextOffset = in.offset() + 1;
    }

    /**
     * Moves the commit point past the finished records at the front of the window; returns how many records left
     * the in-flight count: the finished ones, and the parked ones (they wait like an LLM request does, counted by the
     * coalescer, so that a burst of paraphrases does not hold up the prompts behind them).
     */
    int advance() {
        int finished = 0;
        while (!window.isEmpty()) {
            InputRecord first = window.peekFirst();
            if (first.acked) {
                window.pollFirst();
                finished++;
                if (role == Role.REPLIES) {
                    doneTimestampMs = Math.max(doneTimestampMs, first.record.timestamp());
                }
            } else if (first.parked) {
                window.pollFirst();
                detached.put(first.offset(), first);
                finished++;
            } else {
                break;
            }
        }
        while (!detached.isEmpty() && detached.firstEntry().getValue().acked) {
            detached.pollFirstEntry();
        }
        long point = window.isEmpty() ? nextOffset : window.peekFirst().offset();
        if (!detached.isEmpty()) {
            point = Math.min(point, detached.firstKey());
        }
        if (point >= 0) {
            commitAt(new OffsetAndMetadata(point));
        }
        return finished;
    }

    /** Sets the commit point, if it moves forward. */
    void commitAt(OffsetAndMetadata next) {
        if (next != null && (commit == null || next.offset() > commit.offset()
                || (next.offset() == commit.offset() && !next.metadata().equals(commit.metadata())))) {
            commit = next;
            dirty = true;
        }
    }

    /** Puts records back into the work, in offset order (a retry, or a parked prompt whose output is known now). */
    void requeue(Collection<InputRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        List<InputRecord> all = new ArrayList<>(pending.size() + records.size());
        all.addAll(records);
        all.addAll(pending);
        all.sort(Comparator.comparingLong(InputRecord::offset));
        pending.clear();
        pending.addAll(all);
    }

    /**
     * Drops the records never started from the work and the window (they are the newest accepted); returns the
     * offset of the first dropped, or -1 when none was.
     */
    long dropUnstarted() {
        long first = -1;
        while (!pending.isEmpty() && !pending.peekLast().started) {
            InputRecord in = pending.pollLast();
            if (window.peekLast() == in) {
                window.pollLast();
            }
            first = in.offset();
        }
        if (first >= 0) {
            nextOffset = window.isEmpty() ? Math.min(nextOffset, first) : window.peekLast().offset() + 1;
        }
        return first;
    }

    /** Whether a chunk is being planned, or an output was handed to the producer and is not answered yet. */
    boolean sending() {
        if (busy != null) {
            return true;
        }
        for (InputRecord in : window) {
            if (in.sending) {
                return true;
            }
        }
        for (InputRecord in : detached.values()) {
            if (in.sending) {
                return true;
            }
        }
        return false;
    }

    /** Records accepted and not passed by the commit point: in the work, sent, or parked (and not yet answered). */
    int outstanding() {
        return window.size() + detached.size();
    }
}
