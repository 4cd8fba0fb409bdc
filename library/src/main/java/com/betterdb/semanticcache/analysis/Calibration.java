package com.betterdb.semanticcache.analysis;

import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.internal.Vectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Chooses a cosine-distance threshold from labelled pairs: pairs whose cached answer was right for the new prompt
 * ({@code match}) or wrong. A pair is a hit at threshold {@code t} when its distance is {@code <= t} (the cache's
 * rule), so every threshold has a precision (share of hits that match), a recall (share of matches that hit) and a
 * hit rate.
 *
 * <ul>
 *   <li>{@link #forPrecision(double)}: the threshold with the highest recall whose precision is at least the target
 *       (the largest such threshold);</li>
 *   <li>{@link #bestF1()}: the threshold with the highest F1.</li>
 * </ul>
 * Candidate thresholds are the pairs' own distances: the chosen threshold is the distance of the farthest pair it
 * admits. Each choice comes with bootstrap intervals ({@link #withBootstrap(int, long)}, default 1,000 rounds, seed
 * 42, so a run is reproducible): every round resamples the pairs with replacement, chooses a threshold on the
 * resample, and evaluates it on the pairs the resample left out. The intervals (2.5th to 97.5th percentile) are
 * therefore those of the chosen threshold and of the precision and recall it gets on pairs it was not chosen on:
 * what to expect on new traffic of the same kind, not the optimistic in-sample numbers.
 *
 * <p>Immutable and thread-safe. Build from distances with {@link #of(Collection)}, or from prompts and an embedder
 * with {@link #fromPrompts(List, EmbedFn)}. {@link CalibrationCommand} is the command-line entry point.
 */
public final class Calibration {

    public static final int DEFAULT_BOOTSTRAP_ROUNDS = 1000;
    public static final long DEFAULT_SEED = 42;

    /** One labelled pair: its cosine distance, and whether serving the cached answer was right. */
    public record LabelledDistance(double distance, boolean match) {
        public LabelledDistance {
            if (!Double.isFinite(distance)) {
                throw new IllegalArgumentException("distance must be finite, got " + distance);
            }
        }
    }

    /**
     * A labelled lookup: a prompt, the cached prompt it was (or would be) answered from, and whether the cached
     * answer was accepted as right.
     */
    public record LabelledPrompts(String prompt, String cachedPrompt, boolean accepted) {
        public LabelledPrompts {
            Objects.requireNonNull(prompt, "prompt");
            Objects.requireNonNull(cachedPrompt, "cachedPrompt");
        }
    }

    /**
     * The outcome of one threshold over the pairs.
     *
     * @param precision {@code NaN} when nothing is a hit
     * @param recall    {@code NaN} when there is no matching pair
     */
    public record OperatingPoint(double threshold, double precision, double recall, double f1, double hitRate,
                                 int truePositives, int falsePositives, int falseNegatives, int trueNegatives) {
    }

    /** A two-sided interval; {@code NaN} bounds when no bootstrap round produced a value. */
    public record Interval(double low, double high) {
        public boolean contains(double v) {
            return v >= low && v <= high;
        }
    }

    /**
     * A chosen threshold.
     *
     * @param point           the threshold and its precision, recall, F1 and hit rate on all pairs
     * @param threshold       bootstrap interval of the chosen threshold
     * @param precision       bootstrap interval of the precision on left-out pairs
     * @param recall          bootstrap interval of the recall on left-out pairs
     * @param bootstrapRounds rounds run
     * @param feasibleRounds  rounds in which a threshold met the target (all of them for best F1 with matches)
     */
    public record Choice(OperatingPoint point, Interval threshold, Interval precision, Interval recall,
                         int bootstrapRounds, int feasibleRounds) {
        public double value() {
            return point.threshold();
        }
    }

    /** Pair distances ascending, labels aligned. */
    private final double[] distances;
    private final boolean[] matches;
    private final int positives;
    private final int rounds;
    private final long seed;

    private Calibration(double[] distances, boolean[] matches, int rounds, long seed) {
        this.distances = distances;
        this.matches = matches;
        int p = 0;
        for (boolean m : matches) {
            p += m ? 1 : 0;
        }
        this.positives = p;
        this.rounds = rounds;
        this.seed = seed;
    }

    /** A calibration over these pairs (any order). */
    public static Calibration of(Collection<LabelledDistance> pairs) {
        Objects.requireNonNull(pairs, "pairs");
        LabelledDistance[] sorted = pairs.toArray(LabelledDistance[]::new);
        Arrays.sort(sorted, (a, b) -> Double.compare(a.distance(), b.distance()));
        double[] d = new double[sorted.length];
        boolean[] m = new boolean[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            d[i] = sorted[i].distance();
            m[i] = sorted[i].match();
        }
        return new Calibration(d, m, DEFAULT_BOOTSTRAP_ROUNDS, DEFAULT_SEED);
    }

    /**
     * Embeds both prompts of every triple with {@code embedFn} (two at a time, in order) and calibrates on their
     * cosine distances. Use the same embedder the cache uses: distances of different models are not comparable.
     */
    public static Mono<Calibration> fromPrompts(List<LabelledPrompts> triples, EmbedFn embedFn) {
        Objects.requireNonNull(triples, "triples");
        Objects.requireNonNull(embedFn, "embedFn");
        return Flux.fromIterable(triples)
                .flatMapSequential(t -> Mono.zip(embedFn.embed(t.prompt()), embedFn.embed(t.cachedPrompt()))
                        .map(v -> new LabelledDistance(Vectors.cosineDistance(v.getT1(), v.getT2()), t.accepted())), 2)
                .collectList()
                .map(Calibration::of);
    }

    /** The same pairs with another bootstrap: {@code rounds} (0 = no intervals) and a random seed. */
    public Calibration withBootstrap(int rounds, long seed) {
        if (rounds < 0) {
            throw new IllegalArgumentException("rounds must be >= 0, got " + rounds);
        }
        return new Calibration(distances, matches, rounds, seed);
    }

    /** Number of pairs. */
    public int size() {
        return distances.length;
    }

    /** Number of matching pairs. */
    public int positives() {
        return positives;
    }

    /** Precision, recall, F1 and hit rate at {@code threshold} (hit iff distance {@code <= threshold}). */
    public OperatingPoint at(double threshold) {
        int tp = 0;
        int fp = 0;
        for (int i = 0; i < distances.length && distances[i] <= threshold; i++) {
            if (matches[i]) {
                tp++;
            } else {
                fp++;
            }
        }
        return point(threshold, tp, fp, positives, distances.length);
    }

    /** {@link #at} for {@code from, from + step, ...} up to {@code to} inclusive (within rounding). */
    public List<OperatingPoint> sweep(double from, double to, double step) {
        if (!(step > 0) || !(to >= from)) {
            throw new IllegalArgumentException("need step > 0 and to >= from, got " + from + ".." + to + " step " + step);
        }
        List<OperatingPoint> out = new ArrayList<>();
        long n = Math.round(Math.floor((to - from) / step + 1e-9));
        for (long i = 0; i <= n; i++) {
            out.add(at(from + i * step));
        }
        return out;
    }

    /**
     * The threshold with the highest recall whose precision is at least {@code targetPrecision}; empty when no
     * threshold reaches it (not even the closest pair alone).
     */
    public Optional<Choice> forPrecision(double targetPrecision) {
        if (!(targetPrecision > 0 && targetPrecision <= 1)) {
            throw new IllegalArgumentException("targetPrecision must be in (0, 1], got " + targetPrecision);
        }
        return choose(w -> pickForPrecision(w, targetPrecision));
    }

    /** The threshold with the highest F1 (the smallest such threshold on ties); empty when no pair matches. */
    public Optional<Choice> bestF1() {
        return choose(this::pickBestF1);
    }

    // ---------------------------------------------------------------------------------------------- internals

    /** A rule that picks the index of the last pair admitted, given per-pair weights; -1 for none. */
    private interface Rule {
        int pick(int[] weights);
    }

    private Optional<Choice> choose(Rule rule) {
        int[] ones = new int[distances.length];
        Arrays.fill(ones, 1);
        int idx = rule.pick(ones);
        if (idx < 0) {
            return Optional.empty();
        }
        OperatingPoint point = at(distances[idx]);
        SplittableRandom random = new SplittableRandom(seed);
        double[] thresholds = new double[rounds];
        double[] precisions = new double[rounds];
        double[] recalls = new double[rounds];
        int feasible = 0;
        int n = distances.length;
        int[] weights = new int[n];
        for (int r = 0; r < rounds; r++) {
            Arrays.fill(weights, 0);
            for (int i = 0; i < n; i++) {
                weights[random.nextInt(n)]++;
            }
            int pick = rule.pick(weights);
            if (pick < 0) {
                continue;
            }
            double t = distances[pick];
            int tp = 0;
            int fp = 0;
            int pos = 0;
            for (int i = 0; i < n; i++) {
                if (weights[i] != 0) {
                    continue; // in the resample: not a left-out pair
                }
                if (matches[i]) {
                    pos++;
                }
                if (distances[i] <= t) {
                    if (matches[i]) {
                        tp++;
                    } else {
                        fp++;
                    }
                }
            }
            thresholds[feasible] = t;
            precisions[feasible] = tp + fp == 0 ? Double.NaN : (double) tp / (tp + fp);
            recalls[feasible] = pos == 0 ? Double.NaN : (double) tp / pos;
            feasible++;
        }
        return Optional.of(new Choice(point, interval(thresholds, feasible), interval(precisions, feasible),
                interval(recalls, feasible), rounds, feasible));
    }

    /** The last index of the largest distance group whose cumulative weighted precision meets the target. */
    private int pickForPrecision(int[] w, double target) {
        long tp = 0;
        long fp = 0;
        int best = -1;
        for (int i = 0; i < distances.length; i++) {
            if (matches[i]) {
                tp += w[i];
            } else {
                fp += w[i];
            }
            boolean groupEnd = i + 1 == distances.length || distances[i + 1] != distances[i];
            if (groupEnd && tp + fp > 0 && (double) tp / (tp + fp) >= target) {
                best = i;
            }
        }
        return best;
    }

    private int pickBestF1(int[] w) {
        long pos = 0;
        for (int i = 0; i < distances.length; i++) {
            if (matches[i]) {
                pos += w[i];
            }
        }
        if (pos == 0) {
            return -1;
        }
        long tp = 0;
        long fp = 0;
        int best = -1;
        double bestF1 = -1;
        for (int i = 0; i < distances.length; i++) {
            if (matches[i]) {
                tp += w[i];
            } else {
                fp += w[i];
            }
            boolean groupEnd = i + 1 == distances.length || distances[i + 1] != distances[i];
            if (groupEnd) {
                double f1 = 2.0 * tp / (tp + fp + pos);
                if (f1 > bestF1) {
                    bestF1 = f1;
                    best = i;
                }
            }
        }
        return best;
    }

    private static OperatingPoint point(double threshold, int tp, int fp, int positives, int n) {
        int fn = positives - tp;
        int tn = n - tp - fp - fn;
        double precision = tp + fp == 0 ? Double.NaN : (double) tp / (tp + fp);
        double recall = positives == 0 ? Double.NaN : (double) tp / positives;
        double f1 = tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
        double hitRate = n == 0 ? 0 : (double) (tp + fp) / n;
        return new OperatingPoint(threshold, precision, recall, f1, hitRate, tp, fp, fn, tn);
    }

    /** 2.5th-97.5th percentile of the first {@code count} finite values. */
    private static Interval interval(double[] values, int count) {
        double[] finite = Arrays.stream(values, 0, count).filter(Double::isFinite).sorted().toArray();
        if (finite.length == 0) {
            return new Interval(Double.NaN, Double.NaN);
        }
        return new Interval(percentile(finite, 0.025), percentile(finite, 0.975));
    }

    private static double percentile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
