package com.betterdb.semanticcache.discovery;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.betterdb.semanticcache.internal.JsNumberFormat;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Discovery marker JSON and helpers (docs/decision-rules.md §15, docs/data-format.md §11). Output is byte-identical
 * to the TS {@code JSON.stringify} of the marker.
 */
public final class DiscoveryMarker {

    public static final String REGISTRY_KEY = "__betterdb:caches";
    public static final String PROTOCOL_KEY = "__betterdb:protocol";
    public static final String HEARTBEAT_KEY_PREFIX = "__betterdb:heartbeat:";
    public static final int PROTOCOL_VERSION = 1;
    /** Value written with {@code SET __betterdb:protocol 1 NX}. */
    public static final String PROTOCOL_VALUE = "1";
    public static final long HEARTBEAT_TTL_SECONDS = 60;
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 30_000;
    public static final String CACHE_TYPE = "semantic_cache";
    public static final List<String> CAPABILITIES =
            List.of("invalidate", "similarity_distribution", "threshold_adjust");

    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private DiscoveryMarker() {
    }

    /** {@code __betterdb:heartbeat:{name}}. */
    public static String heartbeatKey(String name) {
        return HEARTBEAT_KEY_PREFIX + name;
    }

    /**
     * Builds the compact marker JSON, members in docs/data-format.md §11.1 order.
     * {@code category_thresholds} is included only when {@code includeCategories} and the map is
     * non-empty; its keys follow JS object order (array-index keys ascending first, then insertion order).
     */
    public static String build(String name, String version, double defaultThreshold, double uncertaintyBand,
            Map<String, Double> categoryThresholds, boolean includeCategories, Instant startedAt, long pid,
            String hostname) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(hostname, "hostname");
        StringBuilder sb = new StringBuilder(384);
        sb.append('{');
        member(sb, "type").append(quote(CACHE_TYPE)).append(',');
        member(sb, "prefix").append(quote(name)).append(',');
        member(sb, "version").append(quote(version)).append(',');
        member(sb, "protocol_version").append(PROTOCOL_VERSION).append(',');
        member(sb, "capabilities").append('[');
        for (int i = 0; i < CAPABILITIES.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(quote(CAPABILITIES.get(i)));
        }
        sb.append("],");
        member(sb, "index_name").append(quote(name + ":idx")).append(',');
        member(sb, "stats_key").append(quote(name + ":__stats")).append(',');
        member(sb, "config_key").append(quote(name + ":__config")).append(',');
        member(sb, "default_threshold").append(jsonNumber(defaultThreshold)).append(',');
        member(sb, "uncertainty_band").append(jsonNumber(uncertaintyBand)).append(',');
        member(sb, "started_at").append(quote(isoMillis(startedAt))).append(',');
        member(sb, "pid").append(pid).append(',');
        member(sb, "hostname").append(quote(hostname));
        if (includeCategories && categoryThresholds != null && !categoryThresholds.isEmpty()) {
            sb.append(',');
            member(sb, "category_thresholds").append('{');
            boolean first = true;
            for (String key : jsKeyOrder(categoryThresholds.keySet())) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                member(sb, key).append(jsonNumber(categoryThresholds.get(key)));
            }
            sb.append('}');
        }
        sb.append('}');
        return sb.toString();
    }

    /** Heartbeat value: {@code new Date().toISOString()} form, e.g. {@code 2026-08-21T20:03:17.123Z}. */
    public static String heartbeatValue(Instant now) {
        return isoMillis(now);
    }

    /**
     * JS {@code Date.prototype.toISOString()}: UTC, millisecond precision (truncated), {@code Z};
     * years outside 0000–9999 as a signed 6-digit year.
     */
    public static String isoMillis(Instant instant) {
        Instant t = instant.truncatedTo(ChronoUnit.MILLIS);
        LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC);
        int y = d.getYear();
        String year = y >= 0 && y <= 9999 ? String.format("%04d", y)
                : (y < 0 ? "-" : "+") + String.format("%06d", Math.abs(y));
        return String.format("%s-%02d-%02dT%02d:%02d:%02d.%03dZ", year, d.getMonthValue(), d.getDayOfMonth(),
                d.getHour(), d.getMinute(), d.getSecond(), t.getNano() / 1_000_000);
    }

    /**
     * Inspects the existing registry value (TS {@code checkCollision} semantics; accepts PY-written
     * markers too). Type and version are compared by JS truthiness: a missing, null, empty,
     * {@code false} or {@code 0} type means "no type".
     */
    public static CollisionCheck inspect(String existingMarkerOrNull, String thisVersion) {
        if (existingMarkerOrNull == null) {
            return new CollisionCheck(CollisionCheck.Kind.NONE, null, null, thisVersion);
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(existingMarkerOrNull);
        } catch (Exception | StackOverflowError e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            return new CollisionCheck(CollisionCheck.Kind.NONE, null, null, thisVersion);
        }
        JsonNode type = node.get("type");
        JsonNode version = node.get("version");
        String versionStr = truthy(version) ? jsString(version) : null;
        if (!truthy(type)) {
            return new CollisionCheck(CollisionCheck.Kind.NONE, null, versionStr, thisVersion);
        }
        String typeStr = jsString(type);
        if (!(type.isTextual() && CACHE_TYPE.equals(type.textValue()))) {
            return new CollisionCheck(CollisionCheck.Kind.COLLISION, typeStr, versionStr, thisVersion);
        }
        boolean differs = truthy(version) && !(version.isTextual() && version.textValue().equals(thisVersion));
        return new CollisionCheck(differs ? CollisionCheck.Kind.SAME_TYPE_OTHER_VERSION
                : CollisionCheck.Kind.SAME_TYPE_SAME_VERSION, typeStr, versionStr, thisVersion);
    }

    // ---------------------------------------------------------------------------------------------

    private static boolean truthy(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return false;
        }
        if (n.isTextual()) {
            return !n.textValue().isEmpty();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isNumber()) {
            double d = n.doubleValue();
            return d != 0 && !Double.isNaN(d);
        }
        return true; // objects and arrays
    }

    /** JS {@code String(value)} for a parsed JSON value. */
    private static String jsString(JsonNode n) {
        if (n == null || n.isNull()) {
            return "null";
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isNumber()) {
            return JsNumberFormat.format(n.doubleValue());
        }
        if (n.isBoolean()) {
            return Boolean.toString(n.booleanValue());
        }
        if (n.isArray()) {
            StringBuilder sb = new StringBuilder();
            Iterator<JsonNode> it = n.elements();
            boolean first = true;
            while (it.hasNext()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                JsonNode e = it.next();
                if (e != null && !e.isNull()) {
                    sb.append(jsString(e));
                }
            }
            return sb.toString();
        }
        return "[object Object]";
    }

    private static StringBuilder member(StringBuilder sb, String name) {
        return sb.append(quote(name)).append(':');
    }

    /** {@code JSON.stringify} of a number: non-finite → {@code null}. */
    static String jsonNumber(Double d) {
        if (d == null || !Double.isFinite(d)) {
            return "null";
        }
        return JsNumberFormat.format(d);
    }

    /** {@code JSON.stringify} of a string (ES2019 well-formed: lone surrogates escaped). */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                            sb.append(c).append(s.charAt(++i));
                        } else {
                            sb.append(String.format("\\u%04x", (int) c));
                        }
                    } else if (Character.isLowSurrogate(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    /** JS own-property order: array-index keys ascending, then the rest in insertion order. */
    static List<String> jsKeyOrder(Iterable<String> keys) {
        List<String> indices = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (String k : keys) {
            (isArrayIndex(k) ? indices : others).add(k);
        }
        indices.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
        indices.addAll(others);
        return indices;
    }

    private static boolean isArrayIndex(String k) {
        if (k.isEmpty() || k.length() > 10) {
            return false;
        }
        if (k.length() > 1 && k.charAt(0) == '0') {
            return false;
        }
        for (int i = 0; i < k.length(); i++) {
            char c = k.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return Long.parseLong(k) <= 4_294_967_294L;
    }
}
