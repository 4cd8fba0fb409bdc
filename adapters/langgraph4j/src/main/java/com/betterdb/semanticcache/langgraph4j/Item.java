package com.betterdb.semanticcache.langgraph4j;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A memory item: LangGraph's {@code Item} as BetterDB's Python and TypeScript stores keep it (docs/adapters.md,
 * "LangGraph4j: semantic memory store").
 *
 * @param namespace the namespace path, e.g. {@code ["user", "alice", "memories"]}
 * @param key       the item's key within the namespace
 * @param value     the stored value (JSON object)
 * @param createdAt creation time as written ({@code 2026-08-21T20:03:17.123Z} by this store and TypeScript,
 *                  {@code 2026-08-21T20:03:17Z} by Python); {@code ""} when absent
 * @param updatedAt last update time, same forms
 */
public record Item(List<String> namespace, String key, Map<String, Object> value, String createdAt,
                   String updatedAt) {

    public Item {
        namespace = List.copyOf(namespace);
        Objects.requireNonNull(key, "key");
        value = value == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(value));
        createdAt = createdAt == null ? "" : createdAt;
        updatedAt = updatedAt == null ? "" : updatedAt;
    }
}
