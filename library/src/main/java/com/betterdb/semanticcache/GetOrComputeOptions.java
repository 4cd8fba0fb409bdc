package com.betterdb.semanticcache;

import java.time.Duration;
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
 * @param coalesce    join a concurrent computation of a prompt within the threshold instead of calling the LLM
 *                    again (when the cache's {@link SemanticCacheOptions.Coalescing} is enabled). Default {@code true}
 * @param joinTimeout how long a joined call waits for the computation it joined before it stops waiting and calls
 *                    the LLM itself; {@code null} (default) waits as long as that computation runs
 */
public record GetOrComputeOptions(CheckOptions check, StoreOptions store, boolean failOpen, boolean coalesce,
                                  Duration joinTimeout) {

    private static final GetOrComputeOptions DEFAULTS =
            new GetOrComputeOptions(CheckOptions.defaults(), StoreOptions.defaults(), true, true, null);

    public GetOrComputeOptions {
        check = check == null ? CheckOptions.defaults() : check;
        store = store == null ? StoreOptions.defaults() : store;
        if (joinTimeout != null && (joinTimeout.isNegative() || joinTimeout.isZero())) {
            throw new IllegalArgumentException("joinTimeout must be positive, got " + joinTimeout);
        }
    }

    public static GetOrComputeOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder().check(check).store(store).failOpen(failOpen).coalesce(coalesce);
        b.joinTimeout = joinTimeout;
        return b;
    }

    public static final class Builder {
        private CheckOptions check = CheckOptions.defaults();
        private StoreOptions store = StoreOptions.defaults();
        private boolean failOpen = true;
        private boolean coalesce = true;
        private Duration joinTimeout;

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

        public Builder coalesce(boolean coalesce) {
            this.coalesce = coalesce;
            return this;
        }

        public Builder joinTimeout(Duration joinTimeout) {
            this.joinTimeout = Objects.requireNonNull(joinTimeout, "joinTimeout");
            return this;
        }

        public GetOrComputeOptions build() {
            return new GetOrComputeOptions(check, store, failOpen, coalesce, joinTimeout);
        }
    }
}
