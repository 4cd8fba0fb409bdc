package com.betterdb.semanticcache;

import reactor.core.publisher.Mono;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Built-in rerankers (docs/decision-rules.md §6). */
public final class Rerankers {

    /** Which candidate text the keyword overlap is computed against. */
    public enum Compare { PROMPT, RESPONSE }

    private static final String STRIP = ".,!?;:\"'()[]{}<>";

    private Rerankers() {
    }

    /** Keyword overlap against the stored prompt, cosine weight 0.7. */
    public static RerankOptions.RerankFn keywordOverlap() {
        return keywordOverlap(Compare.PROMPT, 0.7);
    }

    /**
     * Scores each candidate {@code cosineWeight * (1 - distance) + (1 - cosineWeight) * overlap}, where overlap is the
     * share of the query's tokens found in the candidate's prompt (or response); picks the highest score, the first
     * on ties, 0 for an empty list. Never rejects.
     *
     * @throws IllegalArgumentException when {@code cosineWeight} is outside [0, 1]
     */
    public static RerankOptions.RerankFn keywordOverlap(Compare compare, double cosineWeight) {
        if (!(cosineWeight >= 0 && cosineWeight <= 1)) {
            throw new IllegalArgumentException("cosineWeight must be in [0, 1], got " + cosineWeight);
        }
        Compare on = compare == null ? Compare.PROMPT : compare;
        return (query, candidates) -> Mono.fromSupplier(() -> pick(query, candidates, on, cosineWeight));
    }

    static int pick(String query, List<RerankOptions.Candidate> candidates, Compare on, double cosineWeight) {
        Set<String> queryTokens = tokens(query);
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < candidates.size(); i++) {
            RerankOptions.Candidate c = candidates.get(i);
            String text = on == Compare.RESPONSE ? c.response() : c.prompt();
            double overlap = 0;
            if (!queryTokens.isEmpty()) {
                Set<String> t = tokens(text == null ? "" : text);
                long shared = queryTokens.stream().filter(t::contains).count();
                overlap = (double) shared / queryTokens.size();
            }
            double score = cosineWeight * (1 - c.similarity()) + (1 - cosineWeight) * overlap;
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        return best;
    }

    /** Lower-case, split on whitespace, strip surrounding punctuation, drop empties. */
    static Set<String> tokens(String text) {
        Set<String> out = new HashSet<>();
        for (String raw : text.toLowerCase(Locale.ROOT).split("\\s+")) {
            int start = 0;
            int end = raw.length();
            while (start < end && STRIP.indexOf(raw.charAt(start)) >= 0) {
                start++;
            }
            while (end > start && STRIP.indexOf(raw.charAt(end - 1)) >= 0) {
                end--;
            }
            if (end > start) {
                out.add(raw.substring(start, end));
            }
        }
        return out;
    }
}
