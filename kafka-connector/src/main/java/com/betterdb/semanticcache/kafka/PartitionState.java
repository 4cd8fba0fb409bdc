package com.betterdb.semanticcache.kafka;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.List;

/** One assigned partition, as the poll thread sees it (touched by the poll thread only). */
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
    /** Polled, not yet in a chunk. */
    final ArrayDeque<InputRecord> pending = new ArrayDeque<>();
    /** The chunk being processed, or null: one at a time, so outputs follow input order. */
    List<InputRecord> busy;
    /** No chunk starts before this (retry backoff). */
    long notBeforeNanos;
    /** Consecutive failed attempts, for the backoff. */
    int failures;
    /** What to commit next, or null; never moves backwards. */
    OffsetAndMetadata commit;
    boolean dirty;
    boolean revoking;
    /** Replies below this offset were processed before a restart and are read again only to settle requests. */
    long replayUntil = -1;
    /** Timestamp of the newest replies record finished (or read again): how far the replies are known. */
    long doneTimestampMs = -1;

    PartitionState(TopicPartition tp, Role role) {
        this.tp = tp;
        this.role = role;
    }

    /** Sets the commit point, if it moves forward. */
    void commitAt(OffsetAndMetadata next) {
        if (next != null && (commit == null || next.offset() > commit.offset()
                || (next.offset() == commit.offset() && !next.metadata().equals(commit.metadata())))) {
            commit = next;
            dirty = true;
        }
    }

    int inFlight() {
        return pending.size() + (busy == null ? 0 : busy.size());
    }
}
