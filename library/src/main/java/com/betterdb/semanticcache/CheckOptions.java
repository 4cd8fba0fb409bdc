package com.betterdb.semanticcache;

import com.betterdb.semanticcache.filter.Filter;

/**
 * Per-lookup options. Immutable; {@link #defaults()} is the no-option lookup.
 *
 * @param threshold             per-call threshold (cosine distance 0..2), highest priority; {@code null} = none
 * @param category              category for the threshold lookup, metric label and window; {@code ""} = none
 * @param filter                extra pre-filter; {@code null} = none
 * @param k                     neighbours to fetch (ignored when rerank is set)
 * @param staleAfterModelChange evict hits whose stored model differs from {@code currentModel}
 * @param currentModel          the model now in use (needed for stale eviction)
 * @param rerank                rerank options, or {@code null}
 * @param judge                 judge options, or {@code null}
 */
public record CheckOptions(
        Double threshold,
        String category,
        Filter filter,
        int k,
        boolean staleAfterModelChange,
        String currentModel,
        RerankOptions rerank,
        JudgeOptions judge) {

    private static final CheckOptions DEFAULTS = new CheckOptions(null, "", null, 1, false, null, null, null);

    public CheckOptions {
        category = category == null ? "" : category;
        if (threshold != null && !(threshold >= 0 && threshold <= 2)) {
            throw new IllegalArgumentException("threshold must be within 0..2 (cosine distance), got " + threshold);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
    }

    public static CheckOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.threshold = threshold;
        b.category = category;
        b.filter = filter;
        b.k = k;
        b.staleAfterModelChange = staleAfterModelChange;
        b.currentModel = currentModel;
        b.rerank = rerank;
        b.judge = judge;
        return b;
    }

    /** {@code k} of the KNN query: rerank's k when reranking, else {@code k}. */
    public int effectiveK() {
        return rerank != null ? rerank.k() : k;
    }

    /** Stale eviction applies only with a non-empty current model. */
    public boolean checksStaleModel() {
        return staleAfterModelChange && currentModel != null && !currentModel.isEmpty();
    }

    public static final class Builder {
        private Double threshold;
        private String category = "";
        private Filter filter;
        private int k = 1;
        private boolean staleAfterModelChange;
        private String currentModel;
        private RerankOptions rerank;
        private JudgeOptions judge;

        private Builder() {
        }

        public Builder threshold(double threshold) {
            this.threshold = threshold;
            return this;
        }

        public Builder category(String category) {
            this.category = category;
            return this;
        }

        public Builder filter(Filter filter) {
            this.filter = filter;
            return this;
        }

        public Builder k(int k) {
            this.k = k;
            return this;
        }

        /** Evict hits stored with another model than {@code currentModel} (docs/decision-rules.md §7). */
        public Builder staleAfterModelChange(String currentModel) {
            this.staleAfterModelChange = true;
            this.currentModel = currentModel;
            return this;
        }

        public Builder rerank(RerankOptions rerank) {
            this.rerank = rerank;
            return this;
        }

        public Builder rerank(int k, RerankOptions.RerankFn fn) {
            return rerank(new RerankOptions(k, fn));
        }

        public Builder judge(JudgeOptions judge) {
            this.judge = judge;
            return this;
        }

        public Builder judge(JudgeOptions.JudgeFn fn) {
            return judge(JudgeOptions.of(fn));
        }

        public CheckOptions build() {
            return new CheckOptions(threshold, category, filter, k, staleAfterModelChange, currentModel, rerank, judge);
        }
    }
}
