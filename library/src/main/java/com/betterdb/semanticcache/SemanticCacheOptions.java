package com.betterdb.semanticcache;

import com.betterdb.semanticcache.cost.ModelCost;
import com.betterdb.semanticcache.embed.BatchEmbedFn;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.store.CacheStoreFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.observation.ObservationRegistry;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a {@link SemanticCache} is built from (api.md §2.1). Immutable; build with {@link #builder()}.
 * Invalid values fail in {@link Builder#build()} with an {@link IllegalArgumentException} naming the option and
 * the value.
 */
public final class SemanticCacheOptions {

    public static final String DEFAULT_NAME = "betterdb_scache";
    public static final double DEFAULT_THRESHOLD = 0.1;
    public static final double DEFAULT_UNCERTAINTY_BAND = 0.05;
    public static final Duration MIN_REFRESH_INTERVAL = Duration.ofMillis(1000);

    private final String name;
    private final CacheStoreFactory store;
    private final EmbedFn embedFn;
    private final BatchEmbedFn batchEmbedFn;
    private final double defaultThreshold;
    private final Duration defaultTtl;
    private final Map<String, Double> categoryThresholds;
    private final double uncertaintyBand;
    private final Map<String, ModelCost> costTable;
    private final boolean useDefaultCostTable;
    private final EmbeddingCache embeddingCache;
    private final Telemetry telemetry;
    private final ConfigRefresh configRefresh;
    private final Discovery discovery;
    private final Coalescing coalescing;
    private final Clock clock;

    private SemanticCacheOptions(Builder b) {
        this.name = b.name;
        this.store = b.store;
        this.embedFn = b.embedFn;
        this.batchEmbedFn = b.batchEmbedFn;
        this.defaultThreshold = b.defaultThreshold;
        this.defaultTtl = b.defaultTtl;
        this.categoryThresholds = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.categoryThresholds));
        this.uncertaintyBand = b.uncertaintyBand;
        this.costTable = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.costTable));
        this.useDefaultCostTable = b.useDefaultCostTable;
        this.embeddingCache = b.embeddingCache;
        this.telemetry = b.telemetry;
        this.configRefresh = b.configRefresh;
        this.discovery = b.discovery;
        this.coalescing = b.coalescing;
        this.clock = b.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Valkey TTLs are whole seconds ({@code EXPIRE}, {@code SET EX}); a fraction would be silently truncated. */
    static boolean isWholeSeconds(Duration d) {
        return d.getNano() == 0;
    }

    public String name() {
        return name;
    }

    public CacheStoreFactory store() {
        return store;
    }

    public EmbedFn embedFn() {
        return embedFn;
    }

    /** Batch embedder for {@code checkAll}/{@code storeAll}, or {@code null}. */
    public BatchEmbedFn batchEmbedFn() {
        return batchEmbedFn;
    }

    public double defaultThreshold() {
        return defaultThreshold;
    }

    /** Default entry TTL, or {@code null} for no expiry. */
    public Duration defaultTtl() {
        return defaultTtl;
    }

    public Map<String, Double> categoryThresholds() {
        return categoryThresholds;
    }

    public double uncertaintyBand() {
        return uncertaintyBand;
    }

    public Map<String, ModelCost> costTable() {
        return costTable;
    }

    public boolean useDefaultCostTable() {
        return useDefaultCostTable;
    }

    public EmbeddingCache embeddingCache() {
        return embeddingCache;
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    public ConfigRefresh configRefresh() {
        return configRefresh;
    }

    public Discovery discovery() {
        return discovery;
    }

    public Coalescing coalescing() {
        return coalescing;
    }

    public Clock clock() {
        return clock;
    }

    /** Embedding cache in Valkey, {@code {name}:embed:{sha256}} (data-format.md §6). */
    public record EmbeddingCache(boolean enabled, Duration ttl) {
        public static final EmbeddingCache DEFAULT = new EmbeddingCache(true, Duration.ofSeconds(86400));

        public EmbeddingCache {
            Objects.requireNonNull(ttl, "embeddingCache.ttl");
            if (ttl.toSeconds() < 1 || !isWholeSeconds(ttl)) {
                throw new IllegalArgumentException("embeddingCache.ttl must be a whole number of seconds >= 1, got " + ttl);
            }
        }

        public static EmbeddingCache disabled() {
            return new EmbeddingCache(false, DEFAULT.ttl);
        }
    }

    /**
     * Micrometer wiring. Meter names are {@code <metricsPrefix>_...} (api.md §7.1); observations are named
     * {@code semantic_cache.<operation>}.
     *
     * @param tracerName          reported as the {@code otel.scope.name} low-cardinality key of every observation;
     *                            BetterDB Monitor correlates traces only when it is {@code @betterdb/semantic-cache}
     * @param metricsPrefix       prefix of every meter name
     * @param meterRegistry       where meters go (default: Micrometer's global registry)
     * @param observationRegistry where observations go (default: no-op)
     */
    public record Telemetry(String tracerName, String metricsPrefix, MeterRegistry meterRegistry,
                            ObservationRegistry observationRegistry) {
        public static final String DEFAULT_TRACER_NAME = "@betterdb/semantic-cache";
        public static final String DEFAULT_METRICS_PREFIX = "semantic_cache";

        public Telemetry {
            tracerName = tracerName == null ? DEFAULT_TRACER_NAME : tracerName;
            metricsPrefix = metricsPrefix == null ? DEFAULT_METRICS_PREFIX : metricsPrefix;
            meterRegistry = meterRegistry == null ? Metrics.globalRegistry : meterRegistry;
            observationRegistry = observationRegistry == null ? ObservationRegistry.NOOP : observationRegistry;
            if (!metricsPrefix.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
                throw new IllegalArgumentException("telemetry.metricsPrefix must match [a-zA-Z_][a-zA-Z0-9_]*, got '"
                        + metricsPrefix + "'");
            }
        }

        public static Telemetry defaults() {
            return new Telemetry(null, null, null, null);
        }
    }

    /** Periodic re-read of {@code {name}:__config} (behaviour.md §11). */
    public record ConfigRefresh(boolean enabled, Duration interval) {
        public static final ConfigRefresh DEFAULT = new ConfigRefresh(true, Duration.ofSeconds(30));

        public ConfigRefresh {
            Objects.requireNonNull(interval, "configRefresh.interval");
            if (interval.compareTo(MIN_REFRESH_INTERVAL) < 0) {
                throw new IllegalArgumentException("configRefresh.interval must be at least 1000 ms, got "
                        + interval.toMillis() + " ms");
            }
        }

        public static ConfigRefresh disabled() {
            return new ConfigRefresh(false, DEFAULT.interval);
        }
    }

    /** Registration in {@code __betterdb:caches} and the heartbeat key (data-format.md §11). */
    public record Discovery(boolean enabled, Duration heartbeatInterval, boolean includeCategories) {
        public static final Discovery DEFAULT = new Discovery(true, Duration.ofSeconds(30), true);

        public Discovery {
            Objects.requireNonNull(heartbeatInterval, "discovery.heartbeatInterval");
            if (heartbeatInterval.compareTo(MIN_REFRESH_INTERVAL) < 0) {
                throw new IllegalArgumentException("discovery.heartbeatInterval must be at least 1000 ms, got "
                        + heartbeatInterval.toMillis() + " ms");
            }
        }

        public static Discovery disabled() {
            return new Discovery(false, DEFAULT.heartbeatInterval, true);
        }
    }

    /**
     * In-flight coalescing of {@code getOrCompute} misses: while one miss is being computed, a concurrent miss whose
     * query vector is within its threshold of the in-flight prompt's (same category, same filter) waits for that
     * answer instead of calling the LLM again. Per cache instance, in memory.
     *
     * @param enabled     default {@code true}; {@link GetOrComputeOptions#coalesce()} turns it off per call
     * @param maxInFlight at most this many computations are joinable at once; a miss beyond it computes alone
     * @param maxAge      a computation older than this is no longer joinable (its own callers still get it)
     */
    public record Coalescing(boolean enabled, int maxInFlight, Duration maxAge) {
        public static final Coalescing DEFAULT = new Coalescing(true, 1000, Duration.ofMinutes(5));

        public Coalescing {
            Objects.requireNonNull(maxAge, "coalescing.maxAge");
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("coalescing.maxInFlight must be >= 1, got " + maxInFlight);
            }
            if (maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("coalescing.maxAge must be positive, got " + maxAge);
            }
        }

        public static Coalescing disabled() {
            return new Coalescing(false, DEFAULT.maxInFlight, DEFAULT.maxAge);
        }
    }

    public static final class Builder {
        private String name = DEFAULT_NAME;
        private CacheStoreFactory store;
        private EmbedFn embedFn;
        private BatchEmbedFn batchEmbedFn;
        private double defaultThreshold = DEFAULT_THRESHOLD;
        private Duration defaultTtl;
        private final Map<String, Double> categoryThresholds = new LinkedHashMap<>();
        private double uncertaintyBand = DEFAULT_UNCERTAINTY_BAND;
        private final Map<String, ModelCost> costTable = new LinkedHashMap<>();
        private boolean useDefaultCostTable = true;
        private EmbeddingCache embeddingCache = EmbeddingCache.DEFAULT;
        private Telemetry telemetry = Telemetry.defaults();
        private ConfigRefresh configRefresh = ConfigRefresh.DEFAULT;
        private Discovery discovery = Discovery.DEFAULT;
        private Coalescing coalescing = Coalescing.DEFAULT;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Cache name, the prefix of every key (default {@code betterdb_scache}). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Where entries live: {@code CacheStores.valkey(...)} or {@code CacheStores.inMemory()}. Required. */
        public Builder store(CacheStoreFactory store) {
            this.store = store;
            return this;
        }

        /** Required. */
        public Builder embedFn(EmbedFn embedFn) {
            this.embedFn = embedFn;
            return this;
        }

        public Builder batchEmbedFn(BatchEmbedFn batchEmbedFn) {
            this.batchEmbedFn = batchEmbedFn;
            return this;
        }

        /** Cosine distance 0..2; default 0.1. */
        public Builder defaultThreshold(double defaultThreshold) {
            this.defaultThreshold = defaultThreshold;
            return this;
        }

        /** Default entry TTL (whole seconds); {@code null} = no expiry (default). */
        public Builder defaultTtl(Duration defaultTtl) {
            this.defaultTtl = defaultTtl;
            return this;
        }

        public Builder categoryThreshold(String category, double threshold) {
            this.categoryThresholds.put(category, threshold);
            return this;
        }

        public Builder categoryThresholds(Map<String, Double> thresholds) {
            this.categoryThresholds.clear();
            this.categoryThresholds.putAll(thresholds);
            return this;
        }

        /** Width below the threshold in which hits are {@code uncertain}; default 0.05. */
        public Builder uncertaintyBand(double uncertaintyBand) {
            this.uncertaintyBand = uncertaintyBand;
            return this;
        }

        /** Price overrides, merged over the bundled table (user wins) unless {@link #useDefaultCostTable} is off. */
        public Builder costTable(Map<String, ModelCost> costTable) {
            this.costTable.clear();
            this.costTable.putAll(costTable);
            return this;
        }

        public Builder modelCost(String model, ModelCost cost) {
            this.costTable.put(model, cost);
            return this;
        }

        public Builder useDefaultCostTable(boolean useDefaultCostTable) {
            this.useDefaultCostTable = useDefaultCostTable;
            return this;
        }

        public Builder embeddingCache(EmbeddingCache embeddingCache) {
            this.embeddingCache = Objects.requireNonNull(embeddingCache, "embeddingCache");
            return this;
        }

        public Builder telemetry(Telemetry telemetry) {
            this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
            return this;
        }

        public Builder meterRegistry(MeterRegistry registry) {
            this.telemetry = new Telemetry(telemetry.tracerName(), telemetry.metricsPrefix(), registry,
                    telemetry.observationRegistry());
            return this;
        }

        public Builder observationRegistry(ObservationRegistry registry) {
            this.telemetry = new Telemetry(telemetry.tracerName(), telemetry.metricsPrefix(), telemetry.meterRegistry(),
                    registry);
            return this;
        }

        public Builder configRefresh(ConfigRefresh configRefresh) {
            this.configRefresh = Objects.requireNonNull(configRefresh, "configRefresh");
            return this;
        }

        public Builder discovery(Discovery discovery) {
            this.discovery = Objects.requireNonNull(discovery, "discovery");
            return this;
        }

        /** Time source for timestamps and window scores (tests). */
        /** In-flight coalescing of {@code getOrCompute} misses (default on). */
        public Builder coalescing(Coalescing coalescing) {
            this.coalescing = Objects.requireNonNull(coalescing, "coalescing");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public SemanticCacheOptions build() {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("name must be a non-empty string, got '" + name + "'");
            }
            if (store == null) {
                throw new IllegalArgumentException("store is required: use CacheStores.valkey(...) or CacheStores.inMemory()");
            }
            if (embedFn == null) {
                throw new IllegalArgumentException("embedFn is required");
            }
            requireThreshold("defaultThreshold", defaultThreshold);
            categoryThresholds.forEach((c, t) -> {
                if (c == null || c.isEmpty()) {
                    throw new IllegalArgumentException("categoryThresholds keys must be non-empty, got '" + c + "'");
                }
                requireThreshold("categoryThresholds[" + c + "]", t == null ? Double.NaN : t);
            });
            if (!(uncertaintyBand >= 0 && uncertaintyBand <= 2)) {
                throw new IllegalArgumentException("uncertaintyBand must be within 0..2, got " + uncertaintyBand);
            }
            if (defaultTtl != null && (defaultTtl.isNegative() || defaultTtl.isZero() || !isWholeSeconds(defaultTtl))) {
                throw new IllegalArgumentException("defaultTtl must be a positive whole number of seconds, got "
                        + defaultTtl);
            }
            return new SemanticCacheOptions(this);
        }

        private static void requireThreshold(String option, double v) {
            if (!(v >= 0 && v <= 2)) {
                throw new IllegalArgumentException(option + " must be within 0..2 (cosine distance), got " + v);
            }
        }
    }
}
