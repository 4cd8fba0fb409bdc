package com.betterdb.semanticcache.analysis;

import com.betterdb.semanticcache.ThresholdEffectiveness;
import com.betterdb.semanticcache.ThresholdEffectiveness.LabelEvidence;
import com.betterdb.semanticcache.ThresholdEffectiveness.Recommendation;
import com.betterdb.semanticcache.analysis.Calibration.Choice;
import com.betterdb.semanticcache.analysis.Calibration.LabelledDistance;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The judge-labelled threshold advice (pure): from the judge's verdicts on uncertain hits, the threshold with the
 * highest recall whose precision over the labelled verdicts reaches the target ({@link Calibration#forPrecision}).
 *
 * <p>The judge only labels distances inside the uncertainty band under the threshold, so the labels cover a moving
 * window and the advice walks towards the boundary a band at a time:
 * <ul>
 *   <li>no threshold reaches the target (the judge rejects too much even at the closest labelled distances):
 *       tighten to just under the lowest labelled distance, so the next band gets labelled;</li>
 *   <li>the labels show where precision drops: the chosen threshold; {@code optimal} when the current threshold
 *       lies within its bootstrap interval (or within 0.001);</li>
 *   <li>every labelled distance meets the target and the labels reach the current threshold: no limit is in sight,
 *       loosen by one band (with the judge on, that band is labelled next);</li>
 *   <li>every labelled distance meets the target but the labels stop under the current threshold: nothing is known
 *       above them, keep it ({@code optimal}).</li>
 * </ul>
 * A judge that labels by a hidden distance rule is thereby followed to that rule's threshold.
 */
public final class JudgeLabelledAnalyzer {

    /** Bootstrap rounds of the recommendation's intervals (seeded: the advice is reproducible). */
    static final int BOOTSTRAP_ROUNDS = 500;
    /** A recommendation this close to the current threshold is no change. */
    static final double TOLERANCE = 0.001;

    private JudgeLabelledAnalyzer() {
    }

    /**
     * @param verdicts        verdicts of every category (any order)
     * @param categoryOrNull  category to restrict to; {@code null} or {@code ""} = all
     * @param threshold       the threshold in force for that category
     * @param band            the uncertainty band
     * @param targetPrecision precision to reach, 0 < p <= 1
     * @param minLabels       verdicts needed for a recommendation
     * @param window          the reference analysis of the same window (its statistics are kept)
     */
    public static ThresholdEffectiveness analyze(List<JudgeVerdict> verdicts, String categoryOrNull, double threshold,
                                                 double band, double targetPrecision, int minLabels,
                                                 ThresholdEffectiveness window) {
        boolean filter = categoryOrNull != null && !categoryOrNull.isEmpty();
        List<LabelledDistance> labels = new ArrayList<>();
        int accepted = 0;
        double lo = Double.NaN;
        double hi = Double.NaN;
        for (JudgeVerdict v : verdicts) {
            if (filter && !v.category().equals(categoryOrNull)) {
                continue;
            }
            labels.add(new LabelledDistance(v.score(), v.accepted()));
            accepted += v.accepted() ? 1 : 0;
            lo = Double.isNaN(lo) ? v.score() : Math.min(lo, v.score());
            hi = Double.isNaN(hi) ? v.score() : Math.max(hi, v.score());
        }
        int n = labels.size();
        if (n < minLabels) {
            LabelEvidence none = new LabelEvidence(n, accepted, targetPrecision, lo, hi, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN);
            return window.withLabelAdvice(Recommendation.INSUFFICIENT_DATA, "Only " + n + " judge verdicts recorded; "
                    + minLabels + " required for a label-based recommendation (verdicts are recorded when check()"
                    + " runs with a judge on uncertain hits).", null, none);
        }
        Calibration calibration = Calibration.of(labels).withBootstrap(BOOTSTRAP_ROUNDS, Calibration.DEFAULT_SEED);
        Optional<Choice> choice = calibration.forPrecision(targetPrecision);
        String from = String.format(Locale.ROOT, "From %d judge verdicts (%d accepted) between distance %s and %s: ",
                n, accepted, f4(lo), f4(hi));
        String target = String.format(Locale.ROOT, "precision %.3f", targetPrecision);

        if (choice.isEmpty()) {
            double next = round(Math.max(0, Math.min(threshold, lo) - 0.0001));
            return window.withLabelAdvice(Recommendation.TIGHTEN_THRESHOLD, from + "no threshold reaches " + target
                    + ", even the closest labelled hits are rejected too often - tighten below the labelled range.",
                    next, evidence(calibration, n, accepted, targetPrecision, lo, hi, next, null));
        }
        Choice c = choice.get();
        double chosen = round(c.value());
        boolean limitSeen = c.value() < hi;
        if (limitSeen) {
            boolean same = Math.abs(chosen - threshold) <= TOLERANCE || c.threshold().contains(threshold);
            LabelEvidence ev = evidence(calibration, n, accepted, targetPrecision, lo, hi, same ? threshold : chosen, c);
            if (same) {
                return window.withLabelAdvice(Recommendation.OPTIMAL, from + "threshold " + f4(chosen) + " keeps "
                        + target + "; the current " + f4(threshold) + " is within its 95% interval "
                        + f4(c.threshold().low()) + ".." + f4(c.threshold().high()) + ".", null, ev);
            }
            Recommendation rec = chosen < threshold ? Recommendation.TIGHTEN_THRESHOLD
                    : Recommendation.LOOSEN_THRESHOLD;
            return window.withLabelAdvice(rec, from + "threshold " + f4(chosen) + " has the highest recall with "
                    + target + String.format(Locale.ROOT, " (%.3f on the labels)", c.point().precision()) + " - "
                    + (rec == Recommendation.TIGHTEN_THRESHOLD ? "tighten" : "loosen") + " to it.", chosen, ev);
        }
        if (hi >= threshold - band / 2) {
            double next = round(threshold + band);
            return window.withLabelAdvice(Recommendation.LOOSEN_THRESHOLD, from + "every labelled distance up to the"
                    + " threshold meets " + target + " - loosen by one band to " + f4(next)
                    + " (with the judge on, the new band gets labelled).", next,
                    evidence(calibration, n, accepted, targetPrecision, lo, hi, threshold, c));
        }
        return window.withLabelAdvice(Recommendation.OPTIMAL, from + "every labelled distance meets " + target
                        + ", but no verdict is closer than " + f4(hi) + " to the threshold " + f4(threshold)
                        + " - keep it and collect more verdicts.", null,
                evidence(calibration, n, accepted, targetPrecision, lo, hi, threshold, c));
    }

    private static LabelEvidence evidence(Calibration calibration, int n, int accepted, double target, double lo,
                                          double hi, double at, Choice c) {
        double precision = calibration.at(at).precision();
        return new LabelEvidence(n, accepted, target, lo, hi, precision,
                c == null ? Double.NaN : c.precision().low(), c == null ? Double.NaN : c.precision().high(),
                c == null ? Double.NaN : c.threshold().low(), c == null ? Double.NaN : c.threshold().high());
    }

    private static double round(double v) {
        return new BigDecimal(v).setScale(4, RoundingMode.HALF_EVEN).doubleValue();
    }

    private static String f4(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }
}
