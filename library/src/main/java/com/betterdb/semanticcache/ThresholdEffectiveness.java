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
 * @param labels               in the judge-labelled mode ({@link ThresholdAdvice#judgeLabelled}), the verdicts the
 *                             recommendation rests on; {@code null} in the label-free reference mode
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
        Double recommendedThreshold,
        LabelEvidence labels) {

    public ThresholdEffectiveness {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(recommendation, "recommendation");
        Objects.requireNonNull(reasoning, "reasoning");
    }

    /** A result of the label-free reference analysis (no {@link #labels()}). */
    public ThresholdEffectiveness(String category, int sampleCount, double currentThreshold, double hitRate,
                                  double uncertainHitRate, double nearMissRate, double avgHitSimilarity,
                                  double avgMissSimilarity, Recommendation recommendation, String reasoning,
                                  Double recommendedThreshold) {
        this(category, sampleCount, currentThreshold, hitRate, uncertainHitRate, nearMissRate, avgHitSimilarity,
                avgMissSimilarity, recommendation, reasoning, recommendedThreshold, null);
    }

    /** This result with another recommendation, resting on {@code labels}. */
    public ThresholdEffectiveness withLabelAdvice(Recommendation recommendation, String reasoning,
                                                  Double recommendedThreshold, LabelEvidence labels) {
        return new ThresholdEffectiveness(category, sampleCount, currentThreshold, hitRate, uncertainHitRate,
                nearMissRate, avgHitSimilarity, avgMissSimilarity, recommendation, reasoning, recommendedThreshold,
                Objects.requireNonNull(labels, "labels"));
    }

    /**
     * The judge verdicts behind a judge-labelled recommendation. A verdict is a label for the distance of one
     * uncertain hit (judge accepted = the cached answer was right). Precision values are over labelled verdicts
     * only; hits closer than the labelled range (never judged) are not counted, which makes them conservative.
     *
     * @param labelsUsed        verdicts used (of this category, when one was given)
     * @param accepted          of which the judge accepted
     * @param targetPrecision   the precision asked for
     * @param lowestScore       smallest labelled distance ({@code NaN} without labels)
     * @param highestScore      largest labelled distance ({@code NaN} without labels)
     * @param expectedPrecision precision of the labelled verdicts at or under the suggested (else the current)
     *                          threshold; {@code NaN} when none is
     * @param precisionLow      95% bootstrap interval of that precision on left-out verdicts, low end
     * @param precisionHigh     high end
     * @param thresholdLow      95% bootstrap interval of the label-chosen threshold, low end ({@code NaN} if none)
     * @param thresholdHigh     high end
     */
    public record LabelEvidence(int labelsUsed, int accepted, double targetPrecision, double lowestScore,
                                double highestScore, double expectedPrecision, double precisionLow,
                                double precisionHigh, double thresholdLow, double thresholdHigh) {
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
