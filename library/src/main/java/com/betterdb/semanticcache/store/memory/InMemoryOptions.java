package com.betterdb.semanticcache.store.memory;

import java.time.Clock;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Settings of the {@link InMemoryCacheStore}. Immutable; build with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code maxEntries} (default {@code 0} = unbounded): the most live entries a store keeps. When a write takes
 *       the count above it, the entries written longest ago are evicted first (FIFO by the time of their last
 *       {@code putEntry}; a rewrite of a key counts as a new write; TTL refreshes and hits do not). Only entries count:
 *       stats, window, config and the embedding cache are not bounded by it (the embedding cache by its TTL only).</li>
 *   <li>{@code clock} (default {@link Clock#systemUTC()}): the store's notion of "now" for every TTL (entries,
 *       embedding cache, heartbeat), like a Valkey server's own clock. Tests pass a controllable clock.</li>
 *   <li>{@code dimension} (default: unset): the dimension of a pre-existing index. When set, {@code ensureIndex}
 *       uses it without subscribing to the dimension probe, as the Valkey store does when {@code FT.INFO} finds an
 *       index; when unset, the first {@code ensureIndex} probes and the store remembers the result.</li>
 *   <li>{@code parallelThreshold} (default {@value #DEFAULT_PARALLEL_THRESHOLD}): KNN scans over more entries than
 *       this run on {@code Schedulers.parallel()}, split into one slice per core, instead of the subscribing thread.</li>
 *   <li>{@code hnsw} (default: unset, KNN is exact): approximate KNN over an HNSW graph for large stores (see
 *       {@link HnswOptions}; needs Apache Lucene on the classpath).</li>
 * </ul>
 */
public final class InMemoryOptions {

    public static final int DEFAULT_PARALLEL_THRESHOLD = 2000;

    private static final InMemoryOptions DEFAULTS = builder().build();

    private final int maxEntries;
    private final Clock clock;
    private final int dimension;
    private final int parallelThreshold;
    private final HnswOptions hnsw;

    private InMemoryOptions(Builder b) {
        this.maxEntries = b.maxEntries;
        this.clock = b.clock;
        this.dimension = b.dimension;
        this.parallelThreshold = b.parallelThreshold;
        this.hnsw = b.hnsw;
    }

    public static InMemoryOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The most live entries kept; {@code 0} = unbounded. */
    public int maxEntries() {
        return maxEntries;
    }

    public Clock clock() {
        return clock;
    }

    /** The dimension of a pre-existing index, if configured. */
    public OptionalInt dimension() {
        return dimension > 0 ? OptionalInt.of(dimension) : OptionalInt.empty();
    }

    public int parallelThreshold() {
        return parallelThreshold;
    }

    /** The approximate-KNN settings, if configured. */
    public java.util.Optional<HnswOptions> hnsw() {
        return java.util.Optional.ofNullable(hnsw);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxEntries = maxEntries;
        b.clock = clock;
        b.dimension = dimension;
        b.parallelThreshold = parallelThreshold;
        b.hnsw = hnsw;
        return b;
    }

    @Override
    public String toString() {
        return "InMemoryOptions{maxEntries=" + maxEntries + ", clock=" + clock
                + ", dimension=" + (dimension > 0 ? dimension : "probe") + ", parallelThreshold=" + parallelThreshold + (hnsw == null ? "" : ", hnsw=" + hnsw) + '}';
    }

    public static final class Builder {
        private int maxEntries;
        private Clock clock = Clock.systemUTC();
        private int dimension;
        private int parallelThreshold = DEFAULT_PARALLEL_THRESHOLD;
        private HnswOptions hnsw;

        private Builder() {
        }

        /**
         * Approximate KNN over an HNSW graph (Apache Lucene, an optional dependency: add
         * {@code org.apache.lucene:lucene-core}); {@code null} for the exact scan (default).
         */
        public Builder hnsw(HnswOptions hnsw) {
            this.hnsw = hnsw;
            return this;
        }

        /** {@code 0} = unbounded (default); otherwise the oldest-written entries are evicted beyond it. */
        public Builder maxEntries(int maxEntries) {
            if (maxEntries < 0) {
                throw new IllegalArgumentException("maxEntries must be >= 0 (0 = unbounded), got " + maxEntries);
            }
            this.maxEntries = maxEntries;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Pre-sets the index dimension (no probe). Must be {@code >= 1}. */
        public Builder dimension(int dimension) {
            if (dimension < 1) {
                throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
            }
            this.dimension = dimension;
            return this;
        }

        /** Entry count above which KNN runs on {@code Schedulers.parallel()}; {@code >= 0}. */
        public Builder parallelThreshold(int parallelThreshold) {
            if (parallelThreshold < 0) {
                throw new IllegalArgumentException("parallelThreshold must be >= 0, got " + parallelThreshold);
            }
            this.parallelThreshold = parallelThreshold;
            return this;
        }

        public InMemoryOptions build() {
            return new InMemoryOptions(this);
        }
    }
}
