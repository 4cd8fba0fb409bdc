package com.betterdb.semanticcache;

import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Objects;

/**
 * Fetch {@code k} candidates and let {@code rerankFn} pick one (docs/decision-rules.md §6). Runs only after the top-1
 * candidate passed the threshold.
 */
public record RerankOptions(int k, RerankFn rerankFn) {

    public RerankOptions {
        if (k < 1) {
            throw new IllegalArgumentException("rerank k must be >= 1, got " + k);
        }
        Objects.requireNonNull(rerankFn, "rerankFn");
    }

    public static RerankOptions of(int k, RerankFn rerankFn) {
        return new RerankOptions(k, rerankFn);
    }

    /** A candidate offered to the reranker; {@code similarity} is the cosine distance. */
    public record Candidate(String response, double similarity, String prompt) {
    }

    /** Returns the index of the chosen candidate, or {@code -1} (any negative, or out of range) to reject all. */
    @FunctionalInterface
    public interface RerankFn {
        Mono<Integer> rerank(String query, List<Candidate> candidates);
    }
}
