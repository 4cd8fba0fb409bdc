package com.betterdb.semanticcache;

import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Objects;

/**
 * LLM-as-judge for uncertain hits (docs/decision-rules.md §8). The judge's answer is raced against {@code timeout}; a judge
 * that errors or times out is treated per {@code onError}.
 */
public record JudgeOptions(JudgeFn judgeFn, OnError onError, Duration timeout) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(2000);

    public JudgeOptions {
        Objects.requireNonNull(judgeFn, "judgeFn");
        onError = onError == null ? OnError.ACCEPT : onError;
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("judge timeout must be positive, got " + timeout);
        }
    }

    public static JudgeOptions of(JudgeFn judgeFn) {
        return new JudgeOptions(judgeFn, OnError.ACCEPT, DEFAULT_TIMEOUT);
    }

    public JudgeOptions withOnError(OnError onError) {
        return new JudgeOptions(judgeFn, onError, timeout);
    }

    public JudgeOptions withTimeout(Duration timeout) {
        return new JudgeOptions(judgeFn, onError, timeout);
    }

    public enum OnError { ACCEPT, REJECT }

    /**
     * What the judge sees.
     *
     * @param prompt       the query text
     * @param response     the cached response
     * @param similarity   cosine distance of the candidate
     * @param threshold    the threshold in force
     * @param category     the category, or {@code null} when none
     * @param cachedPrompt the prompt stored with the candidate
     */
    public record Context(String prompt, String response, double similarity, double threshold, String category,
                          String cachedPrompt) {
    }

    @FunctionalInterface
    public interface JudgeFn {
        Mono<Boolean> judge(Context context);
    }
}
