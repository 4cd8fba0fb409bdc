package com.betterdb.semanticcache.kafka;

/** Every meter and tag name the processor registers, declared once. */
public final class KafkaMetricNames {

    /** Counter: records polled, tag {@link #TAG_TOPIC}. */
    public static final String RECORDS_IN = "semantic_cache_kafka_records_in_total";
    /** Counter: records produced and acknowledged, tag {@link #TAG_TOPIC}. */
    public static final String RECORDS_OUT = "semantic_cache_kafka_records_out_total";
    /** Counter: prompts answered from the cache. */
    public static final String HITS = "semantic_cache_kafka_hits_total";
    /** Counter: prompts forwarded to the LLM requests topic. */
    public static final String MISSES = "semantic_cache_kafka_misses_total";
    /** Counter: LLM replies stored in the cache. */
    public static final String STORED = "semantic_cache_kafka_stored_total";
    /** Counter: records sent to the dead-letter topic, tag {@link #TAG_REASON}. */
    public static final String DEAD_LETTERED = "semantic_cache_kafka_dead_lettered_total";
    /** Counter: processing failures that will be retried, tag {@link #TAG_TOPIC}. */
    public static final String RETRIES = "semantic_cache_kafka_retries_total";
    /** Counter: records produced again after a failed send of the same record (a subset of records out), tag {@link #TAG_TOPIC}. */
    public static final String RESENDS = "semantic_cache_kafka_resends_total";
    /** Counter: sends that failed, tags {@link #TAG_TOPIC} and {@link #TAG_ERROR} (a Kafka error code). */
    public static final String SEND_ERRORS = "semantic_cache_kafka_send_errors_total";
    /** Counter: LLM requests sent again because no reply came within {@code llmTimeout}. */
    public static final String LLM_REREQUESTS = "semantic_cache_kafka_llm_rerequests_total";
    /** Counter: prompts answered with {@code source=error} because no LLM reply came after every attempt. */
    public static final String LLM_TIMEOUTS = "semantic_cache_kafka_llm_timeouts_total";
    /** Counter: LLM replies for a prompt already answered (or timed out): stored, not forwarded. */
    public static final String DUPLICATE_REPLIES = "semantic_cache_kafka_duplicate_replies_total";
    /** Counter: misses parked behind the LLM request of a prompt within their threshold (coalescing). */
    public static final String PARKED_TOTAL = "semantic_cache_kafka_parked_total";
    /** Counter: parked prompts answered from that request's reply: each is an LLM call saved. */
    public static final String JOINED = "semantic_cache_kafka_joined_total";
    /**
     * Counter: parked prompts sent to the LLM after all (their own request), tag {@link #TAG_REASON}:
     * {@code timeout}, {@code request_failed}, {@code reassigned}, {@code stopping}, {@code aborted}.
     */
    public static final String PARK_RELEASED = "semantic_cache_kafka_park_released_total";
    /** Counter: transactions committed (exactly-once mode). */
    public static final String TRANSACTIONS_COMMITTED = "semantic_cache_kafka_transactions_committed_total";
    /**
     * Counter: transactions aborted (exactly-once mode): a send or commit failed, the outputs written in the
     * transaction are discarded and the records since the last commit are processed again.
     */
    public static final String TRANSACTIONS_ABORTED = "semantic_cache_kafka_transactions_aborted_total";
    /** Gauge: prompts parked now. */
    public static final String PARKED = "semantic_cache_kafka_parked";
    /** Gauge: LLM requests awaiting their reply, tracked by this instance. */
    public static final String LLM_PENDING = "semantic_cache_kafka_llm_pending";
    /** Gauge: records polled and not yet finished. */
    public static final String IN_FLIGHT = "semantic_cache_kafka_in_flight";
    /** Timer: poll to acknowledgement of a record's outputs, tag {@link #TAG_OUTCOME}. */
    public static final String PROCESSING_LATENCY = "semantic_cache_kafka_processing_seconds";

    public static final String TAG_TOPIC = "topic";
    public static final String TAG_REASON = "reason";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_GROUP = "group";
    public static final String TAG_CLIENT = "client";
    public static final String TAG_ERROR = "error";

    private KafkaMetricNames() {
    }
}
