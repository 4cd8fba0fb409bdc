package com.betterdb.semanticcache.embed;

import reactor.core.publisher.Mono;

import java.util.List;

/**
 * Embeds many texts in one call (one vector per text, same order). Used by the batch API when configured;
 * the cache sends chunks of at most {@code BatchOptions.embedBatchSize} texts.
 *
 * <p>The cache calls {@link #embedAll(List, EmbedPurpose)}; an embedder whose model tells queries from documents
 * overrides it, any other implements only {@link #embedAll(List)}.
 */
@FunctionalInterface
public interface BatchEmbedFn {
    Mono<List<float[]>> embedAll(List<String> texts);

    /** Embeds {@code texts} for {@code purpose}; by default the purpose is ignored. */
    default Mono<List<float[]>> embedAll(List<String> texts, EmbedPurpose purpose) {
        return embedAll(texts);
    }
}
