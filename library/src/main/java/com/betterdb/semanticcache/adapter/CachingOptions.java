package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.prompt.BinaryNormalizer;
import com.betterdb.semanticcache.prompt.Normalizers;

import java.util.List;
import java.util.Objects;

/**
 * How a caching chat wrapper (LangChain4j model decorator, Spring AI advisor, ...) uses the cache. Immutable;
 * {@link #defaults()}: no category, the cache's threshold, system prompt and model matched, the default normalizer,
 * fail-open.
 *
 * @param base              read-through options for every call (TTL, metadata, fail-open, judge, ...); category,
 *                          threshold and model are set from the fields below and the request
 * @param category          the category of every call ({@code ""} = none); see {@link MatchScope} for how the system
 *                          prompt is added to it
 * @param threshold         the lookup threshold (cosine distance 0..2), or {@code null} for the category's / the
 *                          cache's
 * @param matchSystemPrompt scope answers by the request's system prompt (default {@code true})
 * @param matchModel        scope answers by the request's model (default {@code true})
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

    /**
     * The read-through options of one call for a request naming {@code model} (may be {@code null}) with these system
     * texts: {@link MatchScope#options} with this configuration's category, threshold and matching switches.
     */
    public GetOrComputeOptions forCall(SemanticCache cache, String model, List<String> systemTexts) {
        String systemHash = matchSystemPrompt ? MatchScope.systemHash(systemTexts) : null;
        return MatchScope.options(cache, base, category, threshold, matchModel ? model : null, systemHash);
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

        /** Back to the category's or the cache's threshold. */
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
