package com.betterdb.semanticcache.store.memory;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The unit vectors of the indexed entries, stored so that a KNN scan runs on the CPU's vector units.
 *
 * <p>Layout: rows in blocks of {@value #BLOCK}; inside a block, dimension-major, in groups of four dimensions, one
 * {@code float[]} per group: the value of block row {@code r} at dimension {@code 4g + t} is
 * {@code blocks[block][g][t * BLOCK + r]}. A block's dot products are then {@code dim} element-wise passes
 * {@code acc[r] += q[j] * column[r]} over its rows, a loop HotSpot's C2 compiles to SIMD instructions (it does not
 * vectorise a floating-point sum over one row, as it may not reorder it). The column of a dimension starts at a
 * constant offset of its group array, not at a computed one: C2 (Java 17) vectorises a loop only when all its
 * array accesses share one alignment, so {@code column[off + r]} with a variable {@code off} would stay scalar. Each
 * row's sum keeps {@link InMemoryCacheStore#dot(float[], float[])}'s order (four lanes by {@code j mod 4}, the tail
 * into lane 0, then {@code (s0 + s1) + (s2 + s3)}), so every score is bit-identical to it.
 *
 * <p>Append-only: a write adds a row; a deleted or rewritten entry leaves a dead row behind, which scans skip (the
 * caller checks that the row's owner is still the live entry of its key). When the owner array is full it is
 * replaced by one twice the size of its live rows: with few dead rows (under a quarter) the existing blocks are kept
 * (no vector is copied, row numbers stay valid, an HNSW graph over them too); otherwise only the live rows are copied,
 * packed, into new blocks, and the {@linkplain View#epoch epoch} goes up. Writes cost amortised O(dim).
 *
 * <p>Threads: writers ({@link #append}) must hold the caller's write lock. Readers take a {@link View} without any
 * lock: a view never changes its rows {@code [0, count)} (a writer only writes rows beyond every published
 * {@code count}, or into new blocks), so a reader never sees a half-written row. A scan computes whole blocks, so
 * it also computes garbage for the slots of the last block at or beyond {@code count}, and ignores it.
 *
 * @param <E> the owner of a row (the entry)
 */
final class VectorMatrix<E> {

    /** Rows per block. Long enough for C2's vector loop to outweigh its set-up; the four sums stay in L1. */
    static final int BLOCK = 256;

    private static final int MAX_ROWS = (Integer.MAX_VALUE - 8) / BLOCK * BLOCK;

    /** Per-scan buffers for {@link View#dots}: the four lanes and the results of one block. */
    static final class Scratch {
        final float[] s0 = new float[BLOCK];
        final float[] s1 = new float[BLOCK];
        final float[] s2 = new float[BLOCK];
        final float[] s3 = new float[BLOCK];
        /** {@code out[r]}: the dot product with row {@code block * BLOCK + r}. */
        final float[] out = new float[BLOCK];
    }

    /** What a scan reads: rows {@code [0, count)}, {@code owners[i]} the entry of row {@code i}. */
    static final class View<E> {
        private final float[][][] blocks;
        private final Object[] owners;
        final int count;
        final int dim;
        /** How many times rows were renumbered (dead rows dropped) before this view. */
        final long epoch;

        View(float[][][] blocks, Object[] owners, int count, int dim, long epoch) {
            this.blocks = blocks;
            this.owners = owners;
            this.count = count;
            this.dim = dim;
            this.epoch = epoch;
        }

        @SuppressWarnings("unchecked")
        E owner(int row) {
            return (E) owners[row];
        }

        /**
         * The dot products of {@code q} with the {@link #BLOCK} rows of block {@code block} into {@code s.out}: the
         * same sums in the same order as {@link InMemoryCacheStore#dot(float[], float[])}, one lane array at a time.
         * Rows at or beyond {@code count} give meaningless values.
         */
        void dots(float[] q, int block, Scratch s) {
            float[][] groups = blocks[block];
            float[] s0 = s.s0;
            float[] s1 = s.s1;
            float[] s2 = s.s2;
            float[] s3 = s.s3;
            Arrays.fill(s0, 0f);
            Arrays.fill(s1, 0f);
            Arrays.fill(s2, 0f);
            Arrays.fill(s3, 0f);
            int full = dim >> 2;
            for (int g = 0; g < full; g++) {
                float[] m = groups[g];
                int j = g << 2;
                // One loop per dimension: each reads its column front to back (the whole block streams in order).
                float qj = q[j];
                for (int r = 0; r < BLOCK; r++) {
                    s0[r] += qj * m[r];
                }
                qj = q[j + 1];
                for (int r = 0; r < BLOCK; r++) {
                    s1[r] += qj * m[BLOCK + r];
                }
                qj = q[j + 2];
                for (int r = 0; r < BLOCK; r++) {
                    s2[r] += qj * m[2 * BLOCK + r];
                }
                qj = q[j + 3];
                for (int r = 0; r < BLOCK; r++) {
                    s3[r] += qj * m[3 * BLOCK + r];
                }
            }
            int tail = dim & 3;
            if (tail > 0) { // the last dim % 4 dimensions go into lane 0, in order
                float[] m = groups[full];
                int j = full << 2;
                float qj = q[j];
                for (int r = 0; r < BLOCK; r++) {
                    s0[r] += qj * m[r];
                }
                if (tail > 1) {
                    qj = q[j + 1];
                    for (int r = 0; r < BLOCK; r++) {
                        s0[r] += qj * m[BLOCK + r];
                    }
                }
                if (tail > 2) {
                    qj = q[j + 2];
                    for (int r = 0; r < BLOCK; r++) {
                        s0[r] += qj * m[2 * BLOCK + r];
                    }
                }
            }
            float[] out = s.out;
            for (int r = 0; r < BLOCK; r++) {
                out[r] = (s0[r] + s1[r]) + (s2[r] + s3[r]);
            }
        }

        /** The dot product of {@code q} with row {@code row} alone (scalar), bit-identical to {@link #dots}. */
        float dot(float[] q, int row) {
            float[][] groups = blocks[row / BLOCK];
            int r = row % BLOCK;
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            int full = dim >> 2;
            for (int g = 0; g < full; g++) {
                float[] m = groups[g];
                int j = g << 2;
                s0 += q[j] * m[r];
                s1 += q[j + 1] * m[BLOCK + r];
                s2 += q[j + 2] * m[2 * BLOCK + r];
                s3 += q[j + 3] * m[3 * BLOCK + r];
            }
            for (int t = 0; t < (dim & 3); t++) {
                s0 += q[(full << 2) + t] * groups[full][t * BLOCK + r];
            }
            return (s0 + s1) + (s2 + s3);
        }

        /** Row {@code row} as a new array. */
        float[] row(int row) {
            float[] out = new float[dim];
            float[][] groups = blocks[row / BLOCK];
            int r = row % BLOCK;
            for (int j = 0; j < dim; j++) {
                out[j] = groups[j >> 2][(j & 3) * BLOCK + r];
            }
            return out;
        }
    }

    private final int dim;
    private float[][][] blocks;
    private Object[] owners;
    private int count;
    private long epoch;
    private volatile View<E> view;

    VectorMatrix(int dim) {
        if (dim <= 0) {
            throw new IllegalArgumentException("dimension must be > 0, got " + dim);
        }
        this.dim = dim;
        this.blocks = new float[1][][]; // a block is allocated at its first row
        this.owners = new Object[BLOCK];
        this.view = new View<>(blocks, owners, 0, dim, 0);
    }

    int dim() {
        return dim;
    }

    View<E> view() {
        return view;
    }

    /**
     * Adds {@code unit} (length {@link #dim()}) as the row of {@code owner}. When the owner array is full, the rows
     * whose owner passes {@code isLive} are moved to new blocks first (see the class comment). Caller holds the write
     * lock.
     */
    void append(E owner, float[] unit, Predicate<? super E> isLive) {
        if (unit.length != dim) {
            throw new IllegalArgumentException("row of length " + unit.length + " in a matrix of dimension " + dim);
        }
        if (count == owners.length) {
            compact(isLive);
        }
        write(blocks, count, unit);
        owners[count] = owner;
        count++;
        view = new View<>(blocks, owners, count, dim, epoch);
    }

    /** Writes {@code unit} as row {@code row} of {@code into}, allocating its block at the block's first row. */
    private void write(float[][][] into, int row, float[] unit) {
        int b = row / BLOCK;
        int r = row % BLOCK;
        if (r == 0) {
            float[][] groups = new float[(dim + 3) / 4][];
            for (int g = 0; g < groups.length; g++) {
                groups[g] = new float[Math.min(4, dim - 4 * g) * BLOCK];
            }
            into[b] = groups;
        }
        float[][] groups = into[b];
        for (int j = 0; j < dim; j++) {
            groups[j >> 2][(j & 3) * BLOCK + r] = unit[j];
        }
    }

    /**
     * Makes room for as many rows again as are live (writers only). Few dead rows: the same blocks in a longer array
     * (the published views keep reading them; new rows go beyond their count). Else the live rows packed into new
     * blocks, renumbered.
     */
    @SuppressWarnings("unchecked")
    private void compact(Predicate<? super E> isLive) {
        int live = 0;
        boolean[] keep = new boolean[count];
        for (int i = 0; i < count; i++) {
            if (isLive.test((E) owners[i])) {
                keep[i] = true;
                live++;
            }
        }
        boolean renumber = live < count - count / 4;
        if (!renumber) {
            live = count;
        }
        long wanted = (2L * live + 1 + BLOCK - 1) / BLOCK * BLOCK;
        if (wanted > MAX_ROWS) {
            wanted = MAX_ROWS;
            if (wanted <= live) {
                throw new IllegalStateException("the in-memory store holds at most " + MAX_ROWS + " vectors");
            }
        }
        int capacity = (int) wanted;
        float[][][] newBlocks = new float[capacity / BLOCK][][];
        Object[] newOwners = new Object[capacity];
        if (!renumber) {
            System.arraycopy(blocks, 0, newBlocks, 0, (count + BLOCK - 1) / BLOCK);
            System.arraycopy(owners, 0, newOwners, 0, count);
        } else {
            View<E> from = view;
            int j = 0;
            for (int i = 0; i < count; i++) {
                if (keep[i]) {
                    write(newBlocks, j, from.row(i));
                    newOwners[j++] = owners[i];
                }
            }
            count = j;
            epoch++;
        }
        blocks = newBlocks;
        owners = newOwners;
    }
}
