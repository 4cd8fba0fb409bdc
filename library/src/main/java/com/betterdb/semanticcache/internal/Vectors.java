package com.betterdb.semanticcache.internal;

/** Vector arithmetic shared by the analysis tools. */
public final class Vectors {

    private Vectors() {
    }

    /**
     * Cosine distance {@code 1 - cos(a, b)} in double precision, 0..2; 1 when either vector is all zeros.
     *
     * @throws IllegalArgumentException when the lengths differ
     */
    public static double cosineDistance(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vector lengths differ: " + a.length + " vs " + b.length);
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        if (na == 0 || nb == 0) {
            return 1.0;
        }
        return 1.0 - dot / Math.sqrt(na * nb);
    }
}
