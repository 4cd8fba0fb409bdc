package com.betterdb.semanticcache;

import java.util.Objects;

/**
 * Options of {@link SemanticCache#getOrCompute}. Immutable; {@link #defaults()} looks up and stores with no options
 * and fails open.
 *
 * @param check    options of the lookup (threshold, category, filter, judge, ...)
 * @param store    options of the store after a computation (TTL, metadata, ...). Its category defaults to the
 *                 lookup's, and the answer's model and token counts, when present, take precedence over its own
 * @param failOpen when the cache fails (Valkey unreachable, index missing, embedding service down), answer from the
 *                 LLM anyway and report the failure in {@link ComputeResult#cacheError()} and the
 *                 {@code fail_open_total} counter instead of failing the call. Usage errors
 *                 ({@link SemanticCacheUsageError}, e.g. a lookup before {@code initialize()}) are never
 *                 swallowed. Default {@code true}: a cache should not make an LLM call fail
 */
public record GetOrComputeOptions(CheckOptions check, StoreOptions store, boolean failOpen) {

    private static final GetOrComputeOptions DEFAULTS =
            new GetOrComputeOptions(CheckOptions.defaults(), StoreOptions.defaults(), true);

    public GetOrComputeOptions {
        check = check == null ? CheckOptions.defaults() : check;
        store = store == null ? StoreOptions.defaults() : store;
    }

    public static GetOrComputeOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().check(check).store(store).failOpen(failOpen);
    }

    public static final class Builder {
        private CheckOptions check = CheckOptions.defaults();
        private StoreOptions store = StoreOptions.defaults();
        private boolean failOpen = true;

        private Builder() {
        }

        public Builder check(CheckOptions check) {
            this.check = Objects.requireNonNull(check, "check");
            return this;
        }

        public Builder store(StoreOptions store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Shortcut: the category of both the lookup and the store. */
        public Builder category(String category) {
            this.check = check.toBuilder().category(category).build();
            this.store = store.toBuilder().category(category).build();
            return this;
        }

        /** Shortcut: the lookup's threshold (cosine distance 0..2). */
        public Builder threshold(double threshold) {
            this.check = check.toBuilder().threshold(threshold).build();
            return this;
        }

        public Builder failOpen(boolean failOpen) {
            this.failOpen = failOpen;
            return this;
        }

        public GetOrComputeOptions build() {
            return new GetOrComputeOptions(check, store, failOpen);
        }
    }
}
