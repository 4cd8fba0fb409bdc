package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.ComputeResult;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metadata a caching wrapper attaches to a response it rebuilt instead of calling the provider, under the same keys
 * in every framework (LangChain4j {@code AiMessage} attributes, Spring AI {@code ChatResponseMetadata}, ...): a cache
 * hit ({@link #HIT}), or a join of a concurrent computation of a paraphrase ({@link #JOINED}). A response the provider
 * produced for this call carries none of them.
 */
public final class CacheHitMetadata {

    /** {@code true}: the response was served from the semantic cache; no provider call, no tokens spent. */
    public static final String HIT = "semantic_cache.hit";
    /** Cosine distance between the request and the matched entry's prompt (0..2). */
    public static final String SIMILARITY = "semantic_cache.similarity";
    /** The key of the entry that answered. */
    public static final String MATCHED_KEY = "semantic_cache.matched_key";
    /** Dollars the hit saved, when the entry carries a cost. */
    public static final String COST_SAVED = "semantic_cache.cost_saved";
    /** {@code HIGH} or {@code UNCERTAIN}. */
    public static final String CONFIDENCE = "semantic_cache.confidence";
    /**
     * {@code true}: the response is that of a concurrent call for a paraphrase, which this call waited for instead
     * of calling the provider itself; no tokens spent by this call.
     */
    public static final String JOINED = "semantic_cache.joined";

    private CacheHitMetadata() {
    }

    /**
     * The metadata of a hit or a join (an empty map when this call ran the LLM), in a stable order; absent values are
     * left out.
     */
    public static Map<String, Object> of(ComputeResult result) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (result == null || result.calledLlm()) {
            return m;
        }
        if (result.outcome() == ComputeResult.Outcome.JOINED) {
            m.put(JOINED, Boolean.TRUE);
            putIfPresent(m, MATCHED_KEY, result.entryKey());
            return m;
        }
        m.put(HIT, Boolean.TRUE);
        CacheResult lookup = result.lookup();
        if (lookup != null) {
            putIfPresent(m, SIMILARITY, lookup.similarity());
            putIfPresent(m, MATCHED_KEY, lookup.matchedKey());
            putIfPresent(m, COST_SAVED, lookup.costSaved());
            putIfPresent(m, CONFIDENCE, lookup.confidence() == null ? null : lookup.confidence().name());
        }
        return m;
    }

    /** Whether a metadata or attribute map marks a cache hit. */
    public static boolean isHit(Map<String, ?> metadata) {
        return metadata != null && Boolean.TRUE.equals(metadata.get(HIT));
    }

    private static void putIfPresent(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
