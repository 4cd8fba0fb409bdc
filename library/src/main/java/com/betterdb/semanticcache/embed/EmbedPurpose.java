package com.betterdb.semanticcache.embed;

/**
 * What a text is embedded for. Retrieval models such as Cohere, Voyage and Google embed a search query and a stored
 * document differently (Cohere {@code input_type} {@code search_query}/{@code search_document}, Voyage
 * {@code query}/{@code document}, Google task type {@code RETRIEVAL_QUERY}/{@code RETRIEVAL_DOCUMENT}); models
 * without that distinction ignore it.
 *
 * <p>The cache embeds the prompts of {@code check}, {@code checkAll} and {@code checkBatch} as {@link #QUERY} and
 * those of {@code store}, {@code storeAll} and {@code storeMultipart} as {@link #DOCUMENT}.
 */
public enum EmbedPurpose {
    /** A prompt looked up in the cache. */
    QUERY,
    /** A prompt written to the cache. */
    DOCUMENT
}
