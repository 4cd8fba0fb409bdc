package com.betterdb.semanticcache;

/**
 * How {@link SemanticCache#thresholdEffectiveness(String, ThresholdAdvice)} derives its recommendation.
 *
 * <ul>
 *   <li>{@link #reference(int)}: the label-free analysis of the TypeScript and Python packages (docs/decision-rules.md §16),
 *       unchanged: rules on the hit rate, the share of hits in the uncertainty band and the near misses of the
 *       similarity window. It never sees whether a hit was right.</li>
 *   <li>{@link #judgeLabelled(double)}: the threshold with the highest recall whose precision reaches a target,
 *       computed from the LLM judge's verdicts on uncertain hits ({@code {name}:__judge_verdicts}, written whenever a
 *       check runs with {@code CheckOptions.judge}). The window statistics are reported as in the reference mode;
 *       only the recommendation differs, and {@link ThresholdEffectiveness#labels()} says how many verdicts it used.
 *       </li>
 * </ul>
 */
public sealed interface ThresholdAdvice {

    /** Default {@link JudgeLabelled#minLabels()}. */
    int DEFAULT_MIN_LABELS = 30;

    /** The reference (label-free) analysis; {@code minSamples} window samples are needed for a recommendation. */
    static ThresholdAdvice reference(int minSamples) {
        return new Reference(minSamples);
    }

    /**
     * The judge-labelled analysis for {@code targetPrecision} (0 < p <= 1), needing at least
     * {@value #DEFAULT_MIN_LABELS} verdicts.
     */
    static JudgeLabelled judgeLabelled(double targetPrecision) {
        return new JudgeLabelled(targetPrecision, DEFAULT_MIN_LABELS);
    }

    /** The label-free reference mode. */
    record Reference(int minSamples) implements ThresholdAdvice {
    }

    /**
     * The judge-labelled mode.
     *
     * @param targetPrecision share of served hits that must be right, 0 < p <= 1
     * @param minLabels       verdicts needed for a recommendation (>= 1)
     */
    record JudgeLabelled(double targetPrecision, int minLabels) implements ThresholdAdvice {
        public JudgeLabelled {
            if (!(targetPrecision > 0 && targetPrecision <= 1)) {
                throw new IllegalArgumentException("targetPrecision must be in (0, 1], got " + targetPrecision);
            }
            if (minLabels < 1) {
                throw new IllegalArgumentException("minLabels must be >= 1, got " + minLabels);
            }
        }

        public JudgeLabelled withMinLabels(int minLabels) {
            return new JudgeLabelled(targetPrecision, minLabels);
        }
    }
}
