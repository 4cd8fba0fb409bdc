package com.betterdb.semanticcache.embed;

import reactor.core.publisher.Mono;

/**
 * Turns a text into a vector. Must not block the calling thread: wrap blocking clients with
 * {@code Mono.fromCallable(...).subscribeOn(Schedulers.boundedElastic())}. Any error surfaces from the cache as
 * {@code EmbeddingError}.
 *
 * <p>The cache calls {@link #embed(String, EmbedPurpose)}; an embedder whose model tells queries from documents
 * overrides it, any other implements only {@link #embed(String)} (a lambda is enough).
 */
@FunctionalInterface
public interface EmbedFn {
    Mono<float[]> embed(String text);

    /** Embeds {@code text} for {@code purpose}; by default the purpose is ignored. */
    default Mono<float[]> embed(String text, EmbedPurpose purpose) {
        return embed(text);
    }
}
