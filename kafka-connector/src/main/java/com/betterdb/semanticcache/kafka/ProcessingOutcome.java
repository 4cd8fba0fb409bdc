package com.betterdb.semanticcache.kafka;

/**
 * What happened to one input record, for observability ({@link ProcessorHandle#outcomes()}). Emitted once the
 * record's outputs are acknowledged by the broker ({@code HIT}, {@code MISS}, {@code STORED}, {@code JOINED},
 * {@code DEAD_LETTERED}), when its processing failed and will be retried ({@code RETRY}), or when it is parked
 * ({@code PARKED}).
 *
 * @param kind          what happened
 * @param topic         input topic
 * @param partition     input partition
 * @param offset        input offset
 * @param id            event id, or {@code null} when the record could not be decoded
 * @param correlationId the correlation id carried to the outputs, or {@code null}
 * @param latencyNanos  from poll to acknowledgement of the last output
 * @param detail        dead-letter reason or error class; {@code null} otherwise (never prompt text)
 */
public record ProcessingOutcome(Kind kind, String topic, int partition, long offset, String id, String correlationId,
                                long latencyNanos, String detail) {

    public enum Kind {
        /** A prompt answered from the cache. */
        HIT,
        /** A prompt forwarded to the LLM requests topic. */
        MISS,
        /** An LLM reply stored in the cache and forwarded as a response. */
        STORED,
        /** A bad record sent to the dead-letter topic. */
        DEAD_LETTERED,
        /** Processing failed (cache, embedding or produce error); the record will be retried. */
        RETRY,
        /** No LLM reply came within {@code llmTimeout}: the LLM request was sent again. */
        LLM_RETRY,
        /** No LLM reply came after {@code llmMaxAttempts} requests: a response with {@code source=error} was sent. */
        LLM_TIMEOUT,
        /** An LLM reply for a prompt already answered (or timed out): stored in the cache, not forwarded. */
        DUPLICATE_REPLY,
        /**
         * A miss parked behind the LLM request of a prompt within its threshold (not committed yet); it ends as
         * {@code JOINED}, or as {@code MISS} when that request gets no reply in time.
         */
        PARKED,
        /** A parked prompt answered from the reply to the request it waited for: no LLM request of its own. */
        JOINED
    }
}
