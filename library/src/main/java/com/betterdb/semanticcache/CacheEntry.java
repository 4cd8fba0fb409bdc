package com.betterdb.semanticcache;

import java.util.Map;

/**
 * An entry as {@link SemanticCache#entries} and {@link SemanticCache#similarEntries} return it: its key, its text
 * fields as stored (docs/data-format.md §3; never the embedding), and for a similarity search its cosine distance.
 *
 * @param key      the entry key, {@code {name}:entry:<id>}
 * @param distance cosine distance to the searched text (0..2); {@code NaN} for {@link SemanticCache#entries} pages
 * @param fields   the entry's text fields, e.g. {@code prompt}, {@code response}, {@code category}
 */
public record CacheEntry(String key, double distance, Map<String, String> fields) {

    public CacheEntry {
        fields = Map.copyOf(fields);
    }

    /** The stored response, or {@code ""}. */
    public String response() {
        return field("response");
    }

    /** The stored prompt text, or {@code ""}. */
    public String prompt() {
        return field("prompt");
    }

    /** The entry's category, or {@code ""}. */
    public String category() {
        return field("category");
    }

    /** The entry's model, or {@code ""}. */
    public String model() {
        return field("model");
    }

    /** A field's value, or {@code ""} when the entry has none. */
    public String field(String name) {
        String v = fields.get(name);
        return v == null ? "" : v;
    }
}
