package com.betterdb.semanticcache;

/**
 * The outcome of {@link SemanticCache#getOrCompute}: where the response came from, and what happened on the way.
 *
 * @param outcome    {@link Outcome#HIT}: served from the cache, no LLM call; {@link Outcome#COMPUTED}: this call ran
 *                   the LLM; {@link Outcome#JOINED}: this call waited for a concurrent computation of a paraphrase
 * @param response   the response text to return to the caller (never {@code null})
 * @param lookup     the cache lookup's result; {@code null} when the lookup failed and the call went to the LLM
 *                   anyway ({@link GetOrComputeOptions#failOpen() fail open}, see {@link #cacheError()})
 * @param answer     the LLM's answer with its model and token usage ({@code COMPUTED}; for {@code JOINED} the
 *                   answer of the computation joined, whose tokens this call did not spend); {@code null} on a hit
 * @param entryKey   the key of the entry that holds the response: the matched entry on a hit, the stored entry
 *                   after a computation; {@code null} when storing failed open
 * @param cacheError the cache failure that was tolerated (lookup or store), or {@code null}
 */
public record ComputeResult(
        Outcome outcome,
        String response,
        CacheResult lookup,
        Answer answer,
        String entryKey,
        Throwable cacheError) {

    /** Where a response came from. */
    public enum Outcome {
        /** A cached response: the LLM was not called. */
        HIT,
        /** This call ran the LLM (and stored its answer unless storing failed open). */
        COMPUTED,
        /** This call joined a concurrent computation of a prompt within the threshold: no LLM call of its own. */
        JOINED
    }

    /** Whether the response was served from the cache without calling the LLM. */
    public boolean fromCache() {
        return outcome == Outcome.HIT;
    }

    /** Whether this call spent an LLM call of its own ({@code COMPUTED}). */
    public boolean calledLlm() {
        return outcome == Outcome.COMPUTED;
    }
}
