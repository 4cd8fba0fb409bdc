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
    /** Dead letters written without their value: the Kafka error code that refused the full record. */
    public static final String DLQ_VALUE_OMITTED = "x-dlq-value-omitted";
    /** Dead letters written without their value: the size in bytes of the value left out (decimal). */
    public static final String DLQ_ORIGINAL_SIZE = "x-dlq-original-size";
    /** Dead letters written without the input's headers too (only when they alone were too large): {@code true}. */
    public static final String DLQ_HEADERS_OMITTED = "x-dlq-headers-omitted";
    /** LLM requests: which request for this prompt it is, 1 for the first (decimal). */
    public static final String LLM_ATTEMPT = "x-llm-attempt";
    /**
     * LLM requests: where the prompt came from ({@code topic/partition/offset}); the worker copies it to the reply so
     * that duplicate replies and timeouts are matched to the request.
     */
    public static final String LLM_REQUEST_REF = "x-llm-request-ref";
    /** Records the processor writes to the replies topic for itself (an LLM timeout): {@code llm-timeout}. */
    public static final String CONTROL = "x-semantic-cache-control";
    /** Responses: {@code cache}, {@code llm} or {@code error}, the same as the event's {@code source}. */
    public static final String SOURCE = "x-source";

    private Headers() {
    }
}
