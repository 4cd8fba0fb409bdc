package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.BatchOptions;
import com.betterdb.semanticcache.CheckOptions;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a {@link SemanticCacheProcessor} needs besides the cache. Immutable; build with {@link #builder()}.
 * Invalid values fail in {@link Builder#build()} with an {@link IllegalArgumentException} naming the option.
 *
 * <p>The processor consumes {@code promptsTopic} and (when set) {@code llmRepliesTopic} with one consumer in
 * {@code groupId}, and writes {@code responsesTopic}, {@code llmRequestsTopic} and {@code deadLetterTopic}.
 */
public final class SemanticCacheProcessorConfig {

    private static final Duration DEFAULT_LLM_TIMEOUT = Duration.ofSeconds(120);

    private final String bootstrapServers;
    private final String groupId;
    private final String clientId;
    private final String promptsTopic;
    private final String responsesTopic;
    private final String llmRequestsTopic;
    private final String llmRepliesTopic;
    private final String deadLetterTopic;
    private final int maxInFlight;
    private final int maxInFlightPerPartition;
    /** As set on the builder: 0 means derived from maxInFlight. */
    private final int maxInFlightPerPartitionSetting;
    private final int maxPollRecords;
    private final int chunkSize;
    private final int maxRecordBytes;
    private final Duration pollTimeout;
    private final Duration retryBackoff;
    private final Duration maxRetryBackoff;
    private final int maxProcessingAttempts;
    private final Duration revokeTimeout;
    private final Duration stopTimeout;
    private final Duration llmTimeout;
    private final int llmMaxAttempts;
    private final int maxPendingLlmRequests;
    private final boolean coalescing;
    private final boolean exactlyOnce;
    private final String transactionalId;
    private final Duration transactionCommitInterval;
    private final String correlationHeader;
    private final CheckOptions checkOptions;
    private final BatchOptions batchOptions;
    private final Map<String, Object> consumerProperties;
    private final Map<String, Object> producerProperties;

    private SemanticCacheProcessorConfig(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.groupId = b.groupId;
        this.clientId = b.clientId;
        this.promptsTopic = b.promptsTopic;
        this.responsesTopic = b.responsesTopic;
        this.llmRequestsTopic = b.llmRequestsTopic;
        this.llmRepliesTopic = b.llmRepliesTopic;
        this.deadLetterTopic = b.deadLetterTopic;
        this.maxInFlight = b.maxInFlight;
        this.maxInFlightPerPartitionSetting = b.maxInFlightPerPartition;
        this.maxInFlightPerPartition = b.maxInFlightPerPartition == 0 ? Math.max(1, b.maxInFlight / 4)
                : b.maxInFlightPerPartition;
        this.maxPollRecords = b.maxPollRecords;
        this.chunkSize = b.chunkSize;
        this.maxRecordBytes = b.maxRecordBytes;
        this.pollTimeout = b.pollTimeout;
        this.retryBackoff = b.retryBackoff;
        this.maxRetryBackoff = b.maxRetryBackoff;
        this.maxProcessingAttempts = b.maxProcessingAttempts;
        this.revokeTimeout = b.revokeTimeout;
        this.stopTimeout = b.stopTimeout;
        this.llmTimeout = b.llmTimeout;
        this.llmMaxAttempts = b.llmMaxAttempts;
        this.maxPendingLlmRequests = b.maxPendingLlmRequests;
        this.coalescing = b.coalescing;
        this.exactlyOnce = b.exactlyOnce;
        this.transactionalId = b.transactionalId;
        this.transactionCommitInterval = b.transactionCommitInterval;
        this.correlationHeader = b.correlationHeader;
        this.checkOptions = b.checkOptions;
        this.batchOptions = b.batchOptions;
        this.consumerProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.consumerProperties));
        this.producerProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.producerProperties));
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.bootstrapServers = bootstrapServers;
        b.groupId = groupId;
        b.clientId = clientId;
        b.promptsTopic = promptsTopic;
        b.responsesTopic = responsesTopic;
        b.llmRequestsTopic = llmRequestsTopic;
        b.llmRepliesTopic = llmRepliesTopic;
        b.deadLetterTopic = deadLetterTopic;
        b.maxInFlight = maxInFlight;
        b.maxInFlightPerPartition = maxInFlightPerPartitionSetting;
        b.maxPollRecords = maxPollRecords;
        b.chunkSize = chunkSize;
        b.maxRecordBytes = maxRecordBytes;
        b.pollTimeout = pollTimeout;
        b.retryBackoff = retryBackoff;
        b.maxRetryBackoff = maxRetryBackoff;
        b.maxProcessingAttempts = maxProcessingAttempts;
        b.revokeTimeout = revokeTimeout;
        b.stopTimeout = stopTimeout;
        b.llmTimeout = llmTimeout;
        b.llmMaxAttempts = llmMaxAttempts;
        b.maxPendingLlmRequests = maxPendingLlmRequests;
        b.coalescing = coalescing;
        b.exactlyOnce = exactlyOnce;
        b.transactionalId = transactionalId;
        b.transactionCommitInterval = transactionCommitInterval;
        b.correlationHeader = correlationHeader;
        b.checkOptions = checkOptions;
        b.batchOptions = batchOptions;
        b.consumerProperties = new LinkedHashMap<>(consumerProperties);
        b.producerProperties = new LinkedHashMap<>(producerProperties);
        return b;
    }

    /** Kafka {@code bootstrap.servers}. Required. */
    public String bootstrapServers() { return bootstrapServers; }

    /** Consumer group id. Required. */
    public String groupId() { return groupId; }

    /**
     * Prefix of the consumer ({@code -consumer}) and producer ({@code -producer}) {@code client.id}, or {@code null}
     * (the default): then each started instance picks {@code semantic-cache-<host>-<random hex>}, so no two instances
     * share one. When you set it, give each instance its own.
     */
    public String clientId() { return clientId; }

    /** Topic of {@code PromptEvent}s. Required. */
    public String promptsTopic() { return promptsTopic; }

    /** Topic of {@code ResponseEvent}s. Required. */
    public String responsesTopic() { return responsesTopic; }

    /** Topic of {@code LlmRequestEvent}s (cache misses). Required. */
    public String llmRequestsTopic() { return llmRequestsTopic; }

    /** Topic of {@code LlmReplyEvent}s, or {@code null} to run the prompt path only. */
    public String llmRepliesTopic() { return llmRepliesTopic; }

    /** Topic of dead letters. Required. */
    public String deadLetterTopic() { return deadLetterTopic; }

    /**
     * Records polled and not yet finished, at most, per input topic (prompts; LLM replies) (default 512). A topic's
     * partitions are paused when it reaches this, and resumed as records finish.
     */
    public int maxInFlight() { return maxInFlight; }

    /**
     * Records of one partition polled and not yet finished, at most (default {@code maxInFlight / 4}, at least 1): a
     * stuck partition is paused alone once it holds this many, the others go on.
     */
    public int maxInFlightPerPartition() { return maxInFlightPerPartition; }

    /**
     * How long to wait for the reply to an LLM request before asking again, or, after {@link #llmMaxAttempts()}
     * requests, answering the prompt with {@code source=error} (default 120 s; {@code Duration.ZERO}: no timeouts).
     * Needs llm-requests and llm-replies with the same number of partitions.
     */
    public Duration llmTimeout() { return llmTimeout; }

    /** LLM requests per prompt at most, the first included (default 2). */
    public int llmMaxAttempts() { return llmMaxAttempts; }

    /** LLM requests awaiting their reply that one instance tracks, at most (default 10,000). */
    public int maxPendingLlmRequests() { return maxPendingLlmRequests; }

    /**
     * Whether a miss within its threshold of a prompt whose LLM request is in flight (same category, same filter) waits
     * for that request's reply instead of sending its own (default {@code true}; needs {@code llmRepliesTopic}). A
     * parked prompt is committed once answered, and asks the LLM itself when no reply comes within
     * {@link #llmTimeout()} ({@link #parkTimeout()}).
     */
    public boolean coalescing() { return coalescing && llmRepliesTopic != null; }

    /**
     * Exactly-once mode (default {@code false}: at-least-once). The outputs of the records processed are written in
     * Kafka transactions, each committed together with the input offsets of those records; the processor reads its
     * inputs {@code read_committed}, and every reader of its output topics must too. See the module documentation
     * ("Exactly-once mode") for what it guarantees and costs.
     */
    public boolean exactlyOnce() { return exactlyOnce; }

    /**
     * The producer's {@code transactional.id} in exactly-once mode: set, or {@code null} (the default) for the
     * instance's {@link #clientId()}. Unique per instance and, ideally, the same across its restarts (a pod name):
     * a restarted instance then aborts at once what its predecessor left open.
     */
    public String transactionalId() { return transactionalId; }

    /** Exactly-once mode: how often the open transaction is committed (default 100 ms). */
    public Duration transactionCommitInterval() { return transactionCommitInterval; }

    /** How long a parked prompt waits for the reply it joined: {@code llmTimeout}, or 120 s when that is zero. */
    public Duration parkTimeout() { return llmTimeout.isZero() ? DEFAULT_LLM_TIMEOUT : llmTimeout; }

    /** Consumer {@code max.poll.records} (default 256; at most {@code maxInFlight}). */
    public int maxPollRecords() { return maxPollRecords; }

    /** Records of one partition processed together (one {@code checkAll} / {@code storeAll}); default 64. */
    public int chunkSize() { return chunkSize; }

    /**
     * Larger records (key, value and headers) are dead-lettered as {@code TOO_LARGE} (default 1 MiB - 1 KiB =
     * 1,047,552). With the bytes the processor adds it must fit the producer's {@code max.request.size}.
     */
    public int maxRecordBytes() { return maxRecordBytes; }

    /** Longest {@code consumer.poll} wait (default 100 ms). */
    public Duration pollTimeout() { return pollTimeout; }

    /** First retry delay after a cache or produce failure; doubles per attempt (default 100 ms). */
    public Duration retryBackoff() { return retryBackoff; }

    /** Largest retry delay (default 5 s). */
    public Duration maxRetryBackoff() { return maxRetryBackoff; }

    /**
     * After this many failed attempts a record is dead-lettered as {@code PROCESSING_FAILED}; {@code 0} (default)
     * retries forever, so a cache outage never dead-letters good records.
     */
    public int maxProcessingAttempts() { return maxProcessingAttempts; }

    /** How long a rebalance waits for in-flight records of revoked partitions (default 10 s). */
    public Duration revokeTimeout() { return revokeTimeout; }

    /** How long a graceful stop waits for in-flight records (default 30 s). */
    public Duration stopTimeout() { return stopTimeout; }

    /** Header carrying the correlation id (default {@value Headers#CORRELATION_ID}). */
    public String correlationHeader() { return correlationHeader; }

    /** Base options of every lookup (e.g. a judge); each event's category and threshold are applied on top. */
    public CheckOptions checkOptions() { return checkOptions; }

    /** Options of {@code checkAll}/{@code storeAll} per chunk; error mode is always {@code RESULT}. */
    public BatchOptions batchOptions() { return batchOptions; }

    /** Extra consumer properties; they override the processor's defaults except those it must own. */
    public Map<String, Object> consumerProperties() { return consumerProperties; }

    /** Extra producer properties; they override the processor's defaults except those it must own. */
    public Map<String, Object> producerProperties() { return producerProperties; }

    @Override
    public String toString() {
        return "SemanticCacheProcessorConfig[groupId=" + groupId + ", prompts=" + promptsTopic + ", replies="
                + llmRepliesTopic + ", responses=" + responsesTopic + ", llmRequests=" + llmRequestsTopic
                + ", deadLetter=" + deadLetterTopic + ", maxInFlight=" + maxInFlight + ", maxInFlightPerPartition="
                + maxInFlightPerPartition + ", maxPollRecords=" + maxPollRecords + ", chunkSize=" + chunkSize
                + ", maxRecordBytes=" + maxRecordBytes + ", llmTimeout=" + llmTimeout + ", llmMaxAttempts="
                + llmMaxAttempts + ", coalescing=" + coalescing() + (exactlyOnce ? ", exactlyOnce, transactionalId="
                + transactionalId + ", transactionCommitInterval=" + transactionCommitInterval : "") + "]";
    }

    public static final class Builder {
        private String bootstrapServers;
        private String groupId;
        private String clientId;
        private String promptsTopic;
        private String responsesTopic;
        private String llmRequestsTopic;
        private String llmRepliesTopic;
        private String deadLetterTopic;
        private int maxInFlight = 512;
        private int maxInFlightPerPartition = 0;
        private int maxPollRecords = 256;
        private int chunkSize = 64;
        private int maxRecordBytes = SizeLimits.DEFAULT_MAX_RECORD_BYTES;
        private Duration pollTimeout = Duration.ofMillis(100);
        private Duration retryBackoff = Duration.ofMillis(100);
        private Duration maxRetryBackoff = Duration.ofSeconds(5);
        private int maxProcessingAttempts = 0;
        private Duration revokeTimeout = Duration.ofSeconds(10);
        private Duration stopTimeout = Duration.ofSeconds(30);
        private Duration llmTimeout = DEFAULT_LLM_TIMEOUT;
        private int llmMaxAttempts = 2;
        private int maxPendingLlmRequests = 10_000;
        private boolean coalescing = true;
        private boolean exactlyOnce = false;
        private String transactionalId;
        private Duration transactionCommitInterval = Duration.ofMillis(100);
        private String correlationHeader = Headers.CORRELATION_ID;
        private CheckOptions checkOptions = CheckOptions.defaults();
        private BatchOptions batchOptions = BatchOptions.defaults();
        private Map<String, Object> consumerProperties = new LinkedHashMap<>();
        private Map<String, Object> producerProperties = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder bootstrapServers(String v) { this.bootstrapServers = v; return this; }
        public Builder groupId(String v) { this.groupId = v; return this; }
        public Builder clientId(String v) { this.clientId = v; return this; }
        public Builder promptsTopic(String v) { this.promptsTopic = v; return this; }
        public Builder responsesTopic(String v) { this.responsesTopic = v; return this; }
        public Builder llmRequestsTopic(String v) { this.llmRequestsTopic = v; return this; }
        public Builder llmRepliesTopic(String v) { this.llmRepliesTopic = v; return this; }
        public Builder deadLetterTopic(String v) { this.deadLetterTopic = v; return this; }
        public Builder maxInFlight(int v) { this.maxInFlight = v; return this; }
        /** Records of one partition in flight, at most; 0 (the default) derives it: {@code max(1, maxInFlight / 4)}. */
        public Builder maxInFlightPerPartition(int v) { this.maxInFlightPerPartition = v; return this; }
        public Builder llmTimeout(Duration v) { this.llmTimeout = v; return this; }
        public Builder llmMaxAttempts(int v) { this.llmMaxAttempts = v; return this; }
        public Builder maxPendingLlmRequests(int v) { this.maxPendingLlmRequests = v; return this; }
        /** Park close misses behind an LLM request in flight (default true). */
        public Builder coalescing(boolean v) { this.coalescing = v; return this; }
        /** Outputs and input offsets committed together in Kafka transactions (default false: at-least-once). */
        public Builder exactlyOnce(boolean v) { this.exactlyOnce = v; return this; }
        /** The {@code transactional.id} in exactly-once mode (default: the instance's client id). */
        public Builder transactionalId(String v) { this.transactionalId = v; return this; }
        /** How often the exactly-once mode commits its transaction (default 100 ms). */
        public Builder transactionCommitInterval(Duration v) { this.transactionCommitInterval = v; return this; }
        public Builder maxPollRecords(int v) { this.maxPollRecords = v; return this; }
        public Builder chunkSize(int v) { this.chunkSize = v; return this; }
        public Builder maxRecordBytes(int v) { this.maxRecordBytes = v; return this; }
        public Builder pollTimeout(Duration v) { this.pollTimeout = v; return this; }
        public Builder retryBackoff(Duration v) { this.retryBackoff = v; return this; }
        public Builder maxRetryBackoff(Duration v) { this.maxRetryBackoff = v; return this; }
        public Builder maxProcessingAttempts(int v) { this.maxProcessingAttempts = v; return this; }
        public Builder revokeTimeout(Duration v) { this.revokeTimeout = v; return this; }
        public Builder stopTimeout(Duration v) { this.stopTimeout = v; return this; }
        public Builder correlationHeader(String v) { this.correlationHeader = v; return this; }
        public Builder checkOptions(CheckOptions v) { this.checkOptions = v; return this; }
        public Builder batchOptions(BatchOptions v) { this.batchOptions = v; return this; }

        /** Adds one consumer property (e.g. {@code session.timeout.ms}). */
        public Builder consumerProperty(String key, Object value) { this.consumerProperties.put(key, value); return this; }

        /** Adds one producer property (e.g. {@code linger.ms}). */
        public Builder producerProperty(String key, Object value) { this.producerProperties.put(key, value); return this; }

        public Builder consumerProperties(Map<String, ?> props) { this.consumerProperties.putAll(props); return this; }

        public Builder producerProperties(Map<String, ?> props) { this.producerProperties.putAll(props); return this; }

        public SemanticCacheProcessorConfig build() {
            requireText("bootstrapServers", bootstrapServers);
            requireText("groupId", groupId);
            requireText("promptsTopic", promptsTopic);
            requireText("responsesTopic", responsesTopic);
            requireText("llmRequestsTopic", llmRequestsTopic);
            requireText("deadLetterTopic", deadLetterTopic);
            if (llmRepliesTopic != null) {
                requireText("llmRepliesTopic", llmRepliesTopic);
            }
            if (clientId != null) {
                requireText("clientId", clientId);
            }
            if (transactionalId != null) {
                requireText("transactionalId", transactionalId);
            }
            if (transactionCommitInterval == null || transactionCommitInterval.isNegative()
                    || transactionCommitInterval.isZero()) {
                throw new IllegalArgumentException("transactionCommitInterval must be a positive duration, got "
                        + transactionCommitInterval);
            }
            requirePositive("maxInFlight", maxInFlight);
            requirePositive("maxPollRecords", maxPollRecords);
            requirePositive("chunkSize", chunkSize);
            requirePositive("maxRecordBytes", maxRecordBytes);
            if (maxPollRecords > maxInFlight) {
                throw new IllegalArgumentException("maxPollRecords (" + maxPollRecords
                        + ") must not exceed maxInFlight (" + maxInFlight + ")");
            }
            if (maxInFlightPerPartition < 0 || maxInFlightPerPartition > maxInFlight) {
                throw new IllegalArgumentException("maxInFlightPerPartition must be within 1..maxInFlight (" + maxInFlight
                        + "), got " + maxInFlightPerPartition);
            }
            SizeLimits.check(maxRecordBytes, producerProperties);
            requireDuration("llmTimeout", llmTimeout);
            requirePositive("llmMaxAttempts", llmMaxAttempts);
            requirePositive("maxPendingLlmRequests", maxPendingLlmRequests);
            if (maxProcessingAttempts < 0) {
                throw new IllegalArgumentException("maxProcessingAttempts must be >= 0, got " + maxProcessingAttempts);
            }
            requireDuration("pollTimeout", pollTimeout);
            requireDuration("retryBackoff", retryBackoff);
            requireDuration("maxRetryBackoff", maxRetryBackoff);
            requireDuration("revokeTimeout", revokeTimeout);
            requireDuration("stopTimeout", stopTimeout);
            requireText("correlationHeader", correlationHeader);
            Objects.requireNonNull(checkOptions, "checkOptions");
            Objects.requireNonNull(batchOptions, "batchOptions");
            return new SemanticCacheProcessorConfig(this);
        }

        private static void requireText(String name, String v) {
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException(name + " is required");
            }
        }

        private static void requirePositive(String name, int v) {
            if (v < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, got " + v);
            }
        }

        private static void requireDuration(String name, Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be a non-negative duration, got " + d);
            }
        }
    }
}
