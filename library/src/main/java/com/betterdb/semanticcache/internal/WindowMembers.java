package com.betterdb.semanticcache.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Similarity-window members (docs/data-format.md §8) and miss-pending members (§9), written in the TypeScript form:
 * compact JSON, keys {@code score, result, category, _n, cost_saved_micros}, {@code _n} a random number in [0,1).
 */
public final class WindowMembers {

    private WindowMembers() {
    }

    public static String member(double score, boolean hit, String category, Long costSavedMicros) {
        StringBuilder sb = new StringBuilder(96)
                .append("{\"score\":").append(JsNumberFormat.format(score))
                .append(",\"result\":").append(hit ? "\"hit\"" : "\"miss\"")
                .append(",\"category\":").append(Json.quote(category == null ? "" : category))
                .append(",\"_n\":").append(JsNumberFormat.format(JsNumberFormat.random15(ThreadLocalRandom.current())))
                .append(",\"cost_saved_micros\":").append(costSavedMicros == null ? "null" : costSavedMicros.toString())
                .append('}');
        return sb.toString();
    }

    /** {@code {"correlationId":"<16 hex>","similarityMember":"<member>"}}. */
    public static String pending(String correlationId, String windowMember) {
        return "{\"correlationId\":" + Json.quote(correlationId) + ",\"similarityMember\":" + Json.quote(windowMember) + "}";
    }

    /** The correlation id of a pending member, or {@code null} when it is not one. */
    public static String pendingCorrelationId(String pendingMember) {
        JsonNode n = Json.tryParse(pendingMember);
        return n != null && n.path("correlationId").isTextual() ? n.get("correlationId").asText() : null;
    }

    /** The window member a pending member points at, or {@code null}. */
    public static String pendingWindowMember(String pendingMember) {
        JsonNode n = Json.tryParse(pendingMember);
        return n != null && n.path("similarityMember").isTextual() ? n.get("similarityMember").asText() : null;
    }

    /**
     * The member with {@code cost_saved_micros} replaced, members kept in their order (a missing key is appended
     * last, which is its place in the TypeScript form). {@code null} when the member is not a JSON object.
     */
    public static String withCost(String member, long costMicros) {
        JsonNode n = Json.tryParse(member);
        if (!(n instanceof ObjectNode obj)) {
            return null;
        }
        obj.put("cost_saved_micros", costMicros);
        return Json.write(obj);
    }
}
