package com.betterdb.semanticcache;

/**
 * The closest candidate of a miss. {@code deltaToThreshold = similarity - threshold}: positive for threshold
 * misses; {@code <= 0} for judge rejections, which also carry {@code threshold} and {@code matchedKey}.
 *
 * @param similarity       cosine distance of the candidate (0..2, lower is closer)
 * @param deltaToThreshold similarity minus the threshold in force
 * @param threshold        the threshold, only for judge rejections (else {@code null})
 * @param matchedKey       the rejected entry's key, only for judge rejections (else {@code null})
 */
public record NearestMiss(double similarity, double deltaToThreshold, Double threshold, String matchedKey) {

    public static NearestMiss ofThresholdMiss(double similarity, double threshold) {
        return new NearestMiss(similarity, similarity - threshold, null, null);
    }

    public static NearestMiss ofJudgeRejection(double similarity, double threshold, String matchedKey) {
        return new NearestMiss(similarity, similarity - threshold, threshold, matchedKey);
    }
}
