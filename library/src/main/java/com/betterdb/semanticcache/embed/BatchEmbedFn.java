package com.betterdb.semanticcache.embed;

import reactor.core.publisher.Mono;

import java.util.List;

/**
 * Embeds many texts in one call (one vector per text, same order). Used by the batch API when configured;
 * the cache sends chunks of at most {@code BatchOptions.embedBatchSize} texts.
 */
@FunctionalInterface
public interface BatchEmbedFn {
    Mono<List<float[]>> embedAll(List<String> texts);
}
