package com.betterdb.semanticcache.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static com.betterdb.semanticcache.kafka.KafkaMetricNames.*;

/** The processor's meters ({@link KafkaMetricNames}), tagged with the group and client id. */
final class ProcessorMetrics {

    private final MeterRegistry registry;
    private final String group;
    private final String client;
    private final Map<String, Counter> in = new ConcurrentHashMap<>();
    private final Map<String, Counter> out = new ConcurrentHashMap<>();
    private final Map<String, Counter> retries = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLettered = new ConcurrentHashMap<>();
    private final Map<ProcessingOutcome.Kind, Timer> latency = new EnumMap<>(ProcessingOutcome.Kind.class);
    private final Counter hits;
    private final Counter misses;
    private final Counter stored;

    ProcessorMetrics(MeterRegistry registry, String group, String client, AtomicInteger inFlight) {
        this.registry = registry;
        this.group = group;
        this.client = client;
        this.hits = counter(HITS);
        this.misses = counter(MISSES);
        this.stored = counter(STORED);
        for (ProcessingOutcome.Kind k : ProcessingOutcome.Kind.values()) {
            if (k != ProcessingOutcome.Kind.RETRY) {
                latency.put(k, Timer.builder(PROCESSING_LATENCY)
                        .description("Poll to acknowledgement of a record's outputs")
                        .tag(TAG_GROUP, group).tag("client", client)
                        .tag(TAG_OUTCOME, k.name().toLowerCase(java.util.Locale.ROOT))
                        .publishPercentileHistogram(false)
                        .register(registry));
            }
        }
        Gauge.builder(IN_FLIGHT, inFlight, AtomicInteger::get)
                .description("Records polled and not yet finished")
                .tag(TAG_GROUP, group).tag("client", client)
                .register(registry);
    }

    private Counter counter(String name) {
        return Counter.builder(name).tag(TAG_GROUP, group).tag("client", client).register(registry);
    }

    private Counter counter(Map<String, Counter> map, String name, String tag, String value) {
        return map.computeIfAbsent(value, v -> Counter.builder(name).tag(TAG_GROUP, group).tag("client", client)
                .tag(tag, v).register(registry));
    }

    void polled(String topic, int n) {
        counter(in, RECORDS_IN, TAG_TOPIC, topic).increment(n);
    }

    void retry(String topic) {
        counter(retries, RETRIES, TAG_TOPIC, topic).increment();
    }

    void finished(ProcessingOutcome.Kind kind, String outputTopic, String detail, long latencyNanos) {
        counter(out, RECORDS_OUT, TAG_TOPIC, outputTopic).increment();
        switch (kind) {
            case HIT -> hits.increment();
            case MISS -> misses.increment();
            case STORED -> stored.increment();
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
