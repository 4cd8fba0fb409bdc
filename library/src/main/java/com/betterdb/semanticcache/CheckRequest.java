package com.betterdb.semanticcache;

import com.betterdb.semanticcache.prompt.Prompt;

import java.util.Objects;

/**
 * One element of {@link SemanticCache#checkAll(org.reactivestreams.Publisher, BatchOptions)} with its own options,
 * for streams whose elements differ in category, threshold or filter (e.g. one Kafka event each).
 */
public record CheckRequest(Prompt prompt, CheckOptions options) {
    public CheckRequest {
        Objects.requireNonNull(prompt, "prompt");
        options = options == null ? CheckOptions.defaults() : options;
    }

    public static CheckRequest of(String prompt) {
        return new CheckRequest(Prompt.of(prompt), null);
    }

    public static CheckRequest of(Prompt prompt, CheckOptions options) {
        return new CheckRequest(prompt, options);
    }
}
