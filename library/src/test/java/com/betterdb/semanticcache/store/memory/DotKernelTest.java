package com.betterdb.semanticcache.store.memory;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The two-rows-at-a-time kernel gives exactly (bit for bit) the single-row dot product, so scores never change. */
class DotKernelTest {

    @Test
    void pairedRowsAreBitIdenticalToTheSingleRowDotProduct() {
        Random r = new Random(1);
        for (int dim : new int[]{1, 3, 4, 7, 16, 383, 384}) {
            for (int rows : new int[]{1, 2, 5, 64}) {
                float[] q = new float[dim];
                float[] m = new float[(rows + 3) * dim];
                for (int i = 0; i < q.length; i++) {
                    q[i] = (float) r.nextGaussian();
                }
                for (int i = 0; i < m.length; i++) {
                    m[i] = (float) r.nextGaussian();
                }
                float[] out = new float[rows];
                InMemoryCacheStore.dots(q, m, dim, 3, 3 + rows, out);
                for (int row = 0; row < rows; row++) {
                    float[] v = java.util.Arrays.copyOfRange(m, (3 + row) * dim, (4 + row) * dim);
                    assertThat(Float.floatToRawIntBits(out[row])).as("dim %d row %d", dim, row)
                            .isEqualTo(Float.floatToRawIntBits(InMemoryCacheStore.dot(q, v)));
                }
            }
        }
    }
}
