package com.betterdb.semanticcache.store.memory;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The unit vectors of the indexed entries as the rows of one contiguous {@code float[]} (row {@code i} at
 * {@code [i * dim, (i + 1) * dim)}), so a KNN scan streams through memory instead of chasing one array per entry.
 *
 * <p>Append-only: a write adds a row; a deleted or rewritten entry leaves a dead row behind, which scans skip (the
 * caller checks that the row's owner is still the live entry of its key). When the array is full it is replaced by
 * one twice the size of its live rows: with few dead rows (under a quarter) every row is copied in place, so row
 * numbers stay valid (an HNSW graph over them too); otherwise only the live rows are, packed, and the
 * {@linkplain View#epoch epoch} goes up. Writes cost amortised O(dim).
 *
 * <p>Threads: writers ({@link #append}) must hold the caller's write lock. Readers take a {@link View} without any
 * lock: a view never changes once published, and rows a writer appends later lie beyond the view's {@code count}
 * (or in a newer array), so a reader never sees a half-written row.
 *
 * @param <E> the owner of a row (the entry)
 */
final class VectorMatrix<E> {

    private static final int MIN_CAPACITY = 64;

    /** What a scan reads: rows {@code [0, count)} of {@code data}, {@code owners[i]} the entry of row {@code i}. */
    static final class View<E> {
        final float[] data;
        final Object[] owners;
        final int count;
        final int dim;
        /** How many times rows were renumbered (dead rows dropped) before this view. */
        final long epoch;

        View(float[] data, Object[] owners, int count, int dim, long epoch) {
            this.data = data;
            this.owners = owners;
            this.count = count;
            this.dim = dim;
            this.epoch = epoch;
        }

        @SuppressWarnings("unchecked")
        E owner(int row) {
            return (E) owners[row];
        }
    }

    private final int dim;
    private float[] data;
    private Object[] owners;
    private int count;
    private long epoch;
    private volatile View<E> view;

    VectorMatrix(int dim) {
        if (dim <= 0) {
            throw new IllegalArgumentException("dimension must be > 0, got " + dim);
        }
        this.dim = dim;
        this.data = new float[MIN_CAPACITY * dim];
        this.owners = new Object[MIN_CAPACITY];
        this.view = new View<>(data, owners, 0, dim, 0);
    }

    int dim() {
        return dim;
    }

    View<E> view() {
        return view;
    }

    /**
     * Adds {@code unit} (length {@link #dim()}) as the row of {@code owner}. When the array is full, the rows whose
     * owner passes {@code isLive} are moved to a new array first. Caller holds the write lock.
     */
    void append(E owner, float[] unit, Predicate<? super E> isLive) {
        if (unit.length != dim) {
            throw new IllegalArgumentException("row of length " + unit.length + " in a matrix of dimension " + dim);
        }
        if (count == owners.length) {
            compact(isLive);
        }
        System.arraycopy(unit, 0, data, count * dim, dim);
        owners[count] = owner;
        count++;
        view = new View<>(data, owners, count, dim, epoch);
    }

    /** Copies the live rows into new arrays with room for as many again (writers only). */
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
            Arrays.fill(keep, true);
            live = count;
        }
        long capacity = Math.max(MIN_CAPACITY, 2L * live + 1);
        if (capacity * dim > Integer.MAX_VALUE - 8) {
            capacity = Math.max(live + 1, (Integer.MAX_VALUE - 8) / dim);
            if (capacity * dim > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("the in-memory store holds at most " + ((Integer.MAX_VALUE - 8) / dim)
                        + " vectors of dimension " + dim);
            }
        }
        float[] newData = new float[(int) capacity * dim];
        Object[] newOwners = new Object[(int) capacity];
        int j = 0;
        for (int i = 0; i < count; i++) {
            if (keep[i]) {
                System.arraycopy(data, i * dim, newData, j * dim, dim);
                newOwners[j++] = owners[i];
            }
        }
        data = newData;
        owners = newOwners;
        count = j;
        if (renumber) {
            epoch++;
        }
    }
}
