package com.betterdb.semanticcache.store.valkey;

/**
 * Settings of the Valkey store's connections. Immutable; build with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code connections} (default {@value #DEFAULT_SEARCH_CONNECTIONS}): how many connections
 *       {@code CacheStores.valkey(RedisClient, ...)} opens. {@code FT.SEARCH} and entry writes ({@code HSET} into the
 *       indexed prefix) are spread over them. valkey-search blocks a connection while it runs each of these commands on
 *       a worker thread, so one connection keeps at most one search (or index update) busy at a time, however deep its
 *       pipeline: a second connection lets two of the server's worker threads work at once. Every other command
 *       (bookkeeping, stats, embedding cache, config) goes to the first connection.</li>
 *   <li>{@code pipelineDepth} (default {@value #DEFAULT_PIPELINE_DEPTH}): the most searches / entry writes this store
 *       has in flight on one connection. A batch that would exceed it waits inside the store (without blocking a
 *       thread) until replies make room, so a deeper {@code maxInFlight} in {@code checkAll} / {@code storeAll} buffers
 *       more elements but does not pile more commands onto a connection the server works through one at a time.
 *       A batch larger than the depth is still sent whole once its connection is idle.</li>
 * </ul>
 */
public final class ValkeyStoreOptions {

    public static final int DEFAULT_SEARCH_CONNECTIONS = 2;
    public static final int DEFAULT_PIPELINE_DEPTH = 64;

    private static final ValkeyStoreOptions DEFAULTS = builder().build();

    private final int searchConnections;
    private final int pipelineDepth;

    private ValkeyStoreOptions(Builder b) {
        this.searchConnections = b.searchConnections;
        this.pipelineDepth = b.pipelineDepth;
    }

    public static ValkeyStoreOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int searchConnections() {
        return searchConnections;
    }

    public int pipelineDepth() {
        return pipelineDepth;
    }

    @Override
    public String toString() {
        return "ValkeyStoreOptions{searchConnections=" + searchConnections + ", pipelineDepth=" + pipelineDepth + '}';
    }

    public static final class Builder {
        private int searchConnections = DEFAULT_SEARCH_CONNECTIONS;
        private int pipelineDepth = DEFAULT_PIPELINE_DEPTH;

        private Builder() {
        }

        /** Search / entry-write connections opened by {@code CacheStores.valkey(RedisClient, options)}; {@code >= 1}. */
        public Builder searchConnections(int searchConnections) {
            if (searchConnections < 1) {
                throw new IllegalArgumentException("searchConnections must be >= 1, got " + searchConnections);
            }
            this.searchConnections = searchConnections;
            return this;
        }

        /** Searches / entry writes in flight per connection; {@code >= 1}. */
        public Builder pipelineDepth(int pipelineDepth) {
            if (pipelineDepth < 1) {
                throw new IllegalArgumentException("pipelineDepth must be >= 1, got " + pipelineDepth);
            }
            this.pipelineDepth = pipelineDepth;
            return this;
        }

        public ValkeyStoreOptions build() {
            return new ValkeyStoreOptions(this);
        }
    }
}
