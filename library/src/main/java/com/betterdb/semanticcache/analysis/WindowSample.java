package com.betterdb.semanticcache.analysis;

import java.util.Objects;

/**
 * One parsed member of the similarity window {@code {name}:__similarity_window} (docs/data-format.md §8).
 *
 * @param score            cosine distance the decision was about
 * @param hit              {@code true} for {@code "result":"hit"}, {@code false} for {@code "miss"}
 * @param category         the member's category, {@code ""} when none / not a string
 * @param costSavedMicros  TS-only {@code cost_saved_micros}; {@code null} when absent (PY) or null
 * @param timestampMs      the zset score: wall-clock ms when recorded
 */
public record WindowSample(double score, boolean hit, String category, Long costSavedMicros, double timestampMs) {

    public WindowSample {
        Objects.requireNonNull(category, "category");
    }

    /** {@code "hit"} or {@code "miss"}. */
    public String result() {
        return hit ? "hit" : "miss";
    }
}
