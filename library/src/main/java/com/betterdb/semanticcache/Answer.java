package com.betterdb.semanticcache;

import java.util.Objects;

/**
 * What an LLM call produced, as {@link SemanticCache#getOrCompute} stores it: the text, and when the client reports
 * them, the model and token usage (with both token counts and a model, the entry gets a {@code cost_micros} and
 * later hits count the dollars they saved).
 *
 * @param text         the response text, stored as the entry's response
 * @param model        the model that answered; {@code ""} = unknown (then the store options' model is used)
 * @param inputTokens  prompt tokens the call spent, or {@code null}
 * @param outputTokens completion tokens the call spent, or {@code null}
 */
public record Answer(String text, String model, Integer inputTokens, Integer outputTokens) {

    public Answer {
        Objects.requireNonNull(text, "text");
        model = model == null ? "" : model;
        if (inputTokens != null && inputTokens < 0) {
            throw new IllegalArgumentException("inputTokens must be >= 0, got " + inputTokens);
        }
        if (outputTokens != null && outputTokens < 0) {
            throw new IllegalArgumentException("outputTokens must be >= 0, got " + outputTokens);
        }
    }

    /** An answer with no model and no token usage. */
    public static Answer of(String text) {
        return new Answer(text, "", null, null);
    }

    /** An answer with the model and token usage the client reported. */
    public static Answer of(String text, String model, int inputTokens, int outputTokens) {
        return new Answer(text, model, inputTokens, outputTokens);
    }
}
