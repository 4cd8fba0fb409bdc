package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.SemanticCache;

import java.util.Objects;

/**
 * Base of the adapters that wrap an LLM client (the OpenAI and Anthropic clients, the LangChain4j models): the cache,
 * the {@link CachingOptions}, and the per-call views every one of them offers. A view shares the wrapped client and
 * the cache; only the options differ.
 *
 * @param <W> the wrapper's own type
 */
public abstract class CachingWrapper<W extends CachingWrapper<W>> {

    private final SemanticCache cache;
    private final CachingOptions options;

    protected CachingWrapper(SemanticCache cache, CachingOptions options) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The same wrapper (same client, same cache) with other caching options. */
    public abstract W withOptions(CachingOptions options);

    /** The same wrapper, storing and looking up in {@code category} (thresholds and metric label; no isolation). */
    public final W withCategory(String category) {
        return withOptions(options.withCategory(category));
    }

    /** The same wrapper with a lookup threshold (cosine distance 0..2). */
    public final W withThreshold(double threshold) {
        return withOptions(options.withThreshold(threshold));
    }

    public final CachingOptions cachingOptions() {
        return options;
    }

    protected final SemanticCache cache() {
        return cache;
    }
}
