package com.betterdb.semanticcache.analysis;

import com.betterdb.semanticcache.ThresholdEffectiveness;
import com.betterdb.semanticcache.ThresholdEffectiveness.Recommendation;
import com.betterdb.semanticcache.internal.JsNumberFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure implementation of docs/decision-rules.md §16 (threshold effectiveness), with the TS
 * arithmetic and reasoning texts.
 */
public final class ThresholdAnalyzer {

    /** Label used when no category is given. */
    public static final String ALL = "all";

    private ThresholdAnalyzer() {
    }

    /**
     * Analyses window samples.
     *
     * @param samples         valid window samples (see {@link WindowSamples#parse}), any order
     * @param categoryOrNull  category to restrict to; {@code null} = all. As in TS
     *                        ({@code if (!category || e.category === category)},
     *                        {@code category ?? 'all'}), an empty string does not filter and is
     *                        used as the label
     * @param threshold       effective threshold (category or default), resolved by the caller
     * @param band            configured uncertainty band
     * @param minSamples      minimum sample count for a recommendation
     */
    public static ThresholdEffectiveness analyze(List<WindowSample> samples, String categoryOrNull,
            double threshold, double band, int minSamples) {
        List<WindowSample> kept = new ArrayList<>();
        boolean filter = categoryOrNull != null && !categoryOrNull.isEmpty();
        if (samples != null) {
            for (WindowSample s : samples) {
                if (s != null && (!filter || s.category().equals(categoryOrNull))) {
                    kept.add(s);
                }
            }
        }
        int n = kept.size();
        String label = categoryOrNull != null ? categoryOrNull : ALL;

        if (n < minSamples) {
            return new ThresholdEffectiveness(label, n, threshold, 0, 0, 0, 0, 0,
                    Recommendation.INSUFFICIENT_DATA,
                    "Only " + n + " samples collected; " + minSamples
                            + " required for a reliable recommendation.",
                    null);
        }

        List<WindowSample> hits = new ArrayList<>();
        List<WindowSample> misses = new ArrayList<>();
        for (WindowSample s : kept) {
            (s.hit() ? hits : misses).add(s);
        }

        // JS: hits.length / sampleCount (NaN when both are 0, i.e. minSamples <= 0 on an empty window)
        double hitRate = (double) hits.size() / (double) n;
        double uncertainFloor = threshold - band;
        int uncertain = 0;
        double hitSum = 0;
        for (WindowSample h : hits) {
            if (h.score() >= uncertainFloor) {
                uncertain++;
            }
            hitSum += h.score();
        }
        double uncertainHitRate = hits.isEmpty() ? 0 : (double) uncertain / hits.size();

        double nearCeiling = threshold + 0.03;
        int near = 0;
        double nearDeltaSum = 0;
        double missSum = 0;
        for (WindowSample m : misses) {
            if (m.score() > threshold && m.score() <= nearCeiling) {
                near++;
                nearDeltaSum += m.score() - threshold;
            }
            missSum += m.score();
        }
        double nearMissRate = misses.isEmpty() ? 0 : (double) near / misses.size();
        double avgHitSimilarity = hits.isEmpty() ? 0 : hitSum / hits.size();
        double avgMissSimilarity = misses.isEmpty() ? 0 : missSum / misses.size();
        double avgNearMissDelta = near == 0 ? 0 : nearDeltaSum / near;

        Recommendation rec;
        Double recommended;
        String reasoning;
        if (uncertainHitRate > 0.2) {
            rec = Recommendation.TIGHTEN_THRESHOLD;
            recommended = Math.max(0, threshold - band * 1.5);
            reasoning = JsNumberFormat.toFixed(uncertainHitRate * 100, 1)
                    + "% of hits are in the uncertainty band - tighten the threshold to reduce false positives.";
        } else if (nearMissRate > 0.3 && avgNearMissDelta < 0.03) {
            rec = Recommendation.LOOSEN_THRESHOLD;
            recommended = threshold + avgNearMissDelta;
            reasoning = JsNumberFormat.toFixed(nearMissRate * 100, 1)
                    + "% of misses are very close to the threshold - consider loosening to capture more hits.";
        } else {
            rec = Recommendation.OPTIMAL;
            recommended = null;
            reasoning = "Hit rate is " + JsNumberFormat.toFixed(hitRate * 100, 1) + "% with "
                    + JsNumberFormat.toFixed(uncertainHitRate * 100, 1)
                    + "% uncertain hits - threshold appears well-calibrated.";
        }
        return new ThresholdEffectiveness(label, n, threshold, hitRate, uncertainHitRate, nearMissRate,
                avgHitSimilarity, avgMissSimilarity, rec, reasoning, recommended);
    }
}
