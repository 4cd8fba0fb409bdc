package com.betterdb.semanticcache.store.memory;

import java.util.Arrays;

/**
 * For benchmarks: the exact scan of {@link VectorMatrix}'s block kernel alone, one thread, best distance kept (no
 * store: no entries, keys, TTLs, slices), to tell the kernel's speed from the store's overhead.
 */
public final class RawBlockedScan {

    private final VectorMatrix.View<Object> view;
    private final VectorMatrix.Scratch scratch = new VectorMatrix.Scratch();

    /** The {@code n} rows of {@code rowMajor} (row {@code i} at {@code [i * dim, (i + 1) * dim)}). */
    public RawBlockedScan(float[] rowMajor, int n, int dim) {
        VectorMatrix<Object> m = new VectorMatrix<>(dim);
        Object owner = new Object();
        for (int i = 0; i < n; i++) {
            m.append(owner, Arrays.copyOfRange(rowMajor, i * dim, (i + 1) * dim), o -> true);
        }
        view = m.view();
    }

    /** The row nearest to {@code q} (smallest {@code 1 - dot}). */
    public int nearest(float[] q) {
        float best = Float.POSITIVE_INFINITY;
        int at = -1;
        for (int b = 0; b * VectorMatrix.BLOCK < view.count; b++) {
            view.dots(q, b, scratch);
            int rows = Math.min(VectorMatrix.BLOCK, view.count - b * VectorMatrix.BLOCK);
            for (int r = 0; r < rows; r++) {
                float d = 1f - scratch.out[r];
                if (d < best) {
                    best = d;
                    at = b * VectorMatrix.BLOCK + r;
                }
            }
        }
        return at;
    }
}
