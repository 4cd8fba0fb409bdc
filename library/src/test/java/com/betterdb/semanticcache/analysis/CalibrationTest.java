package com.betterdb.semanticcache.analysis;

import com.betterdb.semanticcache.analysis.Calibration.Choice;
import com.betterdb.semanticcache.analysis.Calibration.LabelledDistance;
import com.betterdb.semanticcache.analysis.Calibration.LabelledPrompts;
import com.betterdb.semanticcache.analysis.Calibration.OperatingPoint;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Synthetic pairs whose optimal thresholds are known in closed form. */
class CalibrationTest {

    /**
     * 100 paraphrases at 0.001..0.100, 100 non-paraphrases at 0.101..0.200, and 5 non-paraphrases mixed in at
     * 0.0505, 0.0605, 0.0705, 0.0805, 0.0905. Worked out by hand:
     * precision 1.0 up to 0.050 (recall 0.50); precision >= 0.97 up to 0.070 (70/72 = 0.972; at 0.080, 80/83 = 0.964);
     * precision >= 0.95 up to 0.100 (100/105 = 0.952; at 0.101, 100/106 = 0.943); best F1 at 0.100 (200/205).
     */
    static List<LabelledDistance> handMade() {
        List<LabelledDistance> pairs = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            pairs.add(new LabelledDistance(i / 1000.0, true));
            pairs.add(new LabelledDistance(0.1 + i / 1000.0, false));
        }
        for (double d : new double[]{0.0505, 0.0605, 0.0705, 0.0805, 0.0905}) {
            pairs.add(new LabelledDistance(d, false));
        }
        Collections.shuffle(pairs, new Random(1)); // order must not matter
        return pairs;
    }

    @Test
    void thresholdForATargetPrecisionIsTheLargestThatReachesIt() {
        Calibration c = Calibration.of(handMade());
        assertThat(c.size()).isEqualTo(205);
        assertThat(c.positives()).isEqualTo(100);

        Choice exact = c.forPrecision(1.0).orElseThrow();
        assertThat(exact.value()).isEqualTo(0.050);
        assertThat(exact.point().precision()).isEqualTo(1.0);
        assertThat(exact.point().recall()).isEqualTo(0.50);

        Choice p97 = c.forPrecision(0.97).orElseThrow();
        assertThat(p97.value()).isEqualTo(0.070);
        assertThat(p97.point().precision()).isCloseTo(70.0 / 72, within(1e-12));
        assertThat(p97.point().recall()).isEqualTo(0.70);

        Choice p95 = c.forPrecision(0.95).orElseThrow();
        assertThat(p95.value()).isEqualTo(0.100);
        assertThat(p95.point().precision()).isCloseTo(100.0 / 105, within(1e-12));
        assertThat(p95.point().recall()).isEqualTo(1.0);
        assertThat(p95.point().hitRate()).isCloseTo(105.0 / 205, within(1e-12));
    }

    @Test
    void bestF1() {
        Choice f1 = Calibration.of(handMade()).bestF1().orElseThrow();
        assertThat(f1.value()).isEqualTo(0.100);
        assertThat(f1.point().f1()).isCloseTo(200.0 / 205, within(1e-12));
        assertThat(f1.point().truePositives()).isEqualTo(100);
        assertThat(f1.point().falsePositives()).isEqualTo(5);
        assertThat(f1.point().falseNegatives()).isZero();
        assertThat(f1.point().trueNegatives()).isEqualTo(100);
    }

    /**
     * Paraphrases uniform on [0, 0.2], non-paraphrases uniform on [0.1, 0.4], 20,000 each. For t in [0.1, 0.2]:
     * precision(t) = (t/0.2) / (t/0.2 + (t-0.1)/0.3), so precision 0.9 at exactly t = 0.12 (recall 0.6), and F1 is
     * highest at t = 0.2 - F1(t) = 2(t/0.2) / (t/0.2 + (t-0.1)/0.3 + 1) grows on [0.1, 0.2] and falls after.
     */
    @Test
    void largeSyntheticSetFindsTheAnalyticOptimumWithinItsBootstrapInterval() {
        Random r = new Random(3);
        List<LabelledDistance> pairs = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            pairs.add(new LabelledDistance(0.2 * r.nextDouble(), true));
            pairs.add(new LabelledDistance(0.1 + 0.3 * r.nextDouble(), false));
        }
        Calibration c = Calibration.of(pairs).withBootstrap(200, 5);
        Choice p90 = c.forPrecision(0.9).orElseThrow();
        assertThat(p90.value()).isCloseTo(0.12, within(0.003));
        assertThat(p90.point().recall()).isCloseTo(0.6, within(0.02));
        assertThat(p90.threshold().low()).isLessThanOrEqualTo(0.12);
        assertThat(p90.threshold().high()).isGreaterThanOrEqualTo(0.12);
        assertThat(p90.threshold().high() - p90.threshold().low()).isLessThan(0.01);
        // Precision on left-out pairs: around the target, the interval brackets it.
        assertThat(p90.precision().low()).isLessThan(0.9).isGreaterThan(0.85);
        assertThat(p90.precision().high()).isGreaterThan(0.9).isLessThan(0.95);
        assertThat(p90.feasibleRounds()).isEqualTo(200);

        Choice f1 = c.bestF1().orElseThrow();
        assertThat(f1.value()).isCloseTo(0.2, within(0.005));
    }

    @Test
    void bootstrapIsReproducibleForASeedAndOptional() {
        List<LabelledDistance> pairs = handMade();
        Choice a = Calibration.of(pairs).withBootstrap(300, 9).forPrecision(0.97).orElseThrow();
        Choice b = Calibration.of(pairs).withBootstrap(300, 9).forPrecision(0.97).orElseThrow();
        assertThat(a).isEqualTo(b);
        assertThat(a.bootstrapRounds()).isEqualTo(300);
        assertThat(a.threshold().low()).isLessThanOrEqualTo(a.value());

        Choice none = Calibration.of(pairs).withBootstrap(0, 1).forPrecision(0.97).orElseThrow();
        assertThat(none.value()).isEqualTo(0.070);
        assertThat(none.bootstrapRounds()).isZero();
        assertThat(none.threshold().low()).isNaN();
    }

    @Test
    void unreachableTargetsAndNoPositivesAreEmpty() {
        List<LabelledDistance> negativesFirst = List.of(new LabelledDistance(0.01, false),
                new LabelledDistance(0.02, true), new LabelledDistance(0.03, false));
        assertThat(Calibration.of(negativesFirst).forPrecision(0.9)).isEmpty();
        assertThat(Calibration.of(negativesFirst).forPrecision(0.5)).isPresent();
        List<LabelledDistance> allNegative = List.of(new LabelledDistance(0.01, false), new LabelledDistance(0.2, false));
        assertThat(Calibration.of(allNegative).bestF1()).isEmpty();
        assertThat(Calibration.of(List.of()).forPrecision(0.9)).isEmpty();
    }

    @Test
    void equalDistancesAreOneThreshold() {
        // A match and a non-match at the same distance cannot be split: precision 1.0 stops before them.
        List<LabelledDistance> pairs = List.of(new LabelledDistance(0.05, true), new LabelledDistance(0.1, true),
                new LabelledDistance(0.1, false), new LabelledDistance(0.2, true));
        Choice exact = Calibration.of(pairs).forPrecision(1.0).orElseThrow();
        assertThat(exact.value()).isEqualTo(0.05);
        assertThat(Calibration.of(pairs).at(0.1).falsePositives()).isEqualTo(1);
    }

    @Test
    void operatingPointsAndSweep() {
        Calibration c = Calibration.of(handMade());
        OperatingPoint none = c.at(0.0);
        assertThat(none.precision()).isNaN();
        assertThat(none.recall()).isZero();
        assertThat(none.f1()).isZero();
        assertThat(none.hitRate()).isZero();
        OperatingPoint all = c.at(2.0);
        assertThat(all.recall()).isEqualTo(1.0);
        assertThat(all.hitRate()).isEqualTo(1.0);
        assertThat(all.precision()).isCloseTo(100.0 / 205, within(1e-12));
        List<OperatingPoint> sweep = c.sweep(0.05, 0.10, 0.01);
        assertThat(sweep).extracting(OperatingPoint::threshold)
                .containsExactly(0.05, 0.060000000000000005, 0.07, 0.08, 0.09, 0.1);
        assertThat(sweep.get(0).truePositives()).isEqualTo(50);
        assertThatThrownBy(() -> c.sweep(0.1, 0.0, 0.01)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.forPrecision(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LabelledDistance(Double.NaN, true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fromPromptsEmbedsBothSidesWithTheGivenEmbedder() {
        // A fake model: a text's vector is (1 - d, sqrt(1 - (1 - d)^2)) for the distance written in it.
        List<LabelledPrompts> triples = List.of(new LabelledPrompts("d=0.02", "d=0", true),
                new LabelledPrompts("d=0.04", "d=0", true), new LabelledPrompts("d=0.3", "d=0", false));
        Calibration c = Calibration.fromPrompts(triples, text -> {
            double d = Double.parseDouble(text.substring(2));
            return Mono.just(new float[]{(float) (1 - d), (float) Math.sqrt(1 - (1 - d) * (1 - d))});
        }).block();
        assertThat(c.size()).isEqualTo(3);
        Choice exact = c.forPrecision(1.0).orElseThrow();
        assertThat(exact.value()).isCloseTo(0.04, within(1e-6));
        assertThat(exact.point().recall()).isEqualTo(1.0);
    }
}
