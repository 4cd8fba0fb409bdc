package com.betterdb.semanticcache.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiscoveryMarkerTest {

    private static final Instant STARTED = Instant.parse("2026-08-21T20:03:17.123Z");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void markerByteExactAgainstTsExample() {
        // data-format §11.1 TS example
        String expected = "{\"type\":\"semantic_cache\",\"prefix\":\"betterdb_scache\",\"version\":\"0.12.0\",\"protocol_version\":1,"
                + "\"capabilities\":[\"invalidate\",\"similarity_distribution\",\"threshold_adjust\"],"
                + "\"index_name\":\"betterdb_scache:idx\",\"stats_key\":\"betterdb_scache:__stats\","
                + "\"config_key\":\"betterdb_scache:__config\",\"default_threshold\":0.1,\"uncertainty_band\":0.05,"
                + "\"started_at\":\"2026-08-21T20:03:17.123Z\",\"pid\":4242,\"hostname\":\"api-7f9c\",\"category_thresholds\":{\"faq\":0.08}}";
        String actual = DiscoveryMarker.build("betterdb_scache", "0.12.0", 0.1, 0.05, Map.of("faq", 0.08), true,
                STARTED, 4242, "api-7f9c");
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void disc01_capabilitiesInOrder() throws Exception {
        JsonNode m = MAPPER.readTree(build("foo", Map.of(), true));
        List<String> caps = new ArrayList<>();
        m.get("capabilities").forEach(n -> caps.add(n.textValue()));
        assertThat(caps).containsExactly("invalidate", "similarity_distribution", "threshold_adjust");
    }

    @Test
    void disc02_derivedKeys() throws Exception {
        JsonNode m = MAPPER.readTree(build("faq-cache", Map.of(), true));
        assertThat(m.get("index_name").textValue()).isEqualTo("faq-cache:idx");
        assertThat(m.get("stats_key").textValue()).isEqualTo("faq-cache:__stats");
        assertThat(m.get("config_key").textValue()).isEqualTo("faq-cache:__config");
        assertThat(m.get("prefix").textValue()).isEqualTo("faq-cache");
    }

    @Test
    void disc03_categoryThresholdsOmitted() throws Exception {
        assertThat(MAPPER.readTree(build("foo", Map.of("faq", 0.08), false)).has("category_thresholds")).isFalse();
        assertThat(MAPPER.readTree(build("foo", Map.of(), true)).has("category_thresholds")).isFalse();
        assertThat(MAPPER.readTree(build("foo", null, true)).has("category_thresholds")).isFalse();
        assertThat(build("foo", Map.of(), true)).endsWith("\"hostname\":\"host\"}");
    }

    @Test
    void disc04_categoryThresholdsMap() {
        Map<String, Double> cats = new LinkedHashMap<>();
        cats.put("faq", 0.08);
        cats.put("support", 0.12);
        assertThat(build("foo", cats, true)).endsWith(",\"category_thresholds\":{\"faq\":0.08,\"support\":0.12}}");
    }

    @Test
    void categoryKeysFollowJsObjectOrder() {
        Map<String, Double> cats = new LinkedHashMap<>();
        cats.put("faq", 0.08);
        cats.put("10", 0.1);
        cats.put("2", 0.2);
        cats.put("01", 0.3);
        assertThat(build("foo", cats, true))
                .endsWith(",\"category_thresholds\":{\"2\":0.2,\"10\":0.1,\"faq\":0.08,\"01\":0.3}}");
    }

    @Test
    void disc05_disc06_fixedMembers() throws Exception {
        JsonNode m = MAPPER.readTree(DiscoveryMarker.build("foo", "0.12.0", 1.0, 0.05, Map.of(), true, STARTED,
                ProcessHandle.current().pid(), "myhost"));
        assertThat(m.get("type").textValue()).isEqualTo("semantic_cache");
        assertThat(m.get("prefix").textValue()).isEqualTo("foo");
        assertThat(m.get("protocol_version").intValue()).isEqualTo(1);
        assertThat(m.get("pid").longValue()).isEqualTo(ProcessHandle.current().pid());
        assertThat(m.get("hostname").textValue()).isEqualTo("myhost");
        assertThat(OffsetDateTime.parse(m.get("started_at").textValue()).toInstant()).isEqualTo(STARTED);
        List<String> names = new ArrayList<>();
        m.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("type", "prefix", "version", "protocol_version", "capabilities",
                "index_name", "stats_key", "config_key", "default_threshold", "uncertainty_band", "started_at",
                "pid", "hostname");
    }

    @Test
    void numbersRenderedLikeJavaScript() {
        String json = DiscoveryMarker.build("foo", "v", 1.0, 1e-7, Map.of("a", 0.0), true, STARTED, 1, "h");
        assertThat(json).contains("\"default_threshold\":1,\"uncertainty_band\":1e-7,")
                .contains("\"category_thresholds\":{\"a\":0}");
        assertThat(DiscoveryMarker.build("foo", "v", Double.NaN, 0.05, Map.of(), true, STARTED, 1, "h"))
                .contains("\"default_threshold\":null,");
    }

    @Test
    void stringsEscapedLikeJsonStringify() throws Exception {
        String json = DiscoveryMarker.build("a\"b\\c\n\u0001é", "v", 0.1, 0.05, Map.of(), true, STARTED, 1, "h\ud800");
        assertThat(json).contains("\"prefix\":\"a\\\"b\\\\c\\n\\u0001é\"");
        assertThat(json).contains("\"hostname\":\"h\\ud800\"");
        assertThat(MAPPER.readTree(json).get("prefix").textValue()).isEqualTo("a\"b\\c\n\u0001é");
    }

    @Test
    void heartbeatValueIsIsoMillisZ() {
        assertThat(DiscoveryMarker.heartbeatValue(Instant.parse("2026-08-21T20:03:17.123456789Z")))
                .isEqualTo("2026-08-21T20:03:17.123Z");
        assertThat(DiscoveryMarker.heartbeatValue(Instant.parse("2026-01-02T03:04:05Z")))
                .isEqualTo("2026-01-02T03:04:05.000Z");
        assertThat(DiscoveryMarker.heartbeatValue(Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00.000Z");
        assertThat(DiscoveryMarker.heartbeatKey("foo")).isEqualTo("__betterdb:heartbeat:foo");
    }

    // ---- collision inspection ----

    @Test
    void inspectAbsentOrUnparsable() {
        assertThat(DiscoveryMarker.inspect(null, "0.12.0").kind()).isEqualTo(CollisionCheck.Kind.NONE);
        assertThat(DiscoveryMarker.inspect("not json", "0.12.0").kind()).isEqualTo(CollisionCheck.Kind.NONE);
        assertThat(DiscoveryMarker.inspect("[1,2]", "0.12.0").kind()).isEqualTo(CollisionCheck.Kind.NONE);
        assertThat(DiscoveryMarker.inspect("null", "0.12.0").kind()).isEqualTo(CollisionCheck.Kind.NONE);
        assertThat(DiscoveryMarker.inspect("{}", "0.12.0").kind()).isEqualTo(CollisionCheck.Kind.NONE);
        assertThat(DiscoveryMarker.inspect("{\"type\":\"\"}", "0.12.0").kind()).isEqualTo(CollisionCheck.Kind.NONE);
        assertThat(DiscoveryMarker.inspect("{\"type\":null,\"version\":\"0.1\"}", "0.12.0").kind())
                .isEqualTo(CollisionCheck.Kind.NONE);
        assertThat(DiscoveryMarker.inspect("", "0.12.0").kind()).isEqualTo(CollisionCheck.Kind.NONE);
    }

    @Test
    void inspectSameTypeSameVersion() {
        String own = DiscoveryMarker.build("foo", "0.12.0", 0.1, 0.05, Map.of(), true, STARTED, 1, "h");
        CollisionCheck c = DiscoveryMarker.inspect(own, "0.12.0");
        assertThat(c.kind()).isEqualTo(CollisionCheck.Kind.SAME_TYPE_SAME_VERSION);
        assertThat(c.warningMessage("foo")).isEmpty();
        assertThat(c.collisionMessage("foo")).isEmpty();
        // empty version -> no warning
        assertThat(DiscoveryMarker.inspect("{\"type\":\"semantic_cache\",\"version\":\"\"}", "0.12.0").kind())
                .isEqualTo(CollisionCheck.Kind.SAME_TYPE_SAME_VERSION);
        assertThat(DiscoveryMarker.inspect("{\"type\":\"semantic_cache\"}", "0.12.0").kind())
                .isEqualTo(CollisionCheck.Kind.SAME_TYPE_SAME_VERSION);
    }

    @Test
    void disc08_sameTypeOtherVersionWarns() {
        CollisionCheck c = DiscoveryMarker.inspect("{\"type\":\"semantic_cache\",\"version\":\"0.1.99\"}", "0.2.0");
        assertThat(c.kind()).isEqualTo(CollisionCheck.Kind.SAME_TYPE_OTHER_VERSION);
        assertThat(c.existingVersion()).isEqualTo("0.1.99");
        assertThat(c.warningMessage("foo")).contains(
                "discovery: overwriting marker for 'foo' (existing version 0.1.99, this version 0.2.0)");
        assertThat(c.warningMessage("foo").get()).contains("overwriting marker");
        c.throwIfCollision("foo"); // does not throw
    }

    @Test
    void pyFormMarkerInspected() {
        // data-format §0 rows 5, 6, 8: ", " separators, µs +00:00 timestamps, PY version 0.10.0
        String py = "{\"type\": \"semantic_cache\", \"prefix\": \"foo\", \"version\": \"0.10.0\", \"protocol_version\": 1, "
                + "\"capabilities\": [\"invalidate\", \"similarity_distribution\", \"threshold_adjust\"], "
                + "\"index_name\": \"foo:idx\", \"stats_key\": \"foo:__stats\", \"config_key\": \"foo:__config\", "
                + "\"default_threshold\": 0.1, \"uncertainty_band\": 0.05, "
                + "\"started_at\": \"2026-08-21T20:03:17.123456+00:00\", \"pid\": 77, \"hostname\": \"caf\\u00e9\", "
                + "\"category_thresholds\": {\"faq\": 0.08}}";
        CollisionCheck c = DiscoveryMarker.inspect(py, "0.12.0");
        assertThat(c.kind()).isEqualTo(CollisionCheck.Kind.SAME_TYPE_OTHER_VERSION);
        assertThat(c.warningMessage("foo")).contains(
                "discovery: overwriting marker for 'foo' (existing version 0.10.0, this version 0.12.0)");
        assertThat(DiscoveryMarker.inspect(py, "0.10.0").kind()).isEqualTo(CollisionCheck.Kind.SAME_TYPE_SAME_VERSION);
        // and the PY started_at parses as ISO-8601
        assertThat(OffsetDateTime.parse("2026-08-21T20:03:17.123456+00:00").toInstant())
                .isEqualTo(Instant.parse("2026-08-21T20:03:17.123456Z"));
    }

    @Test
    void disc07_otherTypeCollides() {
        CollisionCheck c = DiscoveryMarker.inspect("{\"type\":\"agent_cache\",\"version\":\"1.0.0\"}", "0.12.0");
        assertThat(c.kind()).isEqualTo(CollisionCheck.Kind.COLLISION);
        assertThat(c.existingType()).isEqualTo("agent_cache");
        assertThat(c.collisionMessage("foo")).contains(
                "cache name collision: 'foo' is already registered as type 'agent_cache' on this Valkey instance");
        assertThat(c.warningMessage("foo")).isEmpty();
        assertThatThrownBy(() -> c.throwIfCollision("foo"))
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessage("cache name collision: 'foo' is already registered as type 'agent_cache' on this Valkey instance")
                .hasMessageContaining("agent_cache");
        // PY-form other type
        assertThat(DiscoveryMarker.inspect("{\"type\": \"agent_cache\", \"prefix\": \"foo\"}", "0.12.0").kind())
                .isEqualTo(CollisionCheck.Kind.COLLISION);
    }

    @Test
    void nonStringTruthyTypeCollidesLikeJs() {
        CollisionCheck c = DiscoveryMarker.inspect("{\"type\":5}", "0.12.0");
        assertThat(c.kind()).isEqualTo(CollisionCheck.Kind.COLLISION);
        assertThat(c.collisionMessage("x")).contains(
                "cache name collision: 'x' is already registered as type '5' on this Valkey instance");
        assertThat(DiscoveryMarker.inspect("{\"type\":0}", "0.12.0").kind()).isEqualTo(CollisionCheck.Kind.NONE);
        assertThat(DiscoveryMarker.inspect("{\"type\":false}", "0.12.0").kind()).isEqualTo(CollisionCheck.Kind.NONE);
    }

    private static String build(String name, Map<String, Double> cats, boolean include) {
        return DiscoveryMarker.build(name, "0.12.0", 0.1, 0.05, cats, include, STARTED, 4242, "host");
    }
}
