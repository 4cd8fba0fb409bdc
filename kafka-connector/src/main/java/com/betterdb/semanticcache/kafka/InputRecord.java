package com.betterdb.semanticcache.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One polled record and what became of it. Touched by the poll thread, and by one chunk at a time while it is being
 * processed (handed over through the control queue, so never concurrently).
 *
 * <p>Its {@link #output} is planned once and kept across retries: a retried chunk neither asks the cache again for
 * a record whose output is known, nor sends again an output that was acknowledged.
 */
final class InputRecord {

    final ConsumerRecord<byte[], byte[]> record;
    final long polledNanos;
    /** Failed processing attempts so far. */
    int attempts;
    /** When set, the record is dead-lettered as PROCESSING_FAILED; the failure code of the last attempt. */
    String forcedDeadLetter;
    /** What to produce for this record, once planned. */
    Output output;
    /** The output was acknowledged by the broker: the record is finished. */
    boolean acked;
    /** A send of {@link #output} failed in a way that may still have written it: sending it again may duplicate it. */
    boolean maybeWritten;
    /** Why the last attempt did not finish the record. */
    Throwable error;

    InputRecord(ConsumerRecord<byte[], byte[]> record, long polledNanos) {
        this.record = record;
        this.polledNanos = polledNanos;
    }
}
