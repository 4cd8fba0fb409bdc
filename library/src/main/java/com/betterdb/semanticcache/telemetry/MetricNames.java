package com.betterdb.semanticcache.telemetry;

/**
 * Every meter and tag name the cache registers, declared once (api.md §7.1). Meter names get the configured prefix
 * ({@code semantic_cache} by default) and an underscore in front, so a Prometheus registry exposes exactly the
 * series the TypeScript package exposes and its dashboards work unchanged.
 */
public final class MetricNames {

    public static final String REQUESTS_TOTAL = "requests_total";
    public static final String SIMILARITY_SCORE = "similarity_score";
    public static final String OPERATION_DURATION_SECONDS = "operation_duration_seconds";
    public static final String EMBEDDING_DURATION_SECONDS = "embedding_duration_seconds";
    public static final String COST_SAVED_TOTAL = "cost_saved_total";
    public static final String EMBEDDING_CACHE_TOTAL = "embedding_cache_total";
    public static final String STALE_MODEL_EVICTIONS_TOTAL = "stale_model_evictions_total";
    public static final String DISCOVERY_WRITE_FAILED_TOTAL = "discovery_write_failed_total";
    public static final String CONFIG_REFRESH_FAILED_TOTAL = "config_refresh_failed_total";
    public static final String JUDGE_DECISIONS_TOTAL = "judge_decisions_total";
    public static final String JUDGE_DURATION_SECONDS = "judge_duration_seconds";
    /** {@code getOrCompute} calls by outcome (Java only: the reference packages have no read-through path). */
    public static final String READ_THROUGH_TOTAL = "read_through_total";
    /** How long joined {@code getOrCompute} calls waited for the computation they joined (Java only). */
    public static final String READ_THROUGH_JOIN_WAIT_SECONDS = "read_through_join_wait_seconds";
    /** Cache failures that a fail-open caller answered around (Java only). */
    public static final String FAIL_OPEN_TOTAL = "fail_open_total";

    public static final String TAG_CACHE_NAME = "cache_name";
    public static final String TAG_RESULT = "result";
    public static final String TAG_CATEGORY = "category";
    public static final String TAG_OPERATION = "operation";
    public static final String TAG_DECISION = "decision";
    public static final String TAG_OUTCOME = "outcome";

    /** {@code outcome} of {@code read_through_total}: served from the cache. */
    public static final String OUTCOME_HIT = "hit";
    /** {@code outcome} of {@code read_through_total}: the LLM was called. */
    public static final String OUTCOME_COMPUTED = "computed";
    /** {@code outcome} of {@code read_through_total}: joined a concurrent computation of a paraphrase. */
    public static final String OUTCOME_JOINED = "joined";
    /** {@code operation} of {@code fail_open_total}: the lookup failed. */
    public static final String OPERATION_CHECK = "check";
    /** {@code operation} of {@code fail_open_total}: storing the answer failed. */
    public static final String OPERATION_STORE = "store";

    /** Category label used when a lookup has no category. */
    public static final String NO_CATEGORY = "none";

    /** Buckets of {@code similarity_score} (cosine distance). */
    public static final double[] SIMILARITY_BUCKETS = {0.02, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3, 0.5, 1.0, 2.0};
    /** Buckets (seconds) of {@code operation_duration_seconds} and {@code embedding_duration_seconds}. */
    public static final double[] DURATION_BUCKETS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};
    /** Buckets (seconds) of {@code read_through_join_wait_seconds}: an LLM call's time scale. */
    public static final double[] JOIN_WAIT_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30};
    /** Buckets (seconds) of {@code judge_duration_seconds}. */
    public static final double[] JUDGE_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2, 5};

    private MetricNames() {
    }
}
