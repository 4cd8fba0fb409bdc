package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.internal.Hashing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a caching chat wrapper matches besides the last user message, so that answers are never shared across
 * contexts that change them:
 * <ul>
 *   <li><b>the system prompt</b>: entries are stored under, and looked up only in, a category that carries a hash of
 *       the request's system text ({@code sys-<16 hex of SHA-256>}), after the caller's category and a colon when
 *       there is one: {@code faq:sys-3fa9c0d1e2b4a5c6}. A request without a system prompt has a scope of its own
 *       (the hash of no text), so it never shares answers with one that has a system prompt;</li>
 *   <li><b>the model</b>: the entry's {@code model} field is the model the request names, and lookups filter on it
 *       ({@code @model:{...}}). The model field stays a real model name, so cost tracking and
 *       {@code invalidateByModel} keep working.</li>
 * </ul>
 * Lookups filter on the (scoped) category: unlike a plain {@code check}, where a category only selects the threshold
 * and the metric label, a wrapper's category is a partition. With system-prompt matching off and no category, every
 * entry is a candidate.
 *
 * <p>A threshold configured for the caller's category ({@code threshold:<category>} in {@code {name}:__config} or
 * the options) still applies: it is resolved here and passed as the lookup's threshold, because the scoped category
 * differs from the configured one. A per-call threshold wins over it.
 *
 * <p>Each distinct system prompt is its own category, and so its own value of the {@code category} label of the
 * cache's metrics: keep system prompts to a bounded set (templates with per-user text in the system prompt create
 * one series per variant), or switch system-prompt matching off and pass a category per call.
 */
public final class MatchScope {

    /** Prefix of the system-prompt part of a scoped category. */
    public static final String SYSTEM_PREFIX = "sys-";

    private MatchScope() {
    }

    /**
     * {@code sys-} + the first 16 hex characters of SHA-256 over the non-empty system texts, each length-prefixed (so
     * that {@code ["a\nb"]} and {@code ["a", "b"]} differ). No system text (or only empty ones) has a hash too: the
     * scope of requests without a system prompt.
     */
    public static String systemHash(List<String> systemTexts) {
        StringBuilder sb = new StringBuilder();
        for (String t : systemTexts == null ? List.<String>of() : systemTexts) {
            if (t == null || t.isEmpty()) {
                continue;
            }
            sb.append(t.getBytes(StandardCharsets.UTF_8).length).append(':').append(t).append(';');
        }
        return SYSTEM_PREFIX + Hashing.sha256Hex(sb.toString()).substring(0, 16);
    }

    /** The caller's category combined with the system-prompt hash ({@code null} hash: the category as is). */
    public static String category(String category, String systemHash) {
        String c = category == null ? "" : category;
        if (systemHash == null) {
            return c;
        }
        return c.isEmpty() ? systemHash : c + ":" + systemHash;
    }

    /**
     * The read-through options of one call: {@code base} (TTL, metadata, fail-open, ...) with the scoped category
     * on lookup (as a filter too) and store, the model filter and stored model when {@code model} is known, and the
     * threshold: the per-call one, else the one configured for the caller's category, else none (the cache's
     * default).
     *
     * @param category   the caller's category ({@code ""} or {@code null} = none)
     * @param threshold  the per-call threshold, or {@code null}
     * @param model      the model the request names, or {@code null} (then no model filter)
     * @param systemHash {@link #systemHash}, or {@code null} when the system prompt is not matched
     */
    public static GetOrComputeOptions options(SemanticCache cache, GetOrComputeOptions base, String category,
                                              Double threshold, String model, String systemHash) {
        GetOrComputeOptions b = base == null ? GetOrComputeOptions.defaults() : base;
        String callerCategory = category == null || category.isEmpty() ? b.check().category() : category;
        String scoped = category(callerCategory, systemHash);
        Double t = threshold != null ? threshold : b.check().threshold();
        if (t == null && !callerCategory.isEmpty() && !scoped.equals(callerCategory)) {
            t = cache.currentConfig().categoryThresholds().get(callerCategory);
        }
        CheckOptions.Builder check = b.check().toBuilder().category(scoped);
        if (t != null) {
            check.threshold(t);
        }
        StoreOptions.Builder store = b.store().toBuilder().category(scoped);
        List<Filter> filters = new ArrayList<>(3);
        Filter user = b.check().filter();
        if (user != null && !(user instanceof Filter.All)) {
            filters.add(user);
        }
        if (!scoped.isEmpty()) {
            filters.add(Filter.category(scoped));
        }
        if (model != null && !model.isEmpty()) {
            filters.add(Filter.model(model));
            store.model(model);
        }
        if (!filters.isEmpty()) {
            check.filter(filters.size() == 1 ? filters.get(0) : Filter.and(filters.toArray(Filter[]::new)));
        }
        return b.toBuilder().check(check.build()).store(store.build()).build();
    }
}
