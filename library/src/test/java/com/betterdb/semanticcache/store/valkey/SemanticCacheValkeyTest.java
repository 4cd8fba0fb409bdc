package com.betterdb.semanticcache.store.valkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CacheStats;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.Confidence;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.ValkeyCommandError;
import com.betterdb.semanticcache.config.RuntimeConfig;
import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.internal.Hashing;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.testing.ValkeyServer;
import com.betterdb.semanticcache.testing.ValkeyTest;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SemanticCache} over a real plain Valkey. The FT.* part of the store is faked in-process
 * ({@link FakeSearchStore}: fixed index, canned KNN candidates); everything else goes to the real
 * {@link ValkeyCacheStore}, and the tests assert the keys really written (data-format.md).
 */
@ValkeyTest
class SemanticCacheValkeyTest {

    private static final Duration T = Duration.ofSeconds(10);
    private static final int DIM = 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ValkeyServer server;
    private final RedisCommands<String, String> redis;
    private ValkeyServer.BinaryConnection binary;
    private StatefulRedisConnection<byte[], byte[]> connection;
    private RedisCommands<byte[], byte[]> bin;
    private String name;
    private CacheKeys keys;
    private final long now = System.currentTimeMillis();
    private final List<SemanticCache> caches = new ArrayList<>();
    private final AtomicInteger embedCalls = new AtomicInteger();
    private FakeSearchStore fake;

    SemanticCacheValkeyTest(ValkeyServer server) {
        this.server = server;
        this.redis = server.commands();
    }

    @BeforeEach
    void setUp() {
        binary = server.openBinary();
        connection = binary.connection();
        bin = connection.sync();
        name = server.uniqueCacheName("scv");
        keys = new CacheKeys(name);
    }

    @AfterEach
    void tearDown() {
        try {
            caches.forEach(SemanticCache::close);
            server.deleteKeys(name + ":*");
            redis.del(keys.heartbeatKey());
            redis.hdel(CacheKeys.REGISTRY_KEY, name); // only our field: never the registry hash
        } finally {
            binary.close();
        }
    }

    private SemanticCache cache(Consumer<SemanticCacheOptions.Builder> custom) {
        SemanticCacheOptions.Builder b = SemanticCacheOptions.builder()
                .name(name)
                .store(FakeSearchStore.over(connection, s -> fake = s))
                .embedFn(text -> {
                    embedCalls.incrementAndGet();
                    return TestEmbedder.embedFn(DIM).embed(text);
                })
                .meterRegistry(new SimpleMeterRegistry())
                .clock(Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC))
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled());
        custom.accept(b);
        SemanticCache c = SemanticCache.create(b.build());
        caches.add(c);
        return c;
    }

    private SemanticCache initialized(Consumer<SemanticCacheOptions.Builder> custom) {
        SemanticCache c = cache(custom);
        c.initialize().block(T);
        return c;
    }

    private SemanticCache initialized() {
        return initialized(b -> {
        });
    }

    private static Candidate candidate(String key, double score, String... kv) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("prompt", "stored prompt");
        f.put("response", "stored response");
        for (int i = 0; i < kv.length; i += 2) {
            f.put(kv[i], kv[i + 1]);
        }
        return new Candidate(key, score, f);
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        Iterator<String> it = n.fieldNames();
        it.forEachRemaining(out::add);
        return out;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within 5 s: " + what);
            }
            Thread.sleep(50);
        }
    }

    private Map<String, byte[]> entryHash(String key) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        bin.hgetall(key.getBytes(StandardCharsets.UTF_8))
                .forEach((k, v) -> out.put(new String(k, StandardCharsets.UTF_8), v));
        return out;
    }

    private static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------- stats

    /** STATS-02 / COST-09 against real keys: HINCRBY counters after N checks, read back by stats(). */
    @Test
    void statsHashAfterSeveralChecks() {
        SemanticCache cache = initialized();
        fake.answer(candidate(keys.entryKey("e1"), 0.02, "cost_micros", "500"));
        assertThat(cache.check("q1").block(T).hit()).isTrue();
        assertThat(cache.check("q2").block(T).hit()).isTrue();
        fake.answer(candidate(keys.entryKey("e2"), 0.5));
        assertThat(cache.check("q3").block(T).hit()).isFalse();
        fake.answer(); // no candidate: a miss without window member
        assertThat(cache.check("q4").block(T).hit()).isFalse();

        assertThat(redis.hgetall(keys.statsKey())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "total", "4", "hits", "2", "misses", "2", "cost_saved_micros", "1000"));
        assertThat(cache.stats().block(T)).isEqualTo(new CacheStats(2, 2, 4, 0.5, 1000));
        assertThat(redis.zcard(keys.windowKey())).as("no window member without a candidate").isEqualTo(3L);
        assertThat(redis.zcard(keys.missPendingKey())).isEqualTo(1L);
    }

    // ------------------------------------------------------------------------------------------- window

    /** WIN-01/WIN-02, data-format.md §8: TS member form, scored with the clock's ms. */
    @Test
    void windowMembersHaveTheTypeScriptShape() {
        SemanticCache cache = initialized();
        fake.answer(candidate(keys.entryKey("e1"), 0.02, "cost_micros", "500"));
        cache.check("q1", CheckOptions.builder().category("faq").build()).block(T);
        fake.answer(candidate(keys.entryKey("e1"), 0.15));
        cache.check("q2").block(T);

        List<ScoredValue<String>> window = redis.zrangeWithScores(keys.windowKey(), 0, -1);
        assertThat(window).hasSize(2);
        assertThat(window).extracting(ScoredValue::getScore).containsOnly((double) now);
        JsonNode hit = null;
        JsonNode miss = null;
        for (ScoredValue<String> sv : window) {
            String raw = sv.getValue();
            assertThat(raw).as("compact JSON").doesNotContain(", ").doesNotContain(": ");
            JsonNode n = parse(raw);
            assertThat(fieldNames(n)).containsExactly("score", "result", "category", "_n", "cost_saved_micros");
            assertThat(n.get("_n").isNumber()).isTrue();
            assertThat(n.get("_n").doubleValue()).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
            if ("hit".equals(n.get("result").asText())) {
                hit = n;
            } else {
                miss = n;
            }
        }
        assertThat(hit).isNotNull();
        assertThat(hit.get("score").doubleValue()).isEqualTo(0.02);
        assertThat(hit.get("category").asText()).isEqualTo("faq");
        assertThat(hit.get("cost_saved_micros").isIntegralNumber()).isTrue();
        assertThat(hit.get("cost_saved_micros").longValue()).isEqualTo(500L);
        assertThat(miss).isNotNull();
        assertThat(miss.get("score").doubleValue()).isEqualTo(0.15);
        assertThat(miss.get("category").asText()).isEmpty();
        assertThat(miss.get("cost_saved_micros").isNull()).isTrue();
    }

    /** data-format.md §9: {"correlationId":"<16 hex of sha256(prompt)>","similarityMember":"<exact member>"}. */
    @Test
    void missPendingMemberPointsAtTheWindowMember() {
        SemanticCache cache = initialized();
        String prompt = "What is the capital of France?";
        fake.answer(candidate(keys.entryKey("e1"), 0.3));
        cache.check(prompt).block(T);

        List<String> window = redis.zrange(keys.windowKey(), 0, -1);
        List<ScoredValue<String>> pending = redis.zrangeWithScores(keys.missPendingKey(), 0, -1);
        assertThat(window).hasSize(1);
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).getScore()).isEqualTo((double) now);
        JsonNode p = parse(pending.get(0).getValue());
        assertThat(fieldNames(p)).containsExactly("correlationId", "similarityMember");
        assertThat(p.get("correlationId").asText()).isEqualTo("115049a298532be2") // data-format.md §9 example
                .isEqualTo(Hashing.sha256Hex(prompt).substring(0, 16));
        assertThat(p.get("similarityMember").asText()).isEqualTo(window.get(0));
        assertThat(pending.get(0).getValue()).doesNotContain(", ");
    }

    /** WIN-03, behaviour.md §8.1: a costed store after a miss replaces the miss's member in place. */
    @Test
    void storeAfterAMissBackFillsTheWindowMemberCost() {
        SemanticCache cache = initialized();
        String prompt = "Tell me about black holes";
        fake.answer(candidate(keys.entryKey("other"), 1.0));
        assertThat(cache.check(prompt).block(T).hit()).isFalse();
        // an unrelated miss stays untouched
        cache.check("Something else entirely").block(T);
        List<ScoredValue<String>> before = redis.zrangeWithScores(keys.windowKey(), 0, -1);
        assertThat(before).hasSize(2);
        String target = redis.zrange(keys.missPendingKey(), 0, -1).stream()
                .map(SemanticCacheValkeyTest::parse)
                .filter(n -> n.get("correlationId").asText().equals(Hashing.correlationId(prompt)))
                .map(n -> n.get("similarityMember").asText()).findFirst().orElseThrow();
        double targetScore = redis.zscore(keys.windowKey(), target);
        String untouched = before.stream().map(ScoredValue::getValue).filter(m -> !m.equals(target)).findFirst()
                .orElseThrow();

        String key = cache.store(prompt, "Regions of spacetime...",
                StoreOptions.builder().model("gpt-4o").tokens(10, 200).build()).block(T);

        assertThat(redis.hget(key, "cost_micros")).isEqualTo("2025");
        List<ScoredValue<String>> after = redis.zrangeWithScores(keys.windowKey(), 0, -1);
        assertThat(after).hasSize(2);
        assertThat(redis.zscore(keys.windowKey(), target)).as("old member removed").isNull();
        assertThat(redis.zscore(keys.windowKey(), untouched)).isNotNull();
        String replaced = after.stream().map(ScoredValue::getValue).filter(m -> !m.equals(untouched)).findFirst()
                .orElseThrow();
        assertThat(redis.zscore(keys.windowKey(), replaced)).as("same zset score").isEqualTo(targetScore);
        JsonNode oldJson = parse(target);
        JsonNode newJson = parse(replaced);
        assertThat(fieldNames(newJson)).containsExactly("score", "result", "category", "_n", "cost_saved_micros");
        assertThat(newJson.get("cost_saved_micros").longValue()).isEqualTo(2025L);
        assertThat(newJson.get("_n")).isEqualTo(oldJson.get("_n"));
        assertThat(newJson.get("score")).isEqualTo(oldJson.get("score"));
        assertThat(newJson.get("result").asText()).isEqualTo("miss");
        assertThat(redis.zrange(keys.missPendingKey(), 0, -1)).as("consumed pending entry removed").hasSize(1)
                .noneMatch(m -> m.contains(Hashing.correlationId(prompt)));
    }

    /** WIN-05: a costed store without any pending miss changes nothing in the window. */
    @Test
    void storeWithoutPendingMissLeavesTheWindowAlone() {
        SemanticCache cache = initialized();
        fake.answer(candidate(keys.entryKey("x"), 0.5));
        cache.check("unrelated question").block(T);
        List<String> before = redis.zrange(keys.windowKey(), 0, -1);
        cache.store("Tell me about black holes", "r", StoreOptions.builder().model("gpt-4o").tokens(10, 200).build())
                .block(T);
        assertThat(redis.zrange(keys.windowKey(), 0, -1)).isEqualTo(before);
        assertThat(redis.zcard(keys.missPendingKey())).isEqualTo(1L);
    }

    // ------------------------------------------------------------------------------------------- embedding cache

    /** EMB-02/EMB-07, data-format.md §6: {name}:embed:{sha256(text)} = float32 LE bytes, EX 86400; reused. */
    @Test
    void embeddingCacheKeysHoldTheVectorBytesWithTtl() {
        SemanticCache cache = initialized();
        String prompt = "What is the capital of France?";
        String probeKey = keys.embedKey(Hashing.sha256Hex("probe"));
        assertThat(probeKey).endsWith(":embed:ba9c736f19e7f60b7f6764adb0b7908c0a2b394e09b6c09863528c7f2bc86095");
        assertThat(bin.get(probeKey.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(Float32.encode(TestEmbedder.embed("probe", DIM)));

        int callsBefore = embedCalls.get();
        cache.check(prompt).block(T);
        assertThat(embedCalls.get()).isEqualTo(callsBefore + 1);
        String embedKey = name + ":embed:115049a298532be2f181edb03f766770c0db84c22aff39003fec340deaec7545";
        byte[] stored = bin.get(embedKey.getBytes(StandardCharsets.UTF_8));
        assertThat(stored).isEqualTo(Float32.encode(TestEmbedder.embed(prompt, DIM))).hasSize(4 * DIM);
        assertThat(redis.ttl(embedKey)).isBetween(86390L, 86400L);

        cache.check(prompt).block(T);
        cache.store(prompt, "Paris").block(T);
        assertThat(embedCalls.get()).as("served from the embedding cache").isEqualTo(callsBefore + 1);
        assertThat(fake.knnQueries.get(1)).isEqualTo(TestEmbedder.embed(prompt, DIM));
    }

    // ------------------------------------------------------------------------------------------- entries

    /** STORE-01/04/13, COST-11, data-format.md §3: the entry hash after store(). */
    @Test
    void storeWritesTheEntryHash() {
        SemanticCache cache = initialized();
        String prompt = "What is the capital of France?";
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("source", "faq");
        metadata.put("n", 1);
        String key = cache.store(prompt, "Paris", StoreOptions.builder().model("gpt-4o").tokens(25, 5)
                .category("geo").metadata(metadata).temperature(0.7).topP(1.0).seed(42).build()).block(T);

        assertThat(key).startsWith(name + ":entry:");
        assertThat(key.substring((name + ":entry:").length()))
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        Map<String, byte[]> h = entryHash(key);
        assertThat(h.keySet()).containsExactlyInAnyOrder("prompt", "response", "model", "category", "inserted_at",
                "metadata", "embedding", "cost_micros", "temperature", "top_p", "seed");
        assertThat(str(h.get("prompt"))).isEqualTo(prompt);
        assertThat(str(h.get("response"))).isEqualTo("Paris");
        assertThat(str(h.get("model"))).isEqualTo("gpt-4o");
        assertThat(str(h.get("category"))).isEqualTo("geo");
        assertThat(str(h.get("inserted_at"))).isEqualTo(Long.toString(now));
        assertThat(parse(str(h.get("metadata")))).isEqualTo(parse("{\"source\":\"faq\",\"n\":1}"));
        assertThat(str(h.get("metadata"))).isEqualTo("{\"source\":\"faq\",\"n\":1}");
        assertThat(h.get("embedding")).isEqualTo(Float32.encode(TestEmbedder.embed(prompt, DIM)));
        assertThat(str(h.get("cost_micros"))).as("TS Math.round(112.5)").isEqualTo("113");
        assertThat(str(h.get("temperature"))).isEqualTo("0.7");
        assertThat(str(h.get("top_p"))).as("JS String(1)").isEqualTo("1");
        assertThat(str(h.get("seed"))).isEqualTo("42");
        assertThat(redis.pttl(key)).as("no TTL configured").isEqualTo(-1L);
    }

    /** STORE-05/STORE-13: defaults; TTL rules: per-call ttl, else default TTL. */
    @Test
    void storeDefaultsAndTtlRules() {
        SemanticCache cache = initialized(b -> b.defaultTtl(Duration.ofSeconds(300)));
        String plain = cache.store("hello", "world").block(T);
        Map<String, byte[]> h = entryHash(plain);
        assertThat(h.keySet()).containsExactlyInAnyOrder("prompt", "response", "model", "category", "inserted_at",
                "metadata", "embedding");
        assertThat(str(h.get("model"))).isEmpty();
        assertThat(str(h.get("category"))).isEmpty();
        assertThat(str(h.get("metadata"))).isEqualTo("{}");
        assertThat(redis.ttl(plain)).isBetween(295L, 300L);

        String perCall = cache.store("hello again", "w", StoreOptions.builder().ttl(Duration.ofSeconds(60)).build())
                .block(T);
        assertThat(redis.ttl(perCall)).isBetween(55L, 60L);
    }

    /** data-format.md §3 sliding expiry: a hit refreshes the matched entry's TTL to the default TTL. */
    @Test
    void hitRefreshesTheMatchedEntryTtl() {
        SemanticCache cache = initialized(b -> b.defaultTtl(Duration.ofSeconds(300)));
        String key = cache.store("hello", "world").block(T);
        redis.expire(key, 10);
        fake.answer(candidate(key, 0.0, "response", "world"));
        CacheResult r = cache.check("hello").block(T);
        assertThat(r.hit()).isTrue();
        assertThat(r.matchedKey()).isEqualTo(key);
        assertThat(r.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(redis.ttl(key)).isBetween(295L, 300L);
    }

    // ------------------------------------------------------------------------------------------- config

    /** CFG-01: with refresh enabled, the config hash is applied once during initialize(). */
    @Test
    void configHashIsAppliedAtInitialize() {
        redis.hset(keys.configKey(), Map.of("threshold", "0.05", "threshold:faq", "0.02", "ttl", "120"));
        SemanticCache cache = initialized(b -> b.configRefresh(
                new SemanticCacheOptions.ConfigRefresh(true, Duration.ofSeconds(30))));
        RuntimeConfig cfg = cache.currentConfig();
        assertThat(cfg.defaultThreshold()).isEqualTo(0.05);
        assertThat(cfg.categoryThresholds()).containsExactlyEntriesOf(Map.of("faq", 0.02));
        assertThat(cfg.defaultTtl()).isEqualTo(Duration.ofSeconds(120));
    }

    /** CFG-07/CFG-11 against a real __config hash changed while the cache runs (interval 1000 ms). */
    @Test
    void periodicConfigRefreshPicksUpChangesOfTheConfigHash() throws InterruptedException {
        SemanticCache cache = initialized(b -> b.configRefresh(
                new SemanticCacheOptions.ConfigRefresh(true, Duration.ofMillis(1000))));
        assertThat(cache.currentConfig().defaultThreshold()).isEqualTo(0.1);
        fake.answer(candidate(keys.entryKey("e"), 0.08));
        assertThat(cache.check("q").block(T).hit()).as("0.08 <= 0.1").isTrue();

        redis.hset(keys.configKey(), Map.of("threshold", "0.07", "threshold:faq", "0.03"));
        await("threshold 0.07 and faq 0.03", () -> cache.currentConfig().defaultThreshold() == 0.07
                && Double.valueOf(0.03).equals(cache.currentConfig().categoryThresholds().get("faq")));
        assertThat(cache.check("q").block(T).hit()).as("0.08 > 0.07").isFalse();
        fake.answer(candidate(keys.entryKey("e"), 0.05));
        assertThat(cache.check("q", CheckOptions.builder().category("faq").build()).block(T).hit())
                .as("category threshold 0.03").isFalse();

        redis.hdel(keys.configKey(), "threshold:faq");
        await("faq override removed", () -> !cache.currentConfig().categoryThresholds().containsKey("faq"));
        assertThat(cache.currentConfig().defaultThreshold()).isEqualTo(0.07);
    }

    // ------------------------------------------------------------------------------------------- discovery

    /** DISC-06/DISC-11/DISC-15/DISC-17: registry field, protocol key, heartbeat; shutdown keeps the field. */
    @Test
    void discoveryRegistersAndShutdownRemovesOnlyTheHeartbeat() {
        SemanticCache cache = initialized(b -> b.discovery(SemanticCacheOptions.Discovery.DEFAULT)
                .categoryThreshold("faq", 0.08));

        String raw = redis.hget(CacheKeys.REGISTRY_KEY, name);
        assertThat(raw).isNotNull();
        JsonNode m = parse(raw);
        assertThat(m.get("type").asText()).isEqualTo("semantic_cache");
        assertThat(m.get("prefix").asText()).isEqualTo(name);
        assertThat(m.get("version").asText()).isEqualTo(SemanticCache.VERSION);
        assertThat(m.get("protocol_version").isInt()).isTrue();
        assertThat(m.get("protocol_version").intValue()).isEqualTo(1);
        assertThat(m.get("capabilities").toString()).isEqualTo("[\"invalidate\",\"similarity_distribution\",\"threshold_adjust\"]");
        assertThat(m.get("index_name").asText()).isEqualTo(name + ":idx");
        assertThat(m.get("stats_key").asText()).isEqualTo(name + ":__stats");
        assertThat(m.get("config_key").asText()).isEqualTo(name + ":__config");
        assertThat(m.get("default_threshold").doubleValue()).isEqualTo(0.1);
        assertThat(m.get("uncertainty_band").doubleValue()).isEqualTo(0.05);
        assertThat(m.get("pid").longValue()).isEqualTo(ProcessHandle.current().pid());
        assertThat(m.get("category_thresholds").toString()).isEqualTo("{\"faq\":0.08}");
        assertThat(fieldNames(m)).containsExactly("type", "prefix", "version", "protocol_version", "capabilities",
                "index_name", "stats_key", "config_key", "default_threshold", "uncertainty_band", "started_at", "pid",
                "hostname", "category_thresholds");
        assertThat(redis.get(CacheKeys.PROTOCOL_KEY)).isEqualTo("1");

        String hb = redis.get(keys.heartbeatKey());
        assertThat(hb).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
        assertThat(Instant.parse(hb)).isCloseTo(Instant.now(), within(Duration.ofMinutes(1)));
        assertThat(redis.ttl(keys.heartbeatKey())).isGreaterThan(0L).isLessThanOrEqualTo(60L);

        cache.shutdown().block(T);
        assertThat(redis.exists(keys.heartbeatKey())).as("heartbeat deleted").isZero();
        assertThat(redis.hget(CacheKeys.REGISTRY_KEY, name)).as("registry field kept byte-identical").isEqualTo(raw);
    }

    /** DISC-12: the heartbeat is rewritten every interval (SET ... EX 60), here 1000 ms; none after shutdown. */
    @Test
    void heartbeatTickRewritesTheKey() throws InterruptedException {
        SemanticCache cache = initialized(b -> b.discovery(
                new SemanticCacheOptions.Discovery(true, Duration.ofMillis(1000), true)));
        redis.expire(keys.heartbeatKey(), 5);
        await("heartbeat TTL back to ~60 s", () -> redis.ttl(keys.heartbeatKey()) > 50);

        cache.shutdown().block(T);
        assertThat(redis.exists(keys.heartbeatKey())).isZero();
        Thread.sleep(1500); // more than one interval: a tick still running would recreate the key
        assertThat(redis.exists(keys.heartbeatKey())).as("no tick after shutdown").isZero();
    }

    /** DISC-07: another type under this name fails initialize() and writes nothing. */
    @Test
    void nameCollisionWithAnotherTypeFailsInitialize() {
        String existing = "{\"type\":\"agent_cache\"}";
        redis.hset(CacheKeys.REGISTRY_KEY, name, existing);
        SemanticCache cache = cache(b -> b.discovery(SemanticCacheOptions.Discovery.DEFAULT));

        assertThatThrownBy(() -> cache.initialize().block(T))
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessageContaining("agent_cache");
        assertThat(redis.hget(CacheKeys.REGISTRY_KEY, name)).isEqualTo(existing);
        assertThat(redis.exists(keys.heartbeatKey())).isZero();
        assertThatThrownBy(() -> cache.stats().block(T)).as("not initialised").isInstanceOf(SemanticCacheUsageError.class);
    }

    /** DISC-08: a marker of our type with another version is overwritten. */
    @Test
    void sameTypeOtherVersionMarkerIsOverwritten() {
        redis.hset(CacheKeys.REGISTRY_KEY, name, "{\"type\":\"semantic_cache\",\"version\":\"0.0.1\"}");
        initialized(b -> b.discovery(SemanticCacheOptions.Discovery.DEFAULT));
        JsonNode m = parse(redis.hget(CacheKeys.REGISTRY_KEY, name));
        assertThat(m.get("version").asText()).isEqualTo(SemanticCache.VERSION);
        assertThat(m.get("prefix").asText()).isEqualTo(name);
    }

    /** DISC-18: discovery disabled writes no registry field and no heartbeat. */
    @Test
    void discoveryDisabledWritesNothing() {
        SemanticCache cache = initialized(b -> b.discovery(SemanticCacheOptions.Discovery.disabled()));
        fake.answer(candidate(keys.entryKey("e"), 0.01));
        cache.check("q").block(T);
        assertThat(redis.hexists(CacheKeys.REGISTRY_KEY, name)).isFalse();
        assertThat(redis.exists(keys.heartbeatKey())).isZero();
        assertThat(redis.hget(keys.statsKey(), "total")).as("the cache did work").isEqualTo("1");
    }

    /**
     * FLUSH-02/FLUSH-05 on a server without valkey-search: the heartbeat is deleted first, then FT.DROPINDEX fails
     * with ValkeyCommandError; __config and the registry field are never touched.
     */
    @Test
    void flushWithoutSearchModuleDeletesHeartbeatThenFailsOnDropIndex() {
        redis.hset(keys.configKey(), "threshold", "0.09");
        SemanticCache cache = initialized(b -> b.discovery(SemanticCacheOptions.Discovery.DEFAULT));
        String marker = redis.hget(CacheKeys.REGISTRY_KEY, name);
        assertThat(redis.exists(keys.heartbeatKey())).isEqualTo(1L);

        assertThatThrownBy(() -> cache.flush().block(T))
                .isInstanceOf(ValkeyCommandError.class)
                .satisfies(e -> assertThat(((ValkeyCommandError) e).command()).isEqualTo("FT.DROPINDEX"));
        assertThat(redis.exists(keys.heartbeatKey())).isZero();
        assertThat(redis.hget(CacheKeys.REGISTRY_KEY, name)).isEqualTo(marker);
        assertThat(redis.hget(keys.configKey(), "threshold")).isEqualTo("0.09");
    }
}
