package com.betterdb.semanticcache;

import com.betterdb.semanticcache.filter.Filter;

import java.util.Objects;

/**
 * A lookup's result with what the cache computed to decide it: the query vector and the rule in force. Callers that
 * match lookups against each other, for instance to let a miss wait for the answer to a close prompt already sent to
 * the LLM, use these instead of embedding the prompt a second time.
 *
 * @param result       the lookup's result, as {@code check} / {@code checkAll} return it
 * @param vector       the query vector the cache searched with, or {@code null} when the element failed before it
 *                     had one (an embedding error). The cache keeps no reference to it
 * @param threshold    the cosine-distance threshold the lookup was decided with (the request's, its category's or
 *                     the cache's default)
 * @param category     the lookup's category ({@code ""} for none)
 * @param filter       the filter the search ran with (the request's, plus the prompt's binary references)
 * @param joinDistance the largest distance to another prompt at which that prompt's answer may serve this one: the
 *                     threshold; with a judge, only the distances the cache would serve without asking it (below
 *                     {@code threshold - uncertaintyBand})
 */
public record CheckDetail(CacheResult result, float[] vector, double threshold, String category, Filter filter,
                          double joinDistance) {

    public CheckDetail {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(filter, "filter");
    }

    /**
     * Cosine distance {@code 1 - cos} between the query vectors of the two lookups, as the index scores candidates;
     * {@link Double#POSITIVE_INFINITY} when either has no vector, the dimensions differ or a vector is all zeros.
     */
    public double distanceTo(CheckDetail other) {
        if (vector == null || other.vector == null) {
            return Double.POSITIVE_INFINITY;
        }
        return InFlightRegistry.distance(vector, InFlightRegistry.norm(vector), other.vector,
                InFlightRegistry.norm(other.vector));
    }

    /** Whether the two lookups searched the same part of the cache: same category and same filter. */
    public boolean sameScope(CheckDetail other) {
        return category.equals(other.category) && filter.toQuery().equals(other.filter.toQuery());
    }
}
