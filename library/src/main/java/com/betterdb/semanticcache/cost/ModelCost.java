package com.betterdb.semanticcache.cost;

/** Prices in US dollars per 1,000 tokens. */
public record ModelCost(double inputPer1k, double outputPer1k) {
    public ModelCost {
        if (!(inputPer1k >= 0) || !(outputPer1k >= 0) || Double.isInfinite(inputPer1k) || Double.isInfinite(outputPer1k)) {
            throw new IllegalArgumentException("model prices must be finite and >= 0, got input=" + inputPer1k
                    + " output=" + outputPer1k);
        }
    }
}
