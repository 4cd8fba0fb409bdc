package com.betterdb.semanticcache.store.memory;

/**
 * Approximate KNN for large in-memory stores: an HNSW graph (Apache Lucene's {@code HnswGraphBuilder} and
 * {@code HnswGraphSearcher}) over the store's vectors. Immutable; build with {@link #builder()}. Needs
 * {@code org.apache.lucene:lucene-core} on the classpath (an optional dependency of this library; 9.12.3 on Java 17).
 *
 * <ul>
 *   <li>{@code maxConn} (default 16) and {@code beamWidth} (default 100): the graph's {@code M} and
 *       {@code efConstruction}.</li>
 *   <li>{@code efSearch} (default 100): candidates explored per query (at least {@code k}). Higher = better recall,
 *       slower queries.</li>
 *   <li>{@code minEntries} (default 20,000): below this many vectors the exact scan is used (it is faster there, and
 *       exact).</li>
 * </ul>
 *
 * <p>What it changes: which entries are found (recall below 1: the true nearest neighbour may be missed), never the
 * score of a found entry (the candidates' distances are computed exactly, as the exact scan does) nor the filter and
 * TTL semantics (a pre-filter inside the graph search). Writes cost a graph insertion each (under the store's write
 * lock); when the vector matrix compacts away many deleted rows, the graph is rebuilt on the next search.
 */
public final class HnswOptions {

    private static final HnswOptions DEFAULTS = builder().build();

    private final int maxConn;
    private final int beamWidth;
    private final int efSearch;
    private final int minEntries;

    private HnswOptions(Builder b) {
        this.maxConn = b.maxConn;
        this.beamWidth = b.beamWidth;
        this.efSearch = b.efSearch;
        this.minEntries = b.minEntries;
    }

    public static HnswOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxConn() {
        return maxConn;
    }

    public int beamWidth() {
        return beamWidth;
    }

    public int efSearch() {
        return efSearch;
    }

    public int minEntries() {
        return minEntries;
    }

    @Override
    public String toString() {
        return "HnswOptions{maxConn=" + maxConn + ", beamWidth=" + beamWidth + ", efSearch=" + efSearch
                + ", minEntries=" + minEntries + '}';
    }

    public static final class Builder {
        private int maxConn = 16;
        private int beamWidth = 100;
        private int efSearch = 100;
        private int minEntries = 20_000;

        private Builder() {
        }

        public Builder maxConn(int maxConn) {
            this.maxConn = positive("maxConn", maxConn);
            return this;
        }

        public Builder beamWidth(int beamWidth) {
            this.beamWidth = positive("beamWidth", beamWidth);
            return this;
        }

        public Builder efSearch(int efSearch) {
            this.efSearch = positive("efSearch", efSearch);
            return this;
        }

        /** Vectors below which the exact scan runs instead; {@code >= 0}. */
        public Builder minEntries(int minEntries) {
            if (minEntries < 0) {
                throw new IllegalArgumentException("minEntries must be >= 0, got " + minEntries);
            }
            this.minEntries = minEntries;
            return this;
        }

        public HnswOptions build() {
            return new HnswOptions(this);
        }

        private static int positive(String name, int v) {
            if (v < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, got " + v);
            }
            return v;
        }
    }
}
