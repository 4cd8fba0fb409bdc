package com.betterdb.semanticcache.embed;

import reactor.core.publisher.Mono;

/**
 * Turns a text into a vector. Must not block the calling thread: wrap blocking clients with
 * {@code Mono.fromCallable(...).subscribeOn(Schedulers.boundedElastic())}. Any error surfaces from the cache as
 * {@code EmbeddingError}.
 */
@FunctionalInterface
public interface EmbedFn {
    Mono<float[]> embed(String text);
}
