package com.betterdb.semanticcache.store;

import java.util.List;

/** The result of one search in a batch: candidates, or the error of that search alone. */
public record SearchOutcome(List<Candidate> candidates, Throwable error) {

    public static SearchOutcome ok(List<Candidate> candidates) {
        return new SearchOutcome(candidates, null);
    }

    public static SearchOutcome failed(Throwable error) {
        return new SearchOutcome(List.of(), error);
    }
}
