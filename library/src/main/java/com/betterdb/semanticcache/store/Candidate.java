package com.betterdb.semanticcache.store;

import java.util.Map;

/**
 * One KNN result row.
 *
 * @param key    the entry key
 * @param score  cosine distance (0..2), {@code NaN} when the server gave none or an unparsable one
 * @param fields the entry's text fields ({@code prompt}, {@code response}, {@code model}, {@code category},
 *               {@code cost_micros}, {@code content_blocks}, ...); never the embedding
 */
public record Candidate(String key, double score, Map<String, String> fields) {

    public Candidate {
        fields = Map.copyOf(fields);
    }

    public String field(String name) {
        return fields.get(name);
    }

    public String fieldOrEmpty(String name) {
        String v = fields.get(name);
        return v == null ? "" : v;
    }
}
