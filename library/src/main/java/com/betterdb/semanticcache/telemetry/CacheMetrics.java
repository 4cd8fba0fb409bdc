package com.betterdb.semanticcache.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static com.betterdb.semanticcache.telemetry.MetricNames.*;

/**
 * The cache's meters on one registry, with the names, tags and buckets of api.md §7.1. Meters are looked up once
 * per tag combination and kept, so the hot path does no registry lookups.
 */
public final class CacheMetrics {

    private final MeterRegistry registry;
    private final String prefix;
    private final String cacheName;
    private final ConcurrentHashMap<String, Object> meters = new ConcurrentHashMap<>();
    private final Duration[] durationSlos;
    private final Duration[] judgeSlos;
    private final Duration[] joinWaitSlos;

    public CacheMetrics(MeterRegistry registry, String prefix, String cacheName) {
        this.registry = registry;
        this.prefix = prefix + "_";
        this.cacheName = cacheName;
        this.durationSlos = toDurations(DURATION_BUCKETS);
        this.judgeSlos = toDurations(JUDGE_BUCKETS);
        this.joinWaitSlos = toDurations(JOIN_WAIT_BUCKETS);
    }

    private static Duration[] toDurations(double[] seconds) {
        return Arrays.stream(seconds).mapToObj(s -> Duration.ofNanos((long) (s * 1e9))).toArray(Duration[]::new);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** {@code category} label: the category, or {@code none}. */
    public static String categoryLabel(String category) {
        return category == null || category.isEmpty() ? NO_CATEGORY : category;
    }

    public void request(String result, String category) {
        counter(REQUESTS_TOTAL, "Total number of semantic cache requests",
                TAG_RESULT, result, TAG_CATEGORY, categoryLabel(category)).increment();
    }

    public void similarity(String category, double score) {
        String cat = categoryLabel(category);
        ((DistributionSummary) meters.computeIfAbsent(SIMILARITY_SCORE + '|' + cat, k ->
                DistributionSummary.builder(prefix + SIMILARITY_SCORE)
                        .description("Cosine distance similarity scores for cache lookups")
                        .tags(TAG_CACHE_NAME, cacheName, TAG_CATEGORY, cat)
                        .serviceLevelObjectives(SIMILARITY_BUCKETS)
                        .register(registry))).record(score);
    }

    public void operation(String operation, long nanos) {
        ((Timer) meters.computeIfAbsent(OPERATION_DURATION_SECONDS + '|' + operation, k ->
                Timer.builder(prefix + OPERATION_DURATION_SECONDS)
                        .description("Duration of semantic cache operations in seconds")
                        .tags(TAG_CACHE_NAME, cacheName, TAG_OPERATION, operation)
                        .serviceLevelObjectives(durationSlos)
                        .register(registry))).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void embedding(long nanos) {
        ((Timer) meters.computeIfAbsent(EMBEDDING_DURATION_SECONDS, k ->
                Timer.builder(prefix + EMBEDDING_DURATION_SECONDS)
                        .description("Duration of embedding function calls in seconds")
                        .tags(TAG_CACHE_NAME, cacheName)
                        .serviceLevelObjectives(durationSlos)
                        .register(registry))).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void costSaved(String category, double dollars) {
        counter(COST_SAVED_TOTAL, "Estimated cost saved in dollars from semantic cache hits",
                TAG_CATEGORY, categoryLabel(category)).increment(dollars);
    }

    public void embeddingCache(boolean hit) {
        counter(EMBEDDING_CACHE_TOTAL, "Total embedding cache lookups (hit or miss)",
                TAG_RESULT, hit ? "hit" : "miss").increment();
    }

    public void staleEviction() {
        counter(STALE_MODEL_EVICTIONS_TOTAL, "Entries evicted due to staleAfterModelChange detection").increment();
    }

    public void discoveryWriteFailed() {
        counter(DISCOVERY_WRITE_FAILED_TOTAL,
                "Count of failed discovery-marker writes (best-effort HGET/HSET/SET operations against __betterdb:* keys)")
                .increment();
    }

    public void configRefreshFailed() {
        counter(CONFIG_REFRESH_FAILED_TOTAL, "Count of failed periodic config refreshes (HGETALL on __config).")
                .increment();
    }

    public void judge(String category, String decision, long nanos) {
        String cat = categoryLabel(category);
        counter(JUDGE_DECISIONS_TOTAL, "LLM-as-judge decisions for borderline cache hits",
                TAG_CATEGORY, cat, TAG_DECISION, decision).increment();
        ((Timer) meters.computeIfAbsent(JUDGE_DURATION_SECONDS + '|' + cat + '|' + decision, k ->
                Timer.builder(prefix + JUDGE_DURATION_SECONDS)
                        .description("Wall-clock duration of judgeFn invocations")
                        .tags(TAG_CACHE_NAME, cacheName, TAG_CATEGORY, cat, TAG_DECISION, decision)
                        .serviceLevelObjectives(judgeSlos)
                        .register(registry))).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One {@code getOrCompute} call with its outcome ({@code MetricNames.OUTCOME_*}). */
    public void readThrough(String outcome) {
        counter(READ_THROUGH_TOTAL, "Read-through (getOrCompute) calls by outcome", TAG_OUTCOME, outcome).increment();
    }

    /** How long a joined {@code getOrCompute} call waited for the computation it joined. */
    public void joinWait(long nanos) {
        ((Timer) meters.computeIfAbsent(READ_THROUGH_JOIN_WAIT_SECONDS, k ->
                Timer.builder(prefix + READ_THROUGH_JOIN_WAIT_SECONDS)
                        .description("Time joined getOrCompute calls waited for the computation they joined")
                        .tags(TAG_CACHE_NAME, cacheName)
                        .serviceLevelObjectives(joinWaitSlos)
                        .register(registry))).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A cache failure answered around by a fail-open caller ({@code operation}: {@code MetricNames.OPERATION_*}). */
    public void failOpen(String operation) {
        counter(FAIL_OPEN_TOTAL, "Cache failures that a fail-open caller answered around by calling the LLM",
                TAG_OPERATION, operation).increment();
    }

    private Counter counter(String name, String help, String... tags) {
        String key = name + '|' + String.join("|", tags);
        return (Counter) meters.computeIfAbsent(key, k -> Counter.builder(prefix + name)
                .description(help)
                .tag(TAG_CACHE_NAME, cacheName)
                .tags(tags)
                .register(registry));
    }
}
