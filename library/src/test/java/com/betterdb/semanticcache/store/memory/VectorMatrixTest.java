package com.betterdb.semanticcache.store.memory;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The blocked layout of {@link VectorMatrix}: rows survive appends across block boundaries and both kinds of growth,
 * and every dot product (the vectorised block kernel and the single-row one) is bit-identical to
 * {@link InMemoryCacheStore#dot(float[], float[])}, so scores never change.
 */
class VectorMatrixTest {

    private static final int B = VectorMatrix.BLOCK;

    private record Owner(int id, float[] vector) {
    }

    private static float[] gaussian(Random r, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /** Every row of the view is its owner's vector, and each kernel scores it exactly as the reference does. */
    private static void assertRowsAndScores(VectorMatrix.View<Owner> view, float[] q) {
        VectorMatrix.Scratch s = new VectorMatrix.Scratch();
        for (int row = 0; row < view.count; row++) {
            if (row % B == 0) {
                view.dots(q, row / B, s);
            }
            float[] v = view.owner(row).vector();
            assertThat(view.row(row)).as("row %d", row).containsExactly(v);
            int expected = Float.floatToRawIntBits(InMemoryCacheStore.dot(q, v));
            assertThat(Float.floatToRawIntBits(s.out[row % B])).as("block kernel, dim %d row %d", view.dim, row)
                    .isEqualTo(expected);
            assertThat(Float.floatToRawIntBits(view.dot(q, row))).as("row kernel, dim %d row %d", view.dim, row)
                    .isEqualTo(expected);
        }
    }

    @Test
    void blockAndRowKernelsAreBitIdenticalToTheReferenceDotProduct() {
        Random r = new Random(1);
        for (int dim : new int[]{1, 2, 3, 4, 5, 7, 16, 383, 384, 385}) {
            VectorMatrix<Owner> m = new VectorMatrix<>(dim);
            for (int i = 0; i < B + 3; i++) {
                float[] v = gaussian(r, dim);
                m.append(new Owner(i, v), v, o -> true);
            }
            assertRowsAndScores(m.view(), gaussian(r, dim));
        }
    }

    @Test
    void appendsAcrossBlockBoundariesAndGrowthKeepRowNumbers() {
        Random r = new Random(2);
        int dim = 7;
        VectorMatrix<Owner> m = new VectorMatrix<>(dim);
        List<VectorMatrix.View<Owner>> views = new ArrayList<>();
        for (int i = 0; i < 5 * B + 1; i++) {
            float[] v = gaussian(r, dim);
            m.append(new Owner(i, v), v, o -> true);
            if (i == B - 1 || i == B || i == 2 * B + 5) {
                views.add(m.view());
            }
        }
        VectorMatrix.View<Owner> view = m.view();
        assertThat(view.count).isEqualTo(5 * B + 1);
        assertThat(view.epoch).isZero(); // all rows live: grown, never renumbered
        for (int row = 0; row < view.count; row++) {
            assertThat(view.owner(row).id()).isEqualTo(row);
        }
        assertRowsAndScores(view, gaussian(r, dim));
        // Views taken earlier still read their rows unchanged (later rows went beyond their count).
        for (VectorMatrix.View<Owner> old : views) {
            assertRowsAndScores(old, gaussian(r, dim));
        }
    }

    @Test
    void growthWithManyDeadRowsPacksTheLiveOnesAndBumpsTheEpoch() {
        Random r = new Random(3);
        int dim = 385;
        VectorMatrix<Owner> m = new VectorMatrix<>(dim);
        Set<Integer> dead = new HashSet<>();
        for (int i = 0; i < B; i++) {
            float[] v = gaussian(r, dim);
            m.append(new Owner(i, v), v, o -> true);
            if (i % 3 != 0) {
                dead.add(i);
            }
        }
        VectorMatrix.View<Owner> before = m.view();
        float[] v = gaussian(r, dim);
        m.append(new Owner(B, v), v, o -> !dead.contains(o.id())); // full: compacts first
        VectorMatrix.View<Owner> after = m.view();
        assertThat(after.epoch).isEqualTo(before.epoch + 1);
        int live = B - dead.size();
        assertThat(after.count).isEqualTo(live + 1);
        int last = -1;
        for (int row = 0; row < after.count; row++) {
            int id = after.owner(row).id();
            assertThat(dead).doesNotContain(id);
            assertThat(id).isGreaterThan(last); // packed in their old order
            last = id;
        }
        assertRowsAndScores(after, gaussian(r, dim));
        assertRowsAndScores(before, gaussian(r, dim)); // the old view's blocks were not touched
    }

    @Test
    void growthWithFewDeadRowsKeepsRowNumbers() {
        Random r = new Random(4);
        int dim = 3;
        VectorMatrix<Owner> m = new VectorMatrix<>(dim);
        for (int i = 0; i <= B; i++) {
            float[] v = gaussian(r, dim);
            m.append(new Owner(i, v), v, o -> o.id() != 5); // one dead row: not worth renumbering
        }
        VectorMatrix.View<Owner> view = m.view();
        assertThat(view.epoch).isZero();
        assertThat(view.count).isEqualTo(B + 1);
        assertThat(view.owner(5).id()).isEqualTo(5);
        assertRowsAndScores(view, gaussian(r, dim));
    }
}
