package com.betterdb.semanticcache.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CacheStats;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.Confidence;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.ThresholdEffectiveness;
import com.betterdb.semanticcache.ThresholdEffectiveness.Recommendation;
import com.betterdb.semanticcache.analysis.WindowSample;
import com.betterdb.semanticcache.analysis.WindowSamples;
import com.betterdb.semanticcache.discovery.CollisionCheck;
import com.betterdb.semanticcache.discovery.DiscoveryMarker;
import com.betterdb.semanticcache.internal.Hashing;
import com.betterdb.semanticcache.internal.WindowMembers;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.WindowRecord;
import com.betterdb.semanticcache.store.valkey.FakeSearchStore;
import com.betterdb.semanticcache.testing.ValkeyServer;
import com.betterdb.semanticcache.testing.ValkeyTest;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reads a keyspace written by the TypeScript package 0.12.0 and writes what it writes (README of
 * {@code interop/ts-0.12.0-keyspace.json}), on plain Valkey: the FT.* part of the store is faked in-process
 * ({@link FakeSearchStore}), everything else is the real {@code ValkeyCacheStore} on the real keys.
 */
@ValkeyTest
class TsKeyspaceInteropTest {

    private static final Duration T = Duration.ofSeconds(10);
    private static final String FRANCE = "What is the capital of France?";
    private static final String HAMLET = "Who wrote Hamlet?";
    private static final String IMAGE = "Describe this image";
    private static final String HOLES = "Tell me about black holes";
    private static final String PY_MEMBER =
            "{\"score\": 0.11, \"result\": \"miss\", \"category\": \"lit\", \"_n\": \"c8c434e2-49dd-4e5a-abc1-ad96691f5ec8\"}";

    private final ValkeyServer server;
    private final RedisCommands<String, String> redis;
    private final TsKeyspace ts = TsKeyspace.load();
    private ValkeyServer.BinaryConnection binary;
    private StatefulRedisConnection<byte[], byte[]> connection;
    private RedisCommands<byte[], byte[]> bin;
    private final List<String> names = new ArrayList<>();
    private final List<SemanticCache> caches = new ArrayList<>();
    private final AtomicInteger embedCalls = new AtomicInteger();
    private FakeSearchStore fake;

    TsKeyspaceInteropTest(ValkeyServer server) {
        this.server = server;
        this.redis = server.commands();
    }

    @BeforeEach
    void setUp() {
        binary = server.openBinary();
        connection = binary.connection();
        bin = connection.sync();
    }

    @AfterEach
    void tearDown() {
        try {
            caches.forEach(SemanticCache::close);
            for (String n : names) {
                server.deleteKeys(n + ":*");
                redis.del(CacheKeys.HEARTBEAT_PREFIX + n);
                redis.hdel(CacheKeys.REGISTRY_KEY, n);
            }
        } finally {
            binary.close();
        }
    }

    private String newName() {
        String n = server.uniqueCacheName("tsfx");
        names.add(n);
        return n;
    }

    /** The dump loaded under a fresh name. */
    private String loaded() {
        String n = newName();
        List<String> written = ts.loadInto(bin, n);
        assertThat(written).hasSize(ts.root.get("count").asInt());
        return n;
    }

    private SemanticCache cache(String name, Clock clock, Consumer<SemanticCacheOptions.Builder> custom) {
        SemanticCacheOptions.Builder b = SemanticCacheOptions.builder()
                .name(name)
                .store(FakeSearchStore.over(connection, s -> fake = s))
                .embedFn(text -> {
                    embedCalls.incrementAndGet();
                    return TestEmbedder.embedFn(TsKeyspace.DIM).embed(text);
                })
                .meterRegistry(new SimpleMeterRegistry())
                .clock(clock)
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled());
        custom.accept(b);
        SemanticCache c = SemanticCache.create(b.build());
        caches.add(c);
        return c;
    }

    private SemanticCache initializedOn(String name) {
        SemanticCache c = cache(name, Clock.systemUTC(), b -> {
        });
        c.initialize().block(T);
        return c;
    }

    // ------------------------------------------------------------------------------------------- (a) stats

    /** STATS-02 on TS data: the README's step 7 result, from the loaded {@code __stats} hash. */
    @Test
    void statsOfTheTsKeyspace() {
        String name = loaded();
        SemanticCache cache = initializedOn(name);
        assertThat(cache.stats().block(T)).isEqualTo(new CacheStats(3, 1, 4, 0.75, 226));
    }

    /** data-format.md §6 across implementations: the probe vector written by TS is read, not re-embedded. */
    @Test
    void tsEmbeddingCacheServesTheProbeAndThePrompts() {
        String name = loaded();
        SemanticCache cache = initializedOn(name);
        assertThat(embedCalls.get()).as("probe served from the TS-written embedding cache").isZero();
        fake.knnAnswer.set(v -> ts.nearest(v, name));
        cache.check(FRANCE).block(T);
        cache.check(HAMLET).block(T);
        assertThat(embedCalls.get()).as("prompt vectors served from the TS-written embedding cache").isZero();
        assertThat(fake.knnQueries.get(0)).isEqualTo(TestEmbedder.embed(FRANCE, TsKeyspace.DIM));
    }

    /** CHECK on TS entries (KNN brute-forced over the dumped vectors): hits, cost from TS cost_micros. */
    @Test
    void checksHitTheTsEntriesAndCountTheirCost() {
        String name = loaded();
        SemanticCache cache = initializedOn(name);
        fake.knnAnswer.set(v -> ts.nearest(v, name));

        CacheResult france = cache.check(FRANCE).block(T);
        assertThat(france.hit()).isTrue();
        assertThat(france.response()).isEqualTo("Paris");
        assertThat(france.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(france.costSaved()).isCloseTo(0.000113, within(1e-12));
        assertThat(france.matchedKey()).isEqualTo(TsKeyspace.rename(ts.entryByPrompt(FRANCE).get("key").asText(), name));

        CacheResult uncertain = cache.check("what is the capital city of France").block(T);
        assertThat(uncertain.hit()).isTrue();
        assertThat(uncertain.confidence()).as("TS run: hit (uncertain)").isEqualTo(Confidence.UNCERTAIN);
        assertThat(uncertain.similarity()).isCloseTo(0.0741797685623, within(1e-6));

        CacheResult image = cache.check(IMAGE).block(T);
        assertThat(image.response()).isEqualTo("A red bicycle leaning on a wall");
        assertThat(image.contentBlocks()).containsExactly(ContentBlock.text("A red bicycle"),
                ContentBlock.text("leaning on a wall"));

        CacheResult hamlet = cache.check(HAMLET, CheckOptions.builder().category("lit").build()).block(T);
        assertThat(hamlet.response()).isEqualTo("William Shakespeare");
        assertThat(hamlet.costSaved()).as("no cost_micros on the TS entry").isNull();

        assertThat(cache.stats().block(T)).isEqualTo(new CacheStats(7, 1, 8, 7 / 8.0, 226 + 113 + 113));
    }

    // ------------------------------------------------------------------------------------------- (b) analysis

    /**
     * behaviour.md §14 over the loaded window (threshold 0.1, band 0.05), by hand: members (0,hit,""), (0.0741797685623,
     * hit,""), (1,miss,""), (0,hit,"lit"). All: 4 samples, 3 hits → 0.75; uncertain hits (score >= 0.05): 1/3 > 0.2
     * → tighten to 0.1 - 0.075 = 0.025; no near miss (1 > 0.13); avg hit 0.0741797685623/3; avg miss 1.
     * lit: 1 sample, 1 hit, 0 uncertain → optimal.
     */
    @Test
    void thresholdEffectivenessOverTheTsWindow() {
        String name = loaded();
        SemanticCache cache = initializedOn(name);

        ThresholdEffectiveness all = cache.thresholdEffectiveness(null, 1).block(T);
        assertThat(all.category()).isEqualTo("all");
        assertThat(all.sampleCount()).isEqualTo(4);
        assertThat(all.currentThreshold()).isEqualTo(0.1);
        assertThat(all.hitRate()).isEqualTo(0.75);
        assertThat(all.uncertainHitRate()).isCloseTo(1 / 3.0, within(1e-15));
        assertThat(all.nearMissRate()).isZero();
        assertThat(all.avgHitSimilarity()).isCloseTo(0.0741797685623 / 3, within(1e-15));
        assertThat(all.avgMissSimilarity()).isEqualTo(1.0);
        assertThat(all.recommendation()).isEqualTo(Recommendation.TIGHTEN_THRESHOLD);
        assertThat(all.recommendedThreshold()).isCloseTo(0.025, within(1e-12));
        assertThat(all.reasoning()).isEqualTo(
                "33.3% of hits are in the uncertainty band - tighten the threshold to reduce false positives.");

        List<ThresholdEffectiveness> each = cache.thresholdEffectivenessAll(1).block(T);
        assertThat(each).extracting(ThresholdEffectiveness::category).containsExactly("all", "lit");
        assertThat(each.get(0)).isEqualTo(all);
        ThresholdEffectiveness lit = each.get(1);
        assertThat(lit.sampleCount()).isEqualTo(1);
        assertThat(lit.hitRate()).isEqualTo(1.0);
        assertThat(lit.uncertainHitRate()).isZero();
        assertThat(lit.avgHitSimilarity()).isZero();
        assertThat(lit.recommendation()).isEqualTo(Recommendation.OPTIMAL);
        assertThat(lit.recommendedThreshold()).isNull();
        assertThat(lit.reasoning()).isEqualTo(
                "Hit rate is 100.0% with 0.0% uncertain hits - threshold appears well-calibrated.");

        assertThat(cache.thresholdEffectiveness(null, 5).block(T).recommendation())
                .isEqualTo(Recommendation.INSUFFICIENT_DATA);
    }

    /** The TS window members parse with their costs (113, 113, back-filled 2025, null) and zset timestamps. */
    @Test
    void windowSamplesOfTheTsWindow() {
        String name = loaded();
        initializedOn(name);
        List<WindowRecord> records = fake.readWindow().block(T);
        assertThat(records).extracting(WindowRecord::member)
                .containsExactlyElementsOf(ts.windowMembers().keySet());
        List<WindowSample> samples = records.stream()
                .map(r -> WindowSamples.parse(r.member(), r.timestampMs()).orElseThrow()).toList();
        assertThat(samples).extracting(WindowSample::costSavedMicros).containsExactly(113L, 113L, 2025L, null);
        assertThat(samples).extracting(WindowSample::timestampMs)
                .containsExactly(1795922050139.0, 1795922050486.0, 1795922050840.0, 1795922051196.0);
        assertThat(samples).extracting(WindowSample::category).containsExactly("", "", "", "lit");
    }

    // ------------------------------------------------------------------------------------------- (c) member shape

    /** WIN-01/WIN-02: our member for the same tuple is the TS member except the random _n. */
    @Test
    void ourWindowMembersHaveTheTsShape() {
        ts.windowMembers().forEach((tsMember, zscore) -> {
            JsonNode n = TsKeyspace.parse(tsMember);
            JsonNode cost = n.get("cost_saved_micros");
            String ours = WindowMembers.member(n.get("score").doubleValue(), n.get("result").asText().equals("hit"),
                    n.get("category").asText(), cost.isNull() ? null : cost.longValue());
            JsonNode o = TsKeyspace.parse(ours);
            assertThat(names(o)).isEqualTo(names(n));
            assertThat(o.get("_n").isNumber()).isTrue();
            assertThat(o.get("_n").doubleValue()).isGreaterThanOrEqualTo(0).isLessThan(1);
            String nonce = "\"_n\":[^,]+,";
            assertThat(ours.replaceFirst(nonce, "\"_n\":N,")).as("byte-equal except _n")
                    .isEqualTo(tsMember.replaceFirst(nonce, "\"_n\":N,"));
        });
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    // ------------------------------------------------------------------------------------------- (d) our writes

    /** A clock the test moves, so inserted_at can be set to the dump's values. */
    private static final class MutableClock extends Clock {
        final AtomicLong millis = new AtomicLong();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    /**
     * STORE-01/04/10/13, COST-11: the README's store calls replayed with the same embedder (dim 64) write entries with
     * the same fields and encodings as the TS package (embedding bytes identical; inserted_at equal because the clock
     * is set to the TS value; only the UUIDs differ) and the same TTL rule.
     */
    @Test
    void ourStoresWriteWhatTheTsPackageWrote() {
        String name = newName();
        MutableClock clock = new MutableClock();
        clock.millis.set(System.currentTimeMillis());
        SemanticCache cache = cache(name, clock, b -> {
        });
        cache.initialize().block(T);

        Map<String, String> ours = new LinkedHashMap<>(); // prompt -> our key
        clock.millis.set(insertedAt(FRANCE));
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("source", "faq");
        metadata.put("n", 1);
        ours.put(FRANCE, cache.store(FRANCE, "Paris", StoreOptions.builder().model("gpt-4o").tokens(25, 5)
                .category("geo").metadata(metadata).build()).block(T));
        clock.millis.set(insertedAt(HAMLET));
        ours.put(HAMLET, cache.store(HAMLET, "William Shakespeare", StoreOptions.builder()
                .model("claude-3-5-sonnet-20241022").tokens(1000, 500).ttl(Duration.ofSeconds(3600))
                .temperature(0.7).topP(0.9).seed(7).build()).block(T));
        clock.millis.set(insertedAt(IMAGE));
        ours.put(IMAGE, cache.storeMultipart(IMAGE, List.of(ContentBlock.text("A red bicycle"),
                ContentBlock.text("leaning on a wall")), StoreOptions.builder().model("gpt-4o").category("vision")
                .build()).block(T));
        clock.millis.set(insertedAt(HOLES));
        ours.put(HOLES, cache.store(HOLES, "Regions of spacetime...",
                StoreOptions.builder().model("gpt-4o").tokens(10, 200).build()).block(T));

        for (Map.Entry<String, String> e : ours.entrySet()) {
            JsonNode tsEntry = ts.entryByPrompt(e.getKey());
            String key = e.getValue();
            assertThat(key).matches(name + ":entry:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            Map<String, byte[]> hash = new LinkedHashMap<>();
            bin.hgetall(key.getBytes(StandardCharsets.UTF_8))
                    .forEach((k, v) -> hash.put(new String(k, StandardCharsets.UTF_8), v));
            Map<String, JsonNode> tsFields = new LinkedHashMap<>();
            tsEntry.get("fields").fields().forEachRemaining(f -> tsFields.put(f.getKey(), f.getValue()));

            assertThat(new TreeSet<>(hash.keySet())).as("fields of " + e.getKey())
                    .isEqualTo(new TreeSet<>(tsFields.keySet()));
            tsFields.forEach((field, tsValue) -> {
                byte[] our = hash.get(field);
                String what = e.getKey() + " / " + field;
                switch (field) {
                    case "embedding" -> assertThat(Base64.getEncoder().encodeToString(our)).as(what)
                            .isEqualTo(tsValue.get("base64").asText());
                    case "metadata", "content_blocks" -> {
                        String ourText = new String(our, StandardCharsets.UTF_8);
                        assertThat(TsKeyspace.parse(ourText)).as(what).isEqualTo(TsKeyspace.parse(tsValue.asText()));
                        assertThat(ourText).as(what + " (compact, same order)").isEqualTo(tsValue.asText());
                    }
                    default -> assertThat(new String(our, StandardCharsets.UTF_8)).as(what).isEqualTo(tsValue.asText());
                }
            });

            long tsPttl = tsEntry.get("pttl").asLong();
            long ourPttl = redis.pttl(key);
            if (tsPttl < 0) {
                assertThat(ourPttl).as("no TTL on " + e.getKey()).isEqualTo(-1L);
            } else {
                assertThat(tsPttl).isBetween(1L, 3_600_000L);
                assertThat(ourPttl).as("TTL of " + e.getKey()).isBetween(3_590_000L, 3_600_000L);
            }
        }
        assertThat(redis.hget(ours.get(FRANCE), "cost_micros")).as("TS Math.round(112.5)").isEqualTo("113");
        assertThat(redis.hget(ours.get(HOLES), "cost_micros")).isEqualTo("2025");

        // Embedding-cache keys: same key names (sha256 of the text) and identical vector bytes as the TS ones.
        Map<String, byte[]> ourEmbeds = scan(name + ":embed:*");
        Set<String> expected = new TreeSet<>();
        for (String text : List.of("probe", FRANCE, HAMLET, IMAGE, HOLES)) {
            expected.add(name + ":embed:" + Hashing.sha256Hex(text));
        }
        assertThat(new TreeSet<>(ourEmbeds.keySet())).isEqualTo(expected);
        ourEmbeds.forEach((k, v) -> {
            JsonNode tsKey = ts.key(TsKeyspace.TS_NAME + k.substring(name.length()));
            assertThat(Base64.getEncoder().encodeToString(v)).as(k).isEqualTo(tsKey.get("value").get("base64").asText());
            assertThat(tsKey.get("pttl").asLong()).isBetween(86_000_000L, 86_400_000L);
            assertThat(redis.ttl(k)).isBetween(86_390L, 86_400L);
        });
    }

    private long insertedAt(String prompt) {
        return Long.parseLong(ts.entryByPrompt(prompt).get("fields").get("inserted_at").asText());
    }

    private Map<String, byte[]> scan(String pattern) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<byte[]> page = bin.scan(cursor, ScanArgs.Builder.matches(pattern).limit(100));
            for (byte[] k : page.getKeys()) {
                out.put(new String(k, StandardCharsets.UTF_8), bin.get(k));
            }
            cursor = page;
        } while (!cursor.isFinished());
        return out;
    }

    // ------------------------------------------------------------------------------------------- (e) PY member

    /**
     * data-format.md §0 row 1 / WIN-06: a Python-written member (", " separators, UUID _n, no cost) mixed into the TS
     * window is read. lit then has (0,hit) and (0.11,miss): near miss (0.1 < 0.11 <= 0.13) rate 1 > 0.3 with
     * average delta 0.01 < 0.03 → loosen to 0.11.
     */
    @Test
    void pythonWindowMemberMixedIntoTheTsWindowIsRead() {
        String name = loaded();
        redis.zadd(name + ":__similarity_window", 1795922051300.0, PY_MEMBER);
        SemanticCache cache = initializedOn(name);

        ThresholdEffectiveness all = cache.thresholdEffectiveness(null, 1).block(T);
        assertThat(all.sampleCount()).isEqualTo(5);
        assertThat(all.hitRate()).isEqualTo(0.6);
        assertThat(all.avgMissSimilarity()).isCloseTo((1 + 0.11) / 2, within(1e-15));
        assertThat(all.nearMissRate()).isEqualTo(0.5);

        ThresholdEffectiveness lit = cache.thresholdEffectiveness("lit", 1).block(T);
        assertThat(lit.sampleCount()).isEqualTo(2);
        assertThat(lit.hitRate()).isEqualTo(0.5);
        assertThat(lit.nearMissRate()).isEqualTo(1.0);
        assertThat(lit.avgMissSimilarity()).isEqualTo(0.11);
        assertThat(lit.recommendation()).isEqualTo(Recommendation.LOOSEN_THRESHOLD);
        assertThat(lit.recommendedThreshold()).isCloseTo(0.11, within(1e-12));
        assertThat(lit.reasoning()).isEqualTo(
                "100.0% of misses are very close to the threshold - consider loosening to capture more hits.");

        WindowSample py = WindowSamples.parse(PY_MEMBER, 1.0).orElseThrow();
        assertThat(py.costSavedMicros()).isNull();
        assertThat(py.category()).isEqualTo("lit");
    }

    // ------------------------------------------------------------------------------------------- (f) registry

    /** DISC-08 across implementations: the TS marker is our type (another version), not a collision. */
    @Test
    void tsRegistryMarkerIsOurTypeWithAnotherVersion() {
        String marker = ts.registryMarker();
        CollisionCheck c = DiscoveryMarker.inspect(marker, SemanticCache.VERSION);
        assertThat(c.kind()).isEqualTo(CollisionCheck.Kind.SAME_TYPE_OTHER_VERSION);
        assertThat(c.existingType()).isEqualTo("semantic_cache");
        assertThat(c.existingVersion()).isEqualTo("0.12.0");
        assertThat(DiscoveryMarker.inspect(marker, "0.12.0").kind())
                .isEqualTo(CollisionCheck.Kind.SAME_TYPE_SAME_VERSION);

        // Our marker has the TS member names in the TS order (DISC-01/DISC-02).
        String ours = DiscoveryMarker.build(TsKeyspace.TS_NAME, SemanticCache.VERSION, 0.1, 0.05, Map.of(), true,
                Instant.parse("2026-11-29T03:14:12.138Z"), 1066, "vm");
        assertThat(names(TsKeyspace.parse(ours))).isEqualTo(names(TsKeyspace.parse(marker)));
        assertThat(ours.replace("\"version\":\"" + SemanticCache.VERSION + "\"", "\"version\":\"0.12.0\""))
                .as("byte-equal apart from the version").isEqualTo(marker);
    }

    /** DISC-08 end to end: initialize() over a TS-written registry field (renamed) overwrites it with ours. */
    @Test
    void initializeOverATsRegistryMarkerOverwritesIt() {
        String name = loaded();
        JsonNode tsMarker = TsKeyspace.parse(ts.registryMarker());
        String renamed = ts.registryMarker().replace("\"tsfx", "\"" + name);
        redis.hset(CacheKeys.REGISTRY_KEY, name, renamed);
        SemanticCache cache = cache(name, Clock.systemUTC(), b -> b.discovery(SemanticCacheOptions.Discovery.DEFAULT));
        cache.initialize().block(T);

        JsonNode now = TsKeyspace.parse(redis.hget(CacheKeys.REGISTRY_KEY, name));
        assertThat(now.get("type").asText()).isEqualTo(tsMarker.get("type").asText());
        assertThat(now.get("prefix").asText()).isEqualTo(name);
        assertThat(now.get("version").asText()).isEqualTo(SemanticCache.VERSION);
        assertThat(now.get("capabilities")).isEqualTo(tsMarker.get("capabilities"));
        assertThat(now.get("protocol_version")).isEqualTo(tsMarker.get("protocol_version"));
        assertThat(redis.exists(CacheKeys.HEARTBEAT_PREFIX + name)).isEqualTo(1L);
    }

    @Test
    void fixtureIsTheDocumentedRun() {
        assertThat(ts.entries()).hasSize(4);
        Iterator<JsonNode> it = ts.key("tsfx:__stats").get("fields").elements();
        List<String> values = new ArrayList<>();
        it.forEachRemaining(v -> values.add(v.asText()));
        assertThat(values).containsExactlyInAnyOrder("226", "3", "1", "4");
        assertThat(ts.root.get("protocol").get("value").asText()).isEqualTo("1");
    }
}
