package com.betterdb.semanticcache.analysis;

import com.betterdb.semanticcache.ThresholdEffectiveness;
import com.betterdb.semanticcache.ThresholdEffectiveness.Recommendation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class JudgeLabelledAnalyzerTest {

    static final double BAND = 0.05;

    /** Window statistics as the reference analysis reports them (kept unchanged by the judge-labelled mode). */
    static final ThresholdEffectiveness WINDOW = new ThresholdEffectiveness("all", 500, 0.2, 0.4, 0.3, 0.1, 0.08,
            0.3, Recommendation.TIGHTEN_THRESHOLD, "reference text", 0.125);

    /** {@code n} verdicts evenly over [from, to], accepted iff the distance is at most {@code rule}. */
    static List<JudgeVerdict> verdicts(double from, double to, int n, double rule, String category) {
        List<JudgeVerdict> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double d = from + (to - from) * i / (n - 1);
            out.add(new JudgeVerdict(d, d <= rule, category, to, i));
        }
        return out;
    }

    static ThresholdEffectiveness analyze(List<JudgeVerdict> v, String category, double threshold, double target) {
        return JudgeLabelledAnalyzer.analyze(v, category, threshold, BAND, target, 30, WINDOW);
    }

    @Test
    void tooFewLabelsIsInsufficientDataAndSaysHowMany() {
        ThresholdEffectiveness r = analyze(verdicts(0.15, 0.2, 12, 1, ""), null, 0.2, 0.95);
        assertThat(r.recommendation()).isEqualTo(Recommendation.INSUFFICIENT_DATA);
        assertThat(r.labels().labelsUsed()).isEqualTo(12);
        assertThat(r.reasoning()).contains("Only 12 judge verdicts").contains("30 required");
        assertThat(r.recommendedThreshold()).isNull();
        // The window statistics are the reference analysis's.
        assertThat(r.sampleCount()).isEqualTo(500);
        assertThat(r.hitRate()).isEqualTo(0.4);
    }

    @Test
    void whereTheJudgeStartsRejectingIsTheRecommendation() {
        // Labels over [0.15, 0.20], the judge accepts up to 0.17.
        ThresholdEffectiveness r = analyze(verdicts(0.15, 0.20, 101, 0.1702, ""), null, 0.20, 1.0);
        assertThat(r.recommendation()).isEqualTo(Recommendation.TIGHTEN_THRESHOLD);
        assertThat(r.recommendedThreshold()).isCloseTo(0.17, within(0.0006));
        assertThat(r.labels().labelsUsed()).isEqualTo(101);
        assertThat(r.labels().accepted()).isEqualTo(41);
        assertThat(r.labels().expectedPrecision()).isEqualTo(1.0);
        assertThat(r.labels().lowestScore()).isEqualTo(0.15);
        assertThat(r.labels().highestScore()).isCloseTo(0.20, within(1e-12));
        assertThat(r.reasoning()).startsWith("From 101 judge verdicts (41 accepted) between distance 0.1500 and 0.2000");
    }

    @Test
    void everythingRejectedTightensBelowTheLabelledRange() {
        ThresholdEffectiveness r = analyze(verdicts(0.15, 0.20, 50, 0.10, ""), null, 0.20, 0.95);
        assertThat(r.recommendation()).isEqualTo(Recommendation.TIGHTEN_THRESHOLD);
        assertThat(r.recommendedThreshold()).isLessThan(0.15).isGreaterThan(0.149);
        assertThat(r.reasoning()).contains("no threshold reaches precision 0.950");
    }

    @Test
    void everythingAcceptedUpToTheThresholdLoosensByOneBand() {
        ThresholdEffectiveness r = analyze(verdicts(0.05, 0.10, 50, 1, ""), null, 0.10, 0.95);
        assertThat(r.recommendation()).isEqualTo(Recommendation.LOOSEN_THRESHOLD);
        assertThat(r.recommendedThreshold()).isCloseTo(0.15, within(1e-9));
    }

    @Test
    void everythingAcceptedButFarUnderTheThresholdKeepsIt() {
        ThresholdEffectiveness r = analyze(verdicts(0.05, 0.10, 50, 1, ""), null, 0.20, 0.95);
        assertThat(r.recommendation()).isEqualTo(Recommendation.OPTIMAL);
        assertThat(r.recommendedThreshold()).isNull();
    }

    @Test
    void theCurrentThresholdAtTheBoundaryIsOptimal() {
        ThresholdEffectiveness r = analyze(verdicts(0.10, 0.25, 151, 0.1602, ""), null, 0.16, 1.0);
        assertThat(r.recommendation()).isEqualTo(Recommendation.OPTIMAL);
        assertThat(r.reasoning()).contains("within its 95% interval");
    }

    @Test
    void aCategoryUsesOnlyItsOwnVerdicts() {
        List<JudgeVerdict> v = new ArrayList<>(verdicts(0.15, 0.20, 60, 0.1702, "faq"));
        v.addAll(verdicts(0.15, 0.20, 60, 0.1902, "chat"));
        ThresholdEffectiveness faq = analyze(v, "faq", 0.20, 1.0);
        ThresholdEffectiveness chat = analyze(v, "chat", 0.20, 1.0);
        assertThat(faq.labels().labelsUsed()).isEqualTo(60);
        assertThat(faq.recommendedThreshold()).isCloseTo(0.17, within(0.001));
        assertThat(chat.recommendedThreshold()).isCloseTo(0.19, within(0.001));
        assertThat(analyze(v, null, 0.20, 1.0).labels().labelsUsed()).isEqualTo(120);
    }

    @Test
    void verdictMembersRoundTrip() {
        String m = JudgeVerdicts.member(0.1234, true, "faq", 0.14);
        assertThat(m).startsWith("{\"score\":0.1234,\"accepted\":true,\"category\":\"faq\",\"threshold\":0.14,\"_n\":");
        JudgeVerdict v = JudgeVerdicts.parse(m, 42).orElseThrow();
        assertThat(v).isEqualTo(new JudgeVerdict(0.1234, true, "faq", 0.14, 42));
        assertThat(JudgeVerdicts.member(0.1, false, null, 0.1)).isNotEqualTo(JudgeVerdicts.member(0.1, false, null, 0.1));
        assertThat(JudgeVerdicts.parse("{\"score\":\"x\",\"accepted\":true}", 1)).isEmpty();
        assertThat(JudgeVerdicts.parse("{\"score\":0.1,\"accepted\":1}", 1)).isEmpty();
        assertThat(JudgeVerdicts.parse("not json", 1)).isEmpty();
        assertThat(JudgeVerdicts.parse("{\"score\":0.1,\"accepted\":false}", 1).orElseThrow().category()).isEmpty();
    }
}
