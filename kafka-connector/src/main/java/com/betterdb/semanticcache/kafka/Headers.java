package com.betterdb.semanticcache.kafka;

/** Names of the record headers the processor reads and writes. */
public final class Headers {

    /** Default correlation header: copied from the input record to every output; the event id when absent. */
    public static final String CORRELATION_ID = "x-correlation-id";
    /** Dead letters: a {@link DeadLetterReason} name. */
    public static final String DLQ_REASON = "x-dlq-reason";
    /** Dead letters: a human-readable error message (never contains prompt or response text). */
    public static final String DLQ_ERROR = "x-dlq-error";
    /** Dead letters: the topic the record was read from. */
    public static final String DLQ_SOURCE_TOPIC = "x-dlq-source-topic";
    /** Dead letters: the partition the record was read from (decimal). */
    public static final String DLQ_SOURCE_PARTITION = "x-dlq-source-partition";
    /** Dead letters: the offset the record was read from (decimal). */
    public static final String DLQ_SOURCE_OFFSET = "x-dlq-source-offset";
    /** Responses: {@code cache} or {@code llm}, the same as the event's {@code source}. */
    public static final String SOURCE = "x-source";

    private Headers() {
    }
}
