package com.betterdb.semanticcache.telemetry;

/**
 * Observation (span) names and attribute keys, declared once (docs/compatibility.md §5). Each operation is observed as
 * {@code semantic_cache.<operation>}.
 */
public final class ObservationNames {

    public static final String PREFIX = "semantic_cache.";

    public static final String OP_INITIALIZE = "initialize";
    public static final String OP_CHECK = "check";
    public static final String OP_CHECK_BATCH = "checkBatch";
    public static final String OP_STORE = "store";
    public static final String OP_STORE_MULTIPART = "storeMultipart";
    public static final String OP_STORE_BATCH = "storeBatch";
    public static final String OP_INVALIDATE = "invalidate";

    public static final String CACHE_HIT = "cache.hit";
    public static final String CACHE_NAME = "cache.name";
    public static final String CACHE_CATEGORY = "cache.category";
    public static final String CACHE_SIMILARITY = "cache.similarity";
    public static final String CACHE_THRESHOLD = "cache.threshold";
    public static final String CACHE_CONFIDENCE = "cache.confidence";
    public static final String CACHE_MATCHED_KEY = "cache.matched_key";
    public static final String CACHE_RERANKED = "cache.reranked";
    public static final String CACHE_STALE_EVICTED = "cache.stale_evicted";
    public static final String CACHE_JUDGE_INVOKED = "cache.judge.invoked";
    public static final String CACHE_JUDGE_DECISION = "cache.judge.decision";
    public static final String CACHE_JUDGE_LATENCY_MS = "cache.judge.latency_ms";
    public static final String CACHE_KEY = "cache.key";
    public static final String CACHE_TTL = "cache.ttl";
    public static final String CACHE_MODEL = "cache.model";
    public static final String CACHE_BATCH_SIZE = "cache.batch_size";
    public static final String CACHE_FILTER = "cache.filter";
    public static final String CACHE_DELETED_COUNT = "cache.deleted_count";
    public static final String CACHE_TRUNCATED = "cache.truncated";
    public static final String EMBEDDING_LATENCY_MS = "embedding_latency_ms";
    public static final String SEARCH_LATENCY_MS = "search_latency_ms";
    /** Low-cardinality key carrying the configured tracer name (BetterDB Monitor matches {@code @betterdb/...}). */
    public static final String SCOPE_NAME = "otel.scope.name";

    private ObservationNames() {
    }
}
