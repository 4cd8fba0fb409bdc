package com.betterdb.semanticcache;

import java.util.Objects;

/**
 * Result of {@code thresholdEffectiveness} (docs/decision-rules.md §16): statistics over the similarity window
 * and a threshold recommendation.
 *
 * @param category             the analysed category, {@code "all"} when none was given
 * @param sampleCount          number of window samples used
 * @param currentThreshold     the effective threshold the analysis was run against
 * @param hitRate              hits / samples (0 when data is insufficient)
 * @param uncertainHitRate     share of hits with {@code score >= threshold - band}
 * @param nearMissRate         share of misses with {@code threshold < score <= threshold + 0.03}
 * @param avgHitSimilarity     mean cosine distance of hits
 * @param avgMissSimilarity    mean cosine distance of misses
 * @param recommendation       the recommendation
 * @param reasoning            human-readable explanation (exact TS texts)
 * @param recommendedThreshold suggested threshold; {@code null} unless tighten/loosen
 */
public record ThresholdEffectiveness(
        String category,
        int sampleCount,
        double currentThreshold,
        double hitRate,
        double uncertainHitRate,
        double nearMissRate,
        double avgHitSimilarity,
        double avgMissSimilarity,
        Recommendation recommendation,
        String reasoning,
        Double recommendedThreshold) {

    public ThresholdEffectiveness {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(recommendation, "recommendation");
        Objects.requireNonNull(reasoning, "reasoning");
    }

    /** Recommendation kinds; {@link #label()} is the wire/TS string. */
    public enum Recommendation {
        TIGHTEN_THRESHOLD("tighten_threshold"),
        LOOSEN_THRESHOLD("loosen_threshold"),
        OPTIMAL("optimal"),
        INSUFFICIENT_DATA("insufficient_data");

        private final String label;

        Recommendation(String label) {
            this.label = label;
        }

        /** The TS/PY string, e.g. {@code tighten_threshold}. */
        public String label() {
            return label;
        }

        /** Inverse of {@link #label()}. */
        public static Recommendation fromLabel(String label) {
            for (Recommendation r : values()) {
                if (r.label.equals(label)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("unknown recommendation: " + label);
        }
    }
}
