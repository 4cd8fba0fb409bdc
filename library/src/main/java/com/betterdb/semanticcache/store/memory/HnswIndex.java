package com.betterdb.semanticcache.store.memory;

import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntPredicate;

/**
 * An HNSW graph (Lucene's builder and searcher, on heap) whose nodes are the rows of a {@link VectorMatrix}: node
 * {@code i} is row {@code i}, scored straight from the matrix (no copy). Only this class touches Lucene, so the
 * dependency stays optional: it is loaded only when {@link HnswOptions} are configured.
 *
 * <p>Threads: {@link #sync} (called by writers after each append) and rebuilds take the write lock; searches the read
 * lock, so a search never sees a node half-inserted.
 */
final class HnswIndex {

    private static final long SEED = 42;

    private final HnswOptions options;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    // Graph state, guarded by lock.
    /** The rows the graph was last synced to (its nodes: rows [0, size)). */
    private VectorMatrix.View<?> rows;
    private int dim;
    private int size;
    private long epoch = -1;
    private HnswGraphBuilder builder;

    HnswIndex(HnswOptions options) {
        this.options = options;
    }

    /** Fails with a message naming the coordinates when Lucene is not on the classpath. */
    static void requireLucene() {
        try {
            Class.forName("org.apache.lucene.util.hnsw.HnswGraphBuilder", false, HnswIndex.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("HnswOptions need Apache Lucene on the classpath: add"
                    + " org.apache.lucene:lucene-core:9.12.3 (Java 17; newer versions need Java 21)", e);
        }
    }

    /** Brings the graph up to the view: adds its new rows, or rebuilds after rows were renumbered. */
    void sync(VectorMatrix.View<?> view) {
        lock.writeLock().lock();
        try {
            if (builder == null || view.epoch != epoch || view.dim != dim) {
                epoch = view.epoch;
                dim = view.dim;
                size = 0;
                rows = view;
                builder = HnswGraphBuilder.create(new Scorers(), options.maxConn(), options.beamWidth(), SEED);
            }
            rows = view; // the same rows, and more
            while (size < view.count) {
                int node = size++;
                builder.addGraphNode(node);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Nodes in the graph (for tests and benchmarks). */
    int size() {
        lock.readLock().lock();
        try {
            return size;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Up to {@code max(k, efSearch)} rows close to {@code query} (unit length) among those {@code accept} lets
     * through, or {@code null} when the graph is behind {@code view} (the caller then scans exactly).
     */
    int[] search(VectorMatrix.View<?> view, float[] query, int k, IntPredicate accept) {
        lock.readLock().lock();
        try {
            if (builder == null || epoch != view.epoch || size < view.count) {
                return null;
            }
            OnHeapHnswGraph graph = builder.getGraph();
            VectorMatrix.View<?> v = rows;
            int n = size;
            RandomVectorScorer scorer = new RandomVectorScorer() {
                @Override
                public float score(int node) {
                    return similarity(v.dot(query, node));
                }

                @Override
                public int maxOrd() {
                    return n;
                }
            };
            TopKnnCollector collector = new TopKnnCollector(Math.max(k, options.efSearch()), Integer.MAX_VALUE);
            HnswGraphSearcher.search(scorer, collector, graph, new Bits() {
                @Override
                public boolean get(int index) {
                    return accept.test(index);
                }

                @Override
                public int length() {
                    return n;
                }
            });
            ScoreDoc[] docs = collector.topDocs().scoreDocs;
            int[] rows = new int[docs.length];
            for (int i = 0; i < docs.length; i++) {
                rows[i] = docs[i].doc;
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Lucene wants a non-negative score, higher = closer: (1 + cos) / 2, as its DOT_PRODUCT similarity. */
    private static float similarity(float dot) {
        return Math.max(0f, (1f + dot) / 2f);
    }

    /** Scorers between rows of the current array (read under the write lock, while the builder inserts). */
    private final class Scorers implements RandomVectorScorerSupplier {
        @Override
        public RandomVectorScorer scorer(int ord) {
            float[] row = rows.row(ord);
            return new RandomVectorScorer() {
                @Override
                public float score(int node) {
                    return similarity(rows.dot(row, node));
                }

                @Override
                public int maxOrd() {
                    return size;
                }
            };
        }

        @Override
        public RandomVectorScorerSupplier copy() {
            return this;
        }
    }
}
