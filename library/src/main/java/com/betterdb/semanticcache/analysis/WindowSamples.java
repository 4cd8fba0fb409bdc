package com.betterdb.semanticcache.analysis;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Parsing of similarity-window members written by either implementation (docs/data-format.md
 * §8, docs/compatibility.md §2). Accepts the TS form ({@code {"score":0.05,"result":"miss","category":"","_n":0.84,
 * "cost_saved_micros":null}}) and the PY form ({@code ", "} separators, {@code _n} a UUID string, no
 * {@code cost_saved_micros}). Never throws.
 */
public final class WindowSamples {

    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private WindowSamples() {
    }

    /**
     * Parses one member. Valid only if it is a JSON object whose {@code score} is a JSON number and
     * whose {@code result} is {@code "hit"} or {@code "miss"} (docs/decision-rules.md §16).
     *
     * @param memberJson the zset member text (may be {@code null})
     * @param zsetScore  the member's zset score (ms timestamp)
     * @return the sample, or empty when the member is not a valid sample
     */
    public static Optional<WindowSample> parse(String memberJson, double zsetScore) {
        JsonNode node = readObject(memberJson);
        if (node == null) {
            return Optional.empty();
        }
        JsonNode score = node.get("score");
        if (score == null || !score.isNumber()) {
            return Optional.empty();
        }
        JsonNode result = node.get("result");
        if (result == null || !result.isTextual()) {
            return Optional.empty();
        }
        boolean hit;
        if ("hit".equals(result.textValue())) {
            hit = true;
        } else if ("miss".equals(result.textValue())) {
            hit = false;
        } else {
            return Optional.empty();
        }
        JsonNode cat = node.get("category");
        String category = cat != null && cat.isTextual() ? cat.textValue() : "";
        return Optional.of(new WindowSample(score.doubleValue(), hit, category,
                costOf(node.get("cost_saved_micros")), zsetScore));
    }

    /**
     * TS {@code thresholdEffectivenessAll} category collection: distinct non-empty string
     * {@code category} values of every member that parses as a JSON object (valid sample or not),
     * in the given order (oldest first for {@code ZRANGE 0 -1}). Non-string categories are skipped
     * (the TS would also collect truthy non-strings, which this API cannot represent).
     */
    public static List<String> categoriesOfMembers(List<String> memberJsons) {
        Set<String> seen = new LinkedHashSet<>();
        if (memberJsons != null) {
            for (String m : memberJsons) {
                JsonNode node = readObject(m);
                if (node == null) {
                    continue;
                }
                JsonNode cat = node.get("category");
                if (cat != null && cat.isTextual() && !cat.textValue().isEmpty()) {
                    seen.add(cat.textValue());
                }
            }
        }
        return List.copyOf(new ArrayList<>(seen));
    }

    private static JsonNode readObject(String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode node = MAPPER.readTree(json);
            return node != null && node.isObject() ? node : null;
        } catch (Exception | StackOverflowError e) {
            return null;
        }
    }

    private static Long costOf(JsonNode cost) {
        if (cost == null || !cost.isNumber()) {
            return null;
        }
        if (cost.isIntegralNumber()) {
            return cost.canConvertToLong() ? cost.longValue() : null;
        }
        double d = cost.doubleValue();
        if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 0x1p63) {
            return (long) d;
        }
        return null;
    }
}
