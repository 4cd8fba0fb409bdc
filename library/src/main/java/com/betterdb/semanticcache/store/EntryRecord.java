package com.betterdb.semanticcache.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A cache entry as written to its hash: every field in the exact encoding of docs/data-format.md §3 (the values are the
 * strings that go on the wire), plus the float32 vector bytes of the {@code embedding} field.
 *
 * @param fields    text fields in write order ({@code prompt}, {@code response}, {@code model}, {@code category},
 *                  {@code inserted_at}, {@code metadata}, then the optional ones)
 * @param embedding float32 little-endian vector bytes
 */
public record EntryRecord(Map<String, String> fields, byte[] embedding) {

    public static final String EMBEDDING_FIELD = "embedding";

    public EntryRecord {
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(embedding, "embedding");
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }
}
