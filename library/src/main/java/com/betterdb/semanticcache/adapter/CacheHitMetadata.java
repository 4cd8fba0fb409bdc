package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.ComputeResult;
import com.betterdb.semanticcache.telemetry.MetricNames;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The marks every adapter puts on a response it rebuilt from the cache instead of calling the provider, under the
 * same keys everywhere: OpenAI and Anthropic responses carry them as extra JSON members
 * ({@code _additionalProperties()}), LangChain4j as {@code AiMessage} attributes, Spring AI in the response metadata,
 * the assistant message's properties, the generation metadata and the {@code ChatClientResponse} context.
 *
 * <p><b>The {@code isCached} convention</b> (each adapter's static {@code isCached(response)}): {@code true} when
 * this call made no provider call of its own, so it spent no tokens and its token usage is zero: the answer came
 * from the cache ({@link #OUTCOME} {@code hit}), or from a concurrent call for a paraphrase in the same scope that
 * this call waited for ({@link #OUTCOME} {@code joined}). A response a provider produced for this call carries none
 * of the marks.
 */
public final class CacheHitMetadata {

    /** {@code true}: no provider call for this request; no tokens spent (see the class comment). */
    public static final String HIT = "semantic_cache.hit";
    /** {@value #OUTCOME_HIT} or {@value #OUTCOME_JOINED}. */
    public static final String OUTCOME = "semantic_cache.outcome";
    /** The key of the entry that answered (absent for a join whose answer could not be stored). */
    public static final String MATCHED_KEY = "semantic_cache.matched_key";
    /** Cosine distance between the request and the matched entry's prompt (0..2); hits only. */
    public static final String SIMILARITY = "semantic_cache.similarity";
    /** Dollars the hit saved, when the entry carries a cost; hits only. */
    public static final String COST_SAVED = "semantic_cache.cost_saved";
    /** {@code HIGH} or {@code UNCERTAIN}; hits only. */
    public static final String CONFIDENCE = "semantic_cache.confidence";

    /** {@link #OUTCOME} of an answer served from the cache. */
    public static final String OUTCOME_HIT = MetricNames.OUTCOME_HIT;
    /** {@link #OUTCOME} of an answer shared by a concurrent call for a paraphrase, which this call waited for. */
    public static final String OUTCOME_JOINED = MetricNames.OUTCOME_JOINED;

    /** Start of the id part of a rebuilt response's id ({@link #responseId}). */
    public static final String ID_MARK = "cache-";

    private CacheHitMetadata() {
    }

    /**
     * The marks of a rebuilt response (an empty map when this call ran the provider), in a stable order; absent values
     * are left out.
     */
    public static Map<String, Object> of(ComputeResult result) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (result == null || result.calledLlm()) {
            return m;
        }
        m.put(HIT, Boolean.TRUE);
        m.put(OUTCOME, result.fromCache() ? OUTCOME_HIT : OUTCOME_JOINED);
        putIfPresent(m, MATCHED_KEY, result.entryKey());
        CacheResult lookup = result.lookup();
        if (result.fromCache() && lookup != null) {
            putIfPresent(m, SIMILARITY, lookup.similarity());
            putIfPresent(m, COST_SAVED, lookup.costSaved());
            putIfPresent(m, CONFIDENCE, lookup.confidence() == null ? null : lookup.confidence().name());
        }
        return m;
    }

    /** Whether a metadata, attribute or context map carries the {@link #HIT} mark. */
    public static boolean isCached(Map<String, ?> metadata) {
        return metadata != null && Boolean.TRUE.equals(metadata.get(HIT));
    }

    /**
     * The id part of a rebuilt response: {@value #ID_MARK} + the uuid of the entry that answered
     * ({@code <name>:entry:<uuid>}), or a fresh uuid when there is no entry. Adapters put the provider's own prefix in
     * front ({@code chatcmpl-}, {@code msg_}, ...).
     */
    public static String responseId(ComputeResult result) {
        String key = result.entryKey();
        return ID_MARK + (key == null ? UUID.randomUUID().toString() : key.substring(key.lastIndexOf(':') + 1));
    }

    private static void putIfPresent(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
