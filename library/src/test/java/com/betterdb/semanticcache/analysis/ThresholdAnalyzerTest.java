package com.betterdb.semanticcache.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.betterdb.semanticcache.ThresholdEffectiveness;
import com.betterdb.semanticcache.ThresholdEffectiveness.Recommendation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ThresholdAnalyzerTest {

    private static List<WindowSample> repeat(int count, double score, boolean hit, String category) {
        List<WindowSample> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new WindowSample(score, hit, category, null, i));
        }
        return out;
    }

    private static List<WindowSample> concat(List<WindowSample> a, List<WindowSample> b) {
        List<WindowSample> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @Test
    void te01_emptyWindowIsInsufficient() {
        ThresholdEffectiveness r = ThresholdAnalyzer.analyze(List.of(), null, 0.1, 0.05, 100);
        assertThat(r.recommendation()).isEqualTo(Recommendation.INSUFFICIENT_DATA);
        assertThat(r.recommendation().label()).isEqualTo("insufficient_data");
        assertThat(r.sampleCount()).isZero();
        assertThat(r.category()).isEqualTo("all");
        assertThat(r.currentThreshold()).isEqualTo(0.1);
        assertThat(r.hitRate()).isZero();
        assertThat(r.recommendedThreshold()).isNull();
        // TE-05
        assertThat(r.reasoning()).isEqualTo("Only 0 samples collected; 100 required for a reliable recommendation.");
    }

    @Test
    void te02_tighten() {
        List<WindowSample> s = concat(repeat(120, 0.075, true, ""), repeat(10, 0.02, true, ""));
        ThresholdEffectiveness r = ThresholdAnalyzer.analyze(s, null, 0.1, 0.05, 100);
        assertThat(r.recommendation()).isEqualTo(Recommendation.TIGHTEN_THRESHOLD);
        assertThat(r.recommendation().label()).isEqualTo("tighten_threshold");
        assertThat(r.recommendedThreshold()).isNotNull().isLessThan(0.1);
        assertThat(r.recommendedThreshold()).isEqualTo(Math.max(0, 0.1 - 0.05 * 1.5));
        assertThat(r.recommendedThreshold()).isCloseTo(0.025, within(1e-12));
        assertThat(r.uncertainHitRate()).isEqualTo(120.0 / 130.0);
        assertThat(r.hitRate()).isEqualTo(1.0);
        assertThat(r.sampleCount()).isEqualTo(130);
        // TE-05
        assertThat(r.reasoning()).isEqualTo(
                "92.3% of hits are in the uncertainty band - tighten the threshold to reduce false positives.");
    }

    @Test
    void te03_loosen() {
        List<WindowSample> s = concat(repeat(80, 0.11, false, ""), repeat(40, 0.02, true, ""));
        ThresholdEffectiveness r = ThresholdAnalyzer.analyze(s, null, 0.1, 0.05, 100);
        assertThat(r.recommendation()).isEqualTo(Recommendation.LOOSEN_THRESHOLD);
        assertThat(r.recommendation().label()).isEqualTo("loosen_threshold");
        double delta = 0.11 - 0.1;
        assertThat(r.recommendedThreshold()).isNotNull().isGreaterThan(0.1)
                .isEqualTo(0.1 + sumN(delta, 80) / 80);
        assertThat(r.recommendedThreshold()).isCloseTo(0.11, within(1e-9));
        assertThat(r.nearMissRate()).isEqualTo(1.0);
        assertThat(r.avgMissSimilarity()).isEqualTo(sumN(0.11, 80) / 80);
        // TE-05
        assertThat(r.reasoning()).isEqualTo(
                "100.0% of misses are very close to the threshold - consider loosening to capture more hits.");
    }

    private static double sumN(double v, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += v;
        }
        return s;
    }

    @Test
    void te04_optimal() {
        List<WindowSample> s = concat(repeat(80, 0.03, true, ""), repeat(40, 0.5, false, ""));
        ThresholdEffectiveness r = ThresholdAnalyzer.analyze(s, null, 0.1, 0.05, 100);
        assertThat(r.recommendation()).isEqualTo(Recommendation.OPTIMAL);
        assertThat(r.recommendation().label()).isEqualTo("optimal");
        assertThat(r.hitRate()).isGreaterThan(0.5).isEqualTo(80.0 / 120.0);
        assertThat(r.recommendedThreshold()).isNull();
        assertThat(r.nearMissRate()).isZero();
        assertThat(r.avgHitSimilarity()).isEqualTo(sumN(0.03, 80) / 80);
        assertThat(r.avgMissSimilarity()).isEqualTo(0.5);
        // TE-05
        assertThat(r.reasoning()).isEqualTo(
                "Hit rate is 66.7% with 0.0% uncertain hits - threshold appears well-calibrated.");
    }

    @Test
    void te06_categoryFilterAndLabel() {
        List<WindowSample> s = new ArrayList<>();
        s.addAll(repeat(3, 0.02, true, "faq"));
        s.addAll(repeat(5, 0.5, false, "other"));
        s.addAll(repeat(2, 0.5, false, ""));
        s.addAll(repeat(4, 0.5, false, "FAQ"));
        ThresholdEffectiveness faq = ThresholdAnalyzer.analyze(s, "faq", 0.1, 0.05, 1);
        assertThat(faq.category()).isEqualTo("faq");
        assertThat(faq.sampleCount()).isEqualTo(3);
        assertThat(faq.hitRate()).isEqualTo(1.0);
        ThresholdEffectiveness all = ThresholdAnalyzer.analyze(s, null, 0.1, 0.05, 1);
        assertThat(all.category()).isEqualTo("all");
        assertThat(all.sampleCount()).isEqualTo(14);
        ThresholdEffectiveness none = ThresholdAnalyzer.analyze(s, "missing", 0.1, 0.05, 1);
        assertThat(none.sampleCount()).isZero();
        assertThat(none.recommendation()).isEqualTo(Recommendation.INSUFFICIENT_DATA);
        assertThat(none.reasoning()).isEqualTo("Only 0 samples collected; 1 required for a reliable recommendation.");
    }

    @Test
    void te06_invalidMembersIgnoredEndToEnd() {
        List<String> members = List.of(
                "{\"score\":0.02,\"result\":\"hit\",\"category\":\"faq\",\"_n\":0.1,\"cost_saved_micros\":10}",
                "{\"score\": 0.5, \"result\": \"miss\", \"category\": \"faq\", \"_n\": \"c8c434e2-49dd-4e5a-abc1-ad96691f5ec8\"}",
                "{\"score\":\"0.02\",\"result\":\"hit\",\"category\":\"faq\"}",
                "{\"score\":0.02,\"result\":\"unknown\",\"category\":\"faq\"}",
                "{broken");
        List<WindowSample> samples = new ArrayList<>();
        for (String m : members) {
            WindowSamples.parse(m, 0).ifPresent(samples::add);
        }
        ThresholdEffectiveness r = ThresholdAnalyzer.analyze(samples, "faq", 0.1, 0.05, 2);
        assertThat(r.sampleCount()).isEqualTo(2);
        assertThat(r.hitRate()).isEqualTo(0.5);
        assertThat(r.reasoning()).isEqualTo("Hit rate is 50.0% with 0.0% uncertain hits - threshold appears well-calibrated.");
    }

    @Test
    void emptyStringCategoryDoesNotFilterAndIsTheLabel() {
        // TS: `if (!category || e.category === category)` and `category ?? 'all'`
        List<WindowSample> s = concat(repeat(2, 0.02, true, "faq"), repeat(1, 0.02, true, ""));
        ThresholdEffectiveness r = ThresholdAnalyzer.analyze(s, "", 0.1, 0.05, 1);
        assertThat(r.sampleCount()).isEqualTo(3);
        assertThat(r.category()).isEqualTo("");
    }

    @Test
    void minSamplesBoundary() {
        List<WindowSample> s = repeat(99, 0.02, true, "");
        assertThat(ThresholdAnalyzer.analyze(s, null, 0.1, 0.05, 100).recommendation())
                .isEqualTo(Recommendation.INSUFFICIENT_DATA);
        assertThat(ThresholdAnalyzer.analyze(s, null, 0.1, 0.05, 100).reasoning())
                .isEqualTo("Only 99 samples collected; 100 required for a reliable recommendation.");
        assertThat(ThresholdAnalyzer.analyze(s, null, 0.1, 0.05, 99).recommendation())
                .isEqualTo(Recommendation.OPTIMAL);
    }

    @Test
    void uncertainBoundaryIsInclusiveAtThresholdMinusBand() {
        double floor = 0.1 - 0.05; // computed exactly as the spec: threshold - band
        List<WindowSample> atFloor = repeat(1, floor, true, "");
        ThresholdEffectiveness r = ThresholdAnalyzer.analyze(atFloor, null, 0.1, 0.05, 1);
        assertThat(r.uncertainHitRate()).isEqualTo(1.0);
        assertThat(r.recommendation()).isEqualTo(Recommendation.TIGHTEN_THRESHOLD);
        assertThat(r.reasoning()).startsWith("100.0% of hits");

        List<WindowSample> below = repeat(1, Math.nextDown(floor), true, "");
        assertThat(ThresholdAnalyzer.analyze(below, null, 0.1, 0.05, 1).uncertainHitRate()).isZero();
    }

    @Test
    void uncertainRateExactly20PercentDoesNotTighten() {
        List<WindowSample> s = concat(repeat(1, 0.09, true, ""), repeat(4, 0.01, true, ""));
        ThresholdEffectiveness r = ThresholdAnalyzer.analyze(s, null, 0.1, 0.05, 1);
        assertThat(r.uncertainHitRate()).isEqualTo(0.2);
        assertThat(r.recommendation()).isEqualTo(Recommendation.OPTIMAL);
        assertThat(r.reasoning()).isEqualTo("Hit rate is 100.0% with 20.0% uncertain hits - threshold appears well-calibrated.");
    }

    @Test
    void nearMissUpperBoundIncludedAndThresholdExcluded() {
        double ceiling = 0.1 + 0.03;
        // exactly at threshold + 0.03 -> near miss
        ThresholdEffectiveness r = ThresholdAnalyzer.analyze(repeat(1, ceiling, false, ""), null, 0.1, 0.05, 1);
        assertThat(r.nearMissRate()).isEqualTo(1.0);
        // exactly at threshold -> not a near miss
        r = ThresholdAnalyzer.analyze(repeat(1, 0.1, false, ""), null, 0.1, 0.05, 1);
        assertThat(r.nearMissRate()).isZero();
        assertThat(r.recommendation()).isEqualTo(Recommendation.OPTIMAL);
        // just above the ceiling -> not a near miss
        r = ThresholdAnalyzer.analyze(repeat(1, Math.nextUp(ceiling), false, ""), null, 0.1, 0.05, 1);
        assertThat(r.nearMissRate()).isZero();
    }

    @Test
    void nearMissesAtCeilingDoNotLoosenBecauseDeltaNotBelow003() {
        // delta = (0.1 + 0.03) - 0.1 = 0.030000000000000013 >= 0.03 -> rule 2 fails -> optimal
        List<WindowSample> s = repeat(10, 0.1 + 0.03, false, "");
        ThresholdEffectiveness r = ThresholdAnalyzer.analyze(s, null, 0.1, 0.05, 1);
        assertThat(r.nearMissRate()).isEqualTo(1.0);
        assertThat(r.recommendation()).isEqualTo(Recommendation.OPTIMAL);
        assertThat(r.reasoning()).isEqualTo("Hit rate is 0.0% with 0.0% uncertain hits - threshold appears well-calibrated.");
    }

    @Test
    void nearMissRateExactly30PercentDoesNotLoosen() {
        List<WindowSample> s = concat(repeat(3, 0.11, false, ""), repeat(7, 0.9, false, ""));
        ThresholdEffectiveness r = ThresholdAnalyzer.analyze(s, null, 0.1, 0.05, 1);
        assertThat(r.nearMissRate()).isCloseTo(0.3, within(1e-15));
        assertThat(r.recommendation()).isEqualTo(Recommendation.OPTIMAL);
    }

    @Test
    void emptyHitsOrMissesGiveZeroRates() {
        ThresholdEffectiveness onlyMisses = ThresholdAnalyzer.analyze(repeat(5, 0.5, false, ""), null, 0.1, 0.05, 1);
        assertThat(onlyMisses.uncertainHitRate()).isZero();
        assertThat(onlyMisses.avgHitSimilarity()).isZero();
        assertThat(onlyMisses.hitRate()).isZero();
        ThresholdEffectiveness onlyHits = ThresholdAnalyzer.analyze(repeat(5, 0.01, true, ""), null, 0.1, 0.05, 1);
        assertThat(onlyHits.nearMissRate()).isZero();
        assertThat(onlyHits.avgMissSimilarity()).isZero();
    }

    @Test
    void tightenClampsAtZero() {
        ThresholdEffectiveness r = ThresholdAnalyzer.analyze(repeat(5, 0.05, true, ""), null, 0.05, 0.05, 1);
        assertThat(r.recommendation()).isEqualTo(Recommendation.TIGHTEN_THRESHOLD);
        assertThat(r.recommendedThreshold()).isEqualTo(0.0);
    }

    @Test
    void reasoningUsesToFixedRounding() {
        // 1 of 4 hits uncertain -> 25.0 ; 1 of 3 -> 33.3
        ThresholdEffectiveness quarter = ThresholdAnalyzer.analyze(
                concat(repeat(1, 0.09, true, ""), repeat(3, 0.01, true, "")), null, 0.1, 0.05, 1);
        assertThat(quarter.reasoning()).isEqualTo(
                "25.0% of hits are in the uncertainty band - tighten the threshold to reduce false positives.");
        ThresholdEffectiveness third = ThresholdAnalyzer.analyze(
                concat(repeat(1, 0.09, true, ""), repeat(2, 0.01, true, "")), null, 0.1, 0.05, 1);
        assertThat(third.reasoning()).isEqualTo(
                "33.3% of hits are in the uncertainty band - tighten the threshold to reduce false positives.");
        // 2/3 of misses near -> 66.7 (loosen)
        ThresholdEffectiveness loosen = ThresholdAnalyzer.analyze(
                concat(repeat(2, 0.11, false, ""), repeat(1, 0.9, false, "")), null, 0.1, 0.05, 1);
        assertThat(loosen.recommendation()).isEqualTo(Recommendation.LOOSEN_THRESHOLD);
        assertThat(loosen.reasoning()).isEqualTo(
                "66.7% of misses are very close to the threshold - consider loosening to capture more hits.");
    }

    @Test
    void minSamplesZeroOnEmptyWindowFollowsJsArithmetic() {
        // hitRate = 0 / 0 = NaN in JS; rules fall through to optimal; NaN.toFixed(1) = "NaN"
        ThresholdEffectiveness r = ThresholdAnalyzer.analyze(List.of(), null, 0.1, 0.05, 0);
        assertThat(r.hitRate()).isNaN();
        assertThat(r.recommendation()).isEqualTo(Recommendation.OPTIMAL);
        assertThat(r.reasoning()).isEqualTo("Hit rate is NaN% with 0.0% uncertain hits - threshold appears well-calibrated.");
    }

    @Test
    void recommendationLabels() {
        assertThat(Recommendation.TIGHTEN_THRESHOLD.label()).isEqualTo("tighten_threshold");
        assertThat(Recommendation.LOOSEN_THRESHOLD.label()).isEqualTo("loosen_threshold");
        assertThat(Recommendation.OPTIMAL.label()).isEqualTo("optimal");
        assertThat(Recommendation.INSUFFICIENT_DATA.label()).isEqualTo("insufficient_data");
        assertThat(Recommendation.fromLabel("optimal")).isEqualTo(Recommendation.OPTIMAL);
        assertThat(Optional.of(Recommendation.values().length)).contains(4);
    }
}
