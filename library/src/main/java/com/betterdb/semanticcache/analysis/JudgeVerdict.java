package com.betterdb.semanticcache.analysis;

import java.util.Objects;

/**
 * One LLM-judge verdict on an uncertain hit, as kept in {@code {name}:__judge_verdicts}: a label for the distance the
 * cache was unsure about.
 *
 * @param score       cosine distance between the prompt and the cached prompt the judge saw
 * @param accepted    whether the judge accepted the cached answer
 * @param category    the lookup's category, {@code ""} when none
 * @param threshold   the threshold in force when the verdict was given
 * @param timestampMs the zset score: wall-clock ms when recorded
 */
public record JudgeVerdict(double score, boolean accepted, String category, double threshold, double timestampMs) {

    public JudgeVerdict {
        Objects.requireNonNull(category, "category");
    }
}
