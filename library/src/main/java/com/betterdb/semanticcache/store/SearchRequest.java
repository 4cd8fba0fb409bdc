package com.betterdb.semanticcache.store;

import com.betterdb.semanticcache.filter.Filter;

import java.util.Objects;

/** One search of a batch: the query vector, how many neighbours, and the pre-filter. */
public record SearchRequest(float[] vector, int k, Filter filter) {
    public SearchRequest {
        Objects.requireNonNull(vector, "vector");
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        filter = filter == null ? Filter.all() : filter;
    }
}
