package com.betterdb.semanticcache.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import static com.betterdb.semanticcache.kafka.KafkaMetricNames.*;

/** The processor's meters ({@link KafkaMetricNames}), tagged with the group and client id. */
final class ProcessorMetrics {

    private final MeterRegistry registry;
    private final String group;
    private final String client;
    private final Map<String, Counter> in = new ConcurrentHashMap<>();
    private final Map<String, Counter> out = new ConcurrentHashMap<>();
    private final Map<String, Counter> resends = new ConcurrentHashMap<>();
    private final Map<String, Counter> sendErrors = new ConcurrentHashMap<>();
    private final Map<String, Counter> retries = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLettered = new ConcurrentHashMap<>();
    private final Map<String, Counter> parkReleased = new ConcurrentHashMap<>();
    private final Map<ProcessingOutcome.Kind, Timer> latency = new EnumMap<>(ProcessingOutcome.Kind.class);
    private final Counter hits;
    private final Counter misses;
    private final Counter stored;
    private final Counter llmRerequests;
    private final Counter llmTimeouts;
    private final Counter duplicateReplies;
    private final Counter parked;
    private final Counter joined;
    private final Counter transactionsCommitted;
    private final Counter transactionsAborted;

    ProcessorMetrics(MeterRegistry registry, String group, String client) {
        this.registry = registry;
        this.group = group;
        this.client = client;
        this.hits = counter(HITS);
        this.misses = counter(MISSES);
        this.stored = counter(STORED);
        this.llmRerequests = counter(LLM_REREQUESTS);
        this.llmTimeouts = counter(LLM_TIMEOUTS);
        this.duplicateReplies = counter(DUPLICATE_REPLIES);
        this.parked = counter(PARKED_TOTAL);
        this.joined = counter(JOINED);
        this.transactionsCommitted = counter(TRANSACTIONS_COMMITTED);
        this.transactionsAborted = counter(TRANSACTIONS_ABORTED);
        for (ProcessingOutcome.Kind k : List.of(ProcessingOutcome.Kind.HIT, ProcessingOutcome.Kind.MISS,
                ProcessingOutcome.Kind.STORED, ProcessingOutcome.Kind.JOINED, ProcessingOutcome.Kind.DEAD_LETTERED,
                ProcessingOutcome.Kind.LLM_TIMEOUT)) {
            latency.put(k, Timer.builder(PROCESSING_LATENCY)
                    .description("Poll to acknowledgement of a record's outputs")
                    .tag(TAG_GROUP, group).tag(TAG_CLIENT, client)
                    .tag(TAG_OUTCOME, k.name().toLowerCase(Locale.ROOT))
                    .publishPercentileHistogram(false)
                    .register(registry));
        }
    }

    void transactionCommitted() {
        transactionsCommitted.increment();
    }

    void transactionAborted() {
        transactionsAborted.increment();
    }

    /** Registers the in-flight gauge of one input topic. */
    void inFlightGauge(String topic, AtomicInteger count) {
        Gauge.builder(IN_FLIGHT, count, AtomicInteger::get)
                .description("Records polled and not yet finished")
                .tag(TAG_GROUP, group).tag(TAG_CLIENT, client).tag(TAG_TOPIC, topic)
                .register(registry);
    }

    void pendingGauge(AtomicInteger count) {
        Gauge.builder(LLM_PENDING, count, AtomicInteger::get)
                .description("LLM requests awaiting their reply")
                .tag(TAG_GROUP, group).tag(TAG_CLIENT, client)
                .register(registry);
    }

    void parkedGauge(IntSupplier count) {
        Gauge.builder(PARKED, count, IntSupplier::getAsInt)
                .description("Prompts parked behind the LLM request of a close prompt")
                .tag(TAG_GROUP, group).tag(TAG_CLIENT, client)
                .strongReference(true) // the supplier is referenced by nothing else
                .register(registry);
    }

    private Counter counter(String name) {
        return Counter.builder(name).tag(TAG_GROUP, group).tag(TAG_CLIENT, client).register(registry);
    }

    private Counter counter(Map<String, Counter> map, String name, String tag, String value) {
        return map.computeIfAbsent(value, v -> Counter.builder(name).tag(TAG_GROUP, group).tag(TAG_CLIENT, client)
                .tag(tag, v).register(registry));
    }

    void polled(String topic, int n) {
        counter(in, RECORDS_IN, TAG_TOPIC, topic).increment(n);
    }

    void retry(String topic) {
        counter(retries, RETRIES, TAG_TOPIC, topic).increment();
    }

    /** A record the broker acknowledged (every one, re-sends included). */
    void produced(String topic) {
        counter(out, RECORDS_OUT, TAG_TOPIC, topic).increment();
    }

    /** An acknowledged record that had been sent before (the earlier send may have been written too). */
    void resent(String topic) {
        counter(resends, RESENDS, TAG_TOPIC, topic).increment();
    }

    void sendError(String topic, String code) {
        sendErrors.computeIfAbsent(topic + "\u0000" + code, k -> Counter.builder(SEND_ERRORS)
                .tag(TAG_GROUP, group).tag(TAG_CLIENT, client).tag(TAG_TOPIC, topic).tag(TAG_ERROR, code)
                .register(registry)).increment();
    }

    void parked() {
        parked.increment();
    }

    /** Parked prompts sent down the normal miss path; {@code reason} is a {@code Coalescer.Release} label. */
    void parkReleased(String reason, int n) {
        counter(parkReleased, PARK_RELEASED, TAG_REASON, reason).increment(n);
    }

    void llmRerequest() {
        llmRerequests.increment();
    }

    /** A record finished with this outcome (its output acknowledged). */
    void finished(ProcessingOutcome.Kind kind, String detail, long latencyNanos) {
        switch (kind) {
            case HIT -> hits.increment();
            case MISS -> misses.increment();
            case STORED -> stored.increment();
            case LLM_TIMEOUT -> llmTimeouts.increment();
            case DUPLICATE_REPLY -> duplicateReplies.increment();
            case JOINED -> joined.increment();
            case DEAD_LETTERED -> counter(deadLettered, DEAD_LETTERED, TAG_REASON, detail == null ? "unknown" : detail)
                    .increment();
            default -> {
            }
        }
        Timer t = latency.get(kind);
        if (t != null) {
            t.record(latencyNanos, TimeUnit.NANOSECONDS);
        }
    }
}
