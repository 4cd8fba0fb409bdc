/**
 * What every LLM client adapter (the {@code semantic-cache-*} adapter modules) shares, so that all of them behave
 * alike: {@link com.betterdb.semanticcache.adapter.SemanticParams} (what a request reader takes from a request),
 * {@link com.betterdb.semanticcache.adapter.ContentParts} (message parts as content blocks),
 * {@link com.betterdb.semanticcache.adapter.RequestScope} (what must be equal to share an answer),
 * {@link com.betterdb.semanticcache.adapter.CachingOptions} (how an adapter uses the cache),
 * {@link com.betterdb.semanticcache.adapter.CachedCall} (the read-through with the provider's own response type) and
 * {@link com.betterdb.semanticcache.adapter.CacheHitMetadata} (the marks of a rebuilt response, and the
 * {@code isCached} convention). The adapters themselves live in their own modules, so this library depends on no LLM
 * SDK or framework. docs/adapters.md describes the whole layer.
 */
package com.betterdb.semanticcache.adapter;
