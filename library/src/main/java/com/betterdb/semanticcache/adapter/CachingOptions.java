package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.prompt.BinaryNormalizer;
import com.betterdb.semanticcache.prompt.Normalizers;

import java.util.Objects;

/**
 * How a caching adapter (OpenAI and Anthropic clients, LangChain4j models, Spring AI advisor) uses the cache; the
 * same options in every adapter. Immutable; {@link #defaults()}: the cache's category and threshold rules, model and
 * system prompt part of the {@link RequestScope}, the default normalizer, fail-open.
 *
 * @param base              read-through options of every call (TTL, metadata, fail-open, coalescing, judge, ...)
 * @param category          the category of every call, on lookup and store ({@code ""} = {@code base}'s). A category
 *                          selects the per-category threshold and the metric label, as with {@code check}; it does
 *                          not isolate anything (the {@link RequestScope} does)
 * @param threshold         the lookup threshold (cosine distance 0..2), or {@code null} for {@code base}'s, else the
 *                          category's, else the cache's
 * @param matchSystemPrompt the system prompt is part of the scope (default {@code true}); off, requests with
 *                          different system prompts share answers
 * @param matchModel        the requested model is part of the scope (default {@code true}); off, requests for
 *                          different models share answers
 * @param normalizer        turns binary parts into refs (default {@link Normalizers#defaultNormalizer()})
 */
public record CachingOptions(GetOrComputeOptions base, String category, Double threshold, boolean matchSystemPrompt,
                             boolean matchModel, BinaryNormalizer normalizer) {

    private static final CachingOptions DEFAULTS = new CachingOptions(GetOrComputeOptions.defaults(), "", null, true,
            true, Normalizers.defaultNormalizer());

    public CachingOptions {
        base = base == null ? GetOrComputeOptions.defaults() : base;
        category = category == null ? "" : category;
        normalizer = normalizer == null ? Normalizers.defaultNormalizer() : normalizer;
        if (threshold != null && !(threshold >= 0 && threshold <= 2)) {
            throw new IllegalArgumentException("threshold must be within 0..2 (cosine distance), got " + threshold);
        }
    }

    public static CachingOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** These options with another category. */
    public CachingOptions withCategory(String category) {
        return toBuilder().category(category).build();
    }

    /** These options with another threshold. */
    public CachingOptions withThreshold(double threshold) {
        return toBuilder().threshold(threshold).build();
    }

    /** The read-through options of one call: {@link #base()} with the category and threshold set here. */
    public GetOrComputeOptions readThrough() {
        if (category.isEmpty() && threshold == null) {
            return base;
        }
        CheckOptions.Builder check = base.check().toBuilder();
        StoreOptions.Builder store = base.store().toBuilder();
        if (!category.isEmpty()) {
            check.category(category);
            store.category(category);
        }
        if (threshold != null) {
            check.threshold(threshold);
        }
        return base.toBuilder().check(check.build()).store(store.build()).build();
    }

    /** {@code scope} with what these options leave out of it (model, system prompt) removed. */
    public RequestScope scope(RequestScope scope) {
        RequestScope s = matchModel ? scope : scope.withoutModel();
        return matchSystemPrompt ? s : s.withoutSystem();
    }

    public static final class Builder {
        private GetOrComputeOptions base;
        private String category;
        private Double threshold;
        private boolean matchSystemPrompt;
        private boolean matchModel;
        private BinaryNormalizer normalizer;

        private Builder(CachingOptions o) {
            base = o.base;
            category = o.category;
            threshold = o.threshold;
            matchSystemPrompt = o.matchSystemPrompt;
            matchModel = o.matchModel;
            normalizer = o.normalizer;
        }

        public Builder base(GetOrComputeOptions base) {
            this.base = Objects.requireNonNull(base, "base");
            return this;
        }

        public Builder category(String category) {
            this.category = category;
            return this;
        }

        public Builder threshold(double threshold) {
            this.threshold = threshold;
            return this;
        }

        /** Back to {@code base}'s, the category's or the cache's threshold. */
        public Builder defaultThreshold() {
            this.threshold = null;
            return this;
        }

        public Builder matchSystemPrompt(boolean match) {
            this.matchSystemPrompt = match;
            return this;
        }

        public Builder matchModel(boolean match) {
            this.matchModel = match;
            return this;
        }

        public Builder normalizer(BinaryNormalizer normalizer) {
            this.normalizer = Objects.requireNonNull(normalizer, "normalizer");
            return this;
        }

        public CachingOptions build() {
            return new CachingOptions(base, category, threshold, matchSystemPrompt, matchModel, normalizer);
        }
    }
}
