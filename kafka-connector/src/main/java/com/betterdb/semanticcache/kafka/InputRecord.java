package com.betterdb.semanticcache.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One polled record and what became of it. Owned by the poll thread; handed to one chunk at a time (through the
 * control queue, so never to two threads at once), and to the producer's callback for its acknowledgement, which
 * sets the volatile flags the poll thread reads to advance the commit point.
 *
 * <p>Its {@link #output} is planned once and kept across retries: a retried chunk neither asks the cache again for
 * a record whose output is known, nor sends again an output that was acknowledged.
 */
final class InputRecord {

    final ConsumerRecord<byte[], byte[]> record;
    final long polledNanos;
    /** The partition state that accepted it: a record of a partition reassigned since is ignored. */
    final PartitionState owner;
    /** Failed processing attempts so far. */
    int attempts;
    /** When set, the record is dead-lettered as PROCESSING_FAILED; the failure code of the last attempt. */
    String forcedDeadLetter;
    /** What to produce for this record, once planned. */
    volatile Output output;
    /** The output was acknowledged by the broker (or there was none to send): the record is finished. */
    volatile boolean acked;
    /** Waiting for the LLM reply to a close prompt ({@link Coalescer}); not finished, not in its partition's work. */
    volatile boolean parked;
    /** Its output is with the producer, not answered yet. */
    volatile boolean sending;
    /** Handed to a chunk at least once (a record never started can be dropped and read again). */
    boolean started;
    /** The coalescing flight this record's LLM request leads, or null. */
    volatile Coalescer.Flight flight;
    /** A send of {@link #output} failed in a way that may still have written it: sending it again may duplicate it. */
    volatile boolean maybeWritten;
    /** Why the last attempt did not finish the record. */
    volatile Throwable error;

    InputRecord(ConsumerRecord<byte[], byte[]> record, long polledNanos, PartitionState owner) {
        this.record = record;
        this.polledNanos = polledNanos;
        this.owner = owner;
    }

    long offset() {
        return record.offset();
    }
}
