package com.betterdb.semanticcache.langgraph4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The item JSON stored in an entry's {@code response} field (docs/adapters.md, "LangGraph4j: semantic memory
 * store"). Written in the TypeScript form, compact with camelCase timestamps:
 * {@code {"namespace":[...],"key":"...","value":{...},"createdAt":"...","updatedAt":"..."}}. Read in both forms:
 * Python writes {@code created_at}/{@code updated_at} and spaced separators.
 */
final class ItemJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ItemJson() {
    }

    static String write(Item item) {
        ObjectNode root = JSON.createObjectNode();
        root.set("namespace", JSON.valueToTree(item.namespace()));
        root.put("key", item.key());
        root.set("value", JSON.valueToTree(item.value()));
        root.put("createdAt", item.createdAt());
        root.put("updatedAt", item.updatedAt());
        return toJson(root);
    }

    /** The value as text to embed: compact JSON, members in the value's order (TypeScript's JSON.stringify). */
    static String compact(Map<String, Object> value) {
        return toJson(JSON.valueToTree(value));
    }

    /** The item of a stored response, or empty when it is not an item (not JSON, no string key). */
    static Optional<Item> read(String response, List<String> fallbackNamespace) {
        if (response == null || response.isEmpty()) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = JSON.readTree(response);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        if (root == null || !root.isObject() || !root.path("key").isTextual()) {
            return Optional.empty();
        }
        List<String> namespace = new ArrayList<>();
        if (root.path("namespace").isArray()) {
            root.path("namespace").forEach(n -> namespace.add(n.asText()));
        } else {
            namespace.addAll(fallbackNamespace);
        }
        Map<String, Object> value = root.path("value").isObject()
                ? JSON.convertValue(root.get("value"), JSON.getTypeFactory().constructMapType(LinkedHashMap.class,
                String.class, Object.class))
                : Map.of();
        return Optional.of(new Item(namespace, root.get("key").asText(), value, text(root, "createdAt", "created_at"),
                text(root, "updatedAt", "updated_at")));
    }

    /** The item key of a stored response, without building the item; empty when none. */
    static Optional<String> key(String response) {
        return read(response, List.of()).map(Item::key);
    }

    private static String text(JsonNode root, String camel, String snake) {
        JsonNode n = root.has(camel) ? root.get(camel) : root.get(snake);
        return n == null || n.isNull() ? "" : n.asText();
    }

    private static String toJson(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("value is not serialisable as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
