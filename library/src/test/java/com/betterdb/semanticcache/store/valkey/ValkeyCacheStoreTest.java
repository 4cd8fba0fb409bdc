package com.betterdb.semanticcache.store.valkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.betterdb.semanticcache.ValkeyCommandError;
import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.store.Bookkeeping;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.EntryRecord;
import com.betterdb.semanticcache.store.WindowRecord;
import com.betterdb.semanticcache.testing.ValkeyServer;
import com.betterdb.semanticcache.testing.ValkeyTest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ValkeyCacheStore} against a real plain Valkey (no valkey-search module needed): every SPI method that sends
 * no FT.* command, checked by reading the keys back with an independent client (data-format.md §3, §6-§9, §11, §17).
 */
@ValkeyTest
class ValkeyCacheStoreTest {

    private static final Duration T = Duration.ofSeconds(10);
    private static final long SEVEN_DAYS_MS = 7L * 24 * 3600 * 1000;
    private static final long FIVE_MIN_MS = 300_000;

    private final ValkeyServer server;
    private final RedisCommands<String, String> redis;
    private ValkeyServer.BinaryConnection binary;
    private StatefulRedisConnection<byte[], byte[]> connection;
    private RedisCommands<byte[], byte[]> bin;
    private String name;
    private CacheKeys keys;
    private ValkeyCacheStore store;

    ValkeyCacheStoreTest(ValkeyServer server) {
        this.server = server;
        this.redis = server.commands();
    }

    @BeforeEach
    void setUp() {
        binary = server.openBinary();
        connection = binary.connection();
        bin = connection.sync();
        name = server.uniqueCacheName("vcs");
        keys = new CacheKeys(name);
        store = new ValkeyCacheStore(connection, false, keys);
    }

    @AfterEach
    void tearDown() {
        try {
            server.deleteKeys(name + ":*");
            redis.del(keys.heartbeatKey());
            redis.hdel(CacheKeys.REGISTRY_KEY, name);
        } finally {
            binary.close();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static Bookkeeping hit(long now, String window) {
        return new Bookkeeping(true, now, window, null, null, null, 0, null);
    }

    private static Bookkeeping miss(long now, String window, String pending) {
        return new Bookkeeping(false, now, window, pending, null, null, 0, null);
    }

    // ------------------------------------------------------------------------------------------- record: stats

    /** STATS / data-format.md §7: total + hits/misses + cost_saved_micros, summed over a group, with HINCRBY. */
    @Test
    void recordSumsCountersOfAGroupIntoTheStatsHash() {
        long now = System.currentTimeMillis();
        store.record(List.of(
                new Bookkeeping(true, now, null, null, null, null, 1500, null),
                new Bookkeeping(true, now, null, null, null, null, 0, null),
                new Bookkeeping(false, now, null, null, null, null, 0, null))).block(T);

        assertThat(redis.hgetall(keys.statsKey())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "total", "3", "hits", "2", "misses", "1", "cost_saved_micros", "1500"));

        // A second record increments (HINCRBY), it does not overwrite.
        store.record(List.of(new Bookkeeping(false, now, null, null, null, null, 0, null))).block(T);
        store.record(List.of(new Bookkeeping(true, now, null, null, null, null, 25, null))).block(T);
        assertThat(redis.hgetall(keys.statsKey())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "total", "5", "hits", "3", "misses", "2", "cost_saved_micros", "1525"));
        assertThat(redis.pttl(keys.statsKey())).as("stats hash has no TTL").isEqualTo(-1L);
    }

    @Test
    void recordWithoutCostOrMissesWritesNoSuchField() {
        store.record(List.of(hit(System.currentTimeMillis(), null))).block(T);
        assertThat(redis.hgetall(keys.statsKey())).containsExactlyInAnyOrderEntriesOf(Map.of("total", "1", "hits", "1"));
        assertThat(redis.exists(keys.windowKey())).as("no window member given, no window write").isZero();
        assertThat(redis.exists(keys.missPendingKey())).isZero();
    }

    // ------------------------------------------------------------------------------------------- record: window

    /** WIN-01/WIN-02: the member is added verbatim, scored with the bookkeeping's nowMs. */
    @Test
    void recordAddsWindowMembersScoredWithNowMs() {
        long now = System.currentTimeMillis();
        String m1 = "{\"score\":0.08,\"result\":\"hit\",\"category\":\"faq\",\"_n\":0.41,\"cost_saved_micros\":1500}";
        String m2 = "{\"score\":0.15,\"result\":\"miss\",\"category\":\"\",\"_n\":0.42,\"cost_saved_micros\":null}";
        store.record(List.of(hit(now - 5, m1), miss(now, m2, null))).block(T);

        List<ScoredValue<String>> window = redis.zrangeWithScores(keys.windowKey(), 0, -1);
        assertThat(window).extracting(ScoredValue::getValue).containsExactly(m1, m2);
        assertThat(window).extracting(ScoredValue::getScore).containsExactly((double) (now - 5), (double) now);
    }

    /** WIN-06: at most 10,000 members; the oldest go first. */
    @Test
    void recordTrimsTheWindowTo10000Members() {
        long now = System.currentTimeMillis();
        List<Object> seed = new ArrayList<>();
        String[] args = new String[20_000];
        for (int i = 0; i < 10_000; i++) {
            args[2 * i] = Long.toString(now - 100_000 + i); // strictly increasing, all well within 7 days
            args[2 * i + 1] = "seed-" + i;
        }
        seed.addAll(server.call("ZADD", prepend(keys.windowKey(), args)));
        assertThat(seed).containsExactly(10_000L);
        assertThat(redis.zcard(keys.windowKey())).isEqualTo(10_000L);

        String newest = "{\"score\":0.5,\"result\":\"miss\",\"category\":\"\",\"_n\":0.1,\"cost_saved_micros\":null}";
        store.record(List.of(miss(now, newest, null))).block(T);

        assertThat(redis.zcard(keys.windowKey())).isEqualTo(10_000L);
        assertThat(redis.zscore(keys.windowKey(), "seed-0")).as("oldest member trimmed").isNull();
        assertThat(redis.zscore(keys.windowKey(), "seed-1")).as("second oldest kept").isNotNull();
        assertThat(redis.zscore(keys.windowKey(), newest)).isEqualTo((double) now);
    }

    /** WIN-06, data-format.md §8: members exactly 7 days old are removed (inclusive), 7 days - 1 ms are kept. */
    @Test
    void recordRemovesWindowMembersAtLeastSevenDaysOld() {
        long now = System.currentTimeMillis();
        redis.zadd(keys.windowKey(), (double) (now - SEVEN_DAYS_MS), "exactly-7d");
        redis.zadd(keys.windowKey(), (double) (now - SEVEN_DAYS_MS - 1), "older-than-7d");
        redis.zadd(keys.windowKey(), (double) (now - SEVEN_DAYS_MS + 1), "7d-minus-1ms");

        store.record(List.of(hit(now, "new"))).block(T);

        assertThat(redis.zrange(keys.windowKey(), 0, -1)).containsExactly("7d-minus-1ms", "new");
    }

    /** The 7-day bound of a group is computed from its latest nowMs. */
    @Test
    void trimBoundOfAGroupUsesTheLatestNow() {
        long now = System.currentTimeMillis();
        redis.zadd(keys.windowKey(), (double) (now - SEVEN_DAYS_MS), "exactly-7d-before-latest");
        store.record(List.of(hit(now - 10, "a"), hit(now, "b"))).block(T);
        assertThat(redis.zrange(keys.windowKey(), 0, -1)).containsExactly("a", "b");
    }

    // ------------------------------------------------------------------------------------------- record: pending

    /** WIN-04, data-format.md §9: pending members older than 5 minutes are pruned; exactly 5 minutes is kept. */
    @Test
    void recordAddsPendingMemberAndPrunesStrictlyOlderThanFiveMinutes() {
        long now = System.currentTimeMillis();
        redis.zadd(keys.missPendingKey(), (double) (now - FIVE_MIN_MS), "exactly-5min");
        redis.zadd(keys.missPendingKey(), (double) (now - FIVE_MIN_MS - 1), "5min-plus-1ms");
        redis.zadd(keys.missPendingKey(), (double) (now - 10 * 60_000), "10min");

        String pending = "{\"correlationId\":\"115049a298532be2\",\"similarityMember\":\"m\"}";
        store.record(List.of(miss(now, "m", pending))).block(T);

        List<ScoredValue<String>> p = redis.zrangeWithScores(keys.missPendingKey(), 0, -1);
        assertThat(p).extracting(ScoredValue::getValue).containsExactly("exactly-5min", pending);
        assertThat(p.get(1).getScore()).isEqualTo((double) now);
        assertThat(redis.pttl(keys.missPendingKey())).isEqualTo(-1L);
    }

    // ------------------------------------------------------------------------------------------- record: TTL, DEL

    /** Hit TTL refresh (data-format.md §3 "sliding expiry"). */
    @Test
    void recordExpiresTheExpireKey() {
        String entry = keys.entryKey("e1");
        redis.hset(entry, "prompt", "p");
        assertThat(redis.ttl(entry)).isEqualTo(-1L);
        store.record(List.of(new Bookkeeping(true, System.currentTimeMillis(), null, null, entry,
                Duration.ofSeconds(120), 0, null))).block(T);
        assertThat(redis.ttl(entry)).isBetween(115L, 120L);
        assertThat(redis.pttl(entry)).isBetween(115_000L, 120_000L);
    }

    /** Stale-model eviction deletes the entry. */
    @Test
    void recordDeletesTheDeleteKey() {
        String entry = keys.entryKey("stale");
        String other = keys.entryKey("other");
        redis.hset(entry, "prompt", "p");
        redis.hset(other, "prompt", "p");
        store.record(List.of(new Bookkeeping(false, System.currentTimeMillis(), null, null, null, null, 0, entry)))
                .block(T);
        assertThat(redis.exists(entry)).isZero();
        assertThat(redis.exists(other)).isEqualTo(1L);
        assertThat(redis.hget(keys.statsKey(), "misses")).isEqualTo("1");
    }

    /** Best-effort pipeline: a failing command (HINCRBY on a string) neither hangs nor stops the others. */
    @Test
    void recordCompletesWhenACommandOfThePipelineFails() {
        redis.set(keys.statsKey(), "not a hash");
        long now = System.currentTimeMillis();
        store.record(List.of(new Bookkeeping(true, now, "w", null, null, null, 7, null))).block(T);

        assertThat(redis.get(keys.statsKey())).isEqualTo("not a hash");
        assertThat(redis.zscore(keys.windowKey(), "w")).as("later commands of the pipeline ran").isEqualTo((double) now);
    }

    @Test
    void readStatsFailsOnAWrongTypeInsteadOfHanging() {
        redis.set(keys.statsKey(), "not a hash");
        assertThatThrownBy(() -> store.readStats().block(T)).hasMessageContaining("WRONGTYPE");
    }

    // ------------------------------------------------------------------------------------------- entries

    private static EntryRecord entry(float[] vector, String... kv) {
        Map<String, String> f = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            f.put(kv[i], kv[i + 1]);
        }
        return new EntryRecord(f, Float32.encode(vector));
    }

    /** STORE-01/STORE-13, data-format.md §3: every field verbatim, embedding as float32 LE bytes, no TTL. */
    @Test
    void putEntryWritesEveryFieldAndTheEmbeddingBytes() {
        float[] v = {0.1f, 0.2f, 0.3f, -1.5f};
        String key = keys.entryKey("3f2b8c1e-9d4a-4e7b-8a61-0c5d2e9f7b13");
        EntryRecord e = entry(v, "prompt", "What is the capital of France?", "response", "Paris ✓",
                "model", "gpt-4o", "category", "geo", "inserted_at", "1787342597123",
                "metadata", "{\"source\":\"faq\"}", "cost_micros", "113", "temperature", "0.7", "top_p", "1",
                "seed", "42");
        store.putEntry(key, e, null).block(T);

        Map<byte[], byte[]> raw = bin.hgetall(b(key));
        Map<String, byte[]> byName = new LinkedHashMap<>();
        raw.forEach((k, val) -> byName.put(s(k), val));
        assertThat(byName.keySet()).containsExactlyInAnyOrder("prompt", "response", "model", "category",
                "inserted_at", "metadata", "embedding", "cost_micros", "temperature", "top_p", "seed");
        assertThat(byName.get("embedding")).isEqualTo(Float32.encode(v)).hasSize(16);
        assertThat(byName.get("embedding")).startsWith(0xcd, 0xcc, 0xcc, 0x3d); // 0.1f LE
        e.fields().forEach((f, val) -> assertThat(s(byName.get(f))).as(f).isEqualTo(val));
        assertThat(redis.pttl(key)).as("no TTL given, none set").isEqualTo(-1L);
    }

    @Test
    void putEntryAppliesTheTtl() {
        String key = keys.entryKey("ttl");
        store.putEntry(key, entry(new float[] {1f}, "prompt", "p", "response", "r"), Duration.ofSeconds(3600)).block(T);
        assertThat(redis.ttl(key)).isBetween(3590L, 3600L);
        assertThat(bin.hget(b(key), b("embedding"))).isEqualTo(new byte[] {0, 0, (byte) 0x80, 0x3f});
    }

    /** STORE-06 on a real server: an HSET failure is a ValkeyCommandError naming HSET. */
    @Test
    void putEntryOnAWrongTypeKeyFailsWithHsetError() {
        String key = keys.entryKey("wrongtype");
        redis.set(key, "string");
        assertThatThrownBy(() -> store.putEntry(key, entry(new float[] {1f}, "prompt", "p"), null).block(T))
                .isInstanceOf(ValkeyCommandError.class)
                .satisfies(ex -> assertThat(((ValkeyCommandError) ex).command()).isEqualTo("HSET"))
                .hasMessageContaining("WRONGTYPE");
    }

    @Test
    void putEntriesWritesAllInOneGoWithTheirOwnTtls() {
        List<String> ks = List.of(keys.entryKey("a"), keys.entryKey("b"), keys.entryKey("c"));
        List<EntryRecord> es = List.of(
                entry(new float[] {1f, 0f}, "prompt", "a", "response", "ra"),
                entry(new float[] {0f, 1f}, "prompt", "b", "response", "rb"),
                entry(new float[] {0.5f, 1.5f}, "prompt", "c", "response", "rc"));
        List<Duration> ttls = new ArrayList<>();
        ttls.add(Duration.ofSeconds(60));
        ttls.add(null);
        ttls.add(Duration.ofSeconds(600));
        store.putEntries(ks, es, ttls).block(T);

        for (int i = 0; i < 3; i++) {
            assertThat(redis.hget(ks.get(i), "prompt")).isEqualTo(es.get(i).fields().get("prompt"));
            assertThat(bin.hget(b(ks.get(i)), b("embedding"))).isEqualTo(es.get(i).embedding());
        }
        assertThat(bin.hget(b(ks.get(2)), b("embedding")))
                .isEqualTo(new byte[] {0, 0, 0, 0x3f, 0, 0, (byte) 0xc0, 0x3f}); // data-format.md §5 example
        assertThat(redis.ttl(ks.get(0))).isBetween(55L, 60L);
        assertThat(redis.ttl(ks.get(1))).isEqualTo(-1L);
        assertThat(redis.ttl(ks.get(2))).isBetween(595L, 600L);
    }

    // ------------------------------------------------------------------------------------------- reads

    @Test
    void readStatsAndReadConfigReturnTheHashes() {
        assertThat(store.readStats().block(T)).as("absent hash").isEmpty();
        assertThat(store.readConfig().block(T)).as("absent hash").isEmpty();

        redis.hset(keys.statsKey(), Map.of("hits", "10", "misses", "5", "total", "15", "cost_saved_micros", "500"));
        redis.hset(keys.configKey(), Map.of("threshold", "0.085", "threshold:faq:v2", "0.07", "ttl", "120",
                "note", "héllo"));

        assertThat(store.readStats().block(T)).containsExactlyInAnyOrderEntriesOf(
                Map.of("hits", "10", "misses", "5", "total", "15", "cost_saved_micros", "500"));
        assertThat(store.readConfig().block(T)).containsExactlyInAnyOrderEntriesOf(
                Map.of("threshold", "0.085", "threshold:faq:v2", "0.07", "ttl", "120", "note", "héllo"));
    }

    @Test
    void readWindowReturnsMembersAndScoresOldestFirst() {
        assertThat(store.readWindow().block(T)).isEmpty();
        redis.zadd(keys.windowKey(), 300.0, "c");
        redis.zadd(keys.windowKey(), 100.0, "a");
        redis.zadd(keys.windowKey(), 1795922050139.0, "{\"score\":0,\"result\":\"hit\"}");
        redis.zadd(keys.windowKey(), 200.0, "b");

        List<WindowRecord> w = store.readWindow().block(T);
        assertThat(w).containsExactly(new WindowRecord("a", 100), new WindowRecord("b", 200),
                new WindowRecord("c", 300), new WindowRecord("{\"score\":0,\"result\":\"hit\"}", 1795922050139.0));
    }

    // ------------------------------------------------------------------------------------------- miss-pending

    @Test
    void pendingMissesPrunesStrictlyOlderThanFiveMinutesAndReturnsTheRestOldestFirst() {
        long now = 1_795_922_050_000L;
        redis.zadd(keys.missPendingKey(), (double) (now - FIVE_MIN_MS - 1), "gone");
        redis.zadd(keys.missPendingKey(), (double) (now - FIVE_MIN_MS), "kept-oldest");
        redis.zadd(keys.missPendingKey(), (double) now, "kept-newest");
        redis.zadd(keys.missPendingKey(), (double) (now - 1000), "kept-middle");

        assertThat(store.pendingMisses(now).block(T)).containsExactly("kept-oldest", "kept-middle", "kept-newest");
        assertThat(redis.zrange(keys.missPendingKey(), 0, -1)).doesNotContain("gone").hasSize(3);
    }

    @Test
    void pendingMissesOfAnAbsentKeyIsEmpty() {
        assertThat(store.pendingMisses(System.currentTimeMillis()).block(T)).isEmpty();
    }

    @Test
    void windowScoreReplaceWindowMemberAndRemovePending() {
        String member = "{\"score\":1,\"result\":\"miss\",\"category\":\"\",\"_n\":0.03,\"cost_saved_micros\":null}";
        String updated = "{\"score\":1,\"result\":\"miss\",\"category\":\"\",\"_n\":0.03,\"cost_saved_micros\":2025}";
        String pending = "{\"correlationId\":\"0123456789abcdef\",\"similarityMember\":\"x\"}";
        String otherPending = "{\"correlationId\":\"fedcba9876543210\",\"similarityMember\":\"y\"}";
        redis.zadd(keys.windowKey(), 1795922050840.0, member);
        redis.zadd(keys.windowKey(), 1795922050900.0, "other");
        redis.zadd(keys.missPendingKey(), 1.0, pending);
        redis.zadd(keys.missPendingKey(), 2.0, otherPending);

        assertThat(store.windowScore(member).block(T)).isEqualTo(1795922050840.0);
        assertThat(store.windowScore("absent").block(T)).as("gone member: empty").isNull();

        store.replaceWindowMember(member, updated, 1795922050840.0, pending).block(T);
        assertThat(redis.zrangeWithScores(keys.windowKey(), 0, -1)).containsExactly(
                ScoredValue.just(1795922050840.0, updated), ScoredValue.just(1795922050900.0, "other"));
        assertThat(redis.zrange(keys.missPendingKey(), 0, -1)).containsExactly(otherPending);

        store.removePending(otherPending).block(T);
        assertThat(redis.exists(keys.missPendingKey())).isZero();
    }

    // ------------------------------------------------------------------------------------------- embedding cache

    /** EMB-07, data-format.md §6: SET ... EX ttl; MGET returns nulls for misses, in order. */
    @Test
    void putEmbeddingsAndGetEmbeddings() {
        String shaA = "115049a298532be2f181edb03f766770c0db84c22aff39003fec340deaec7545";
        String shaB = "ba9c736f19e7f60b7f6764adb0b7908c0a2b394e09b6c09863528c7f2bc86095";
        String missing = "0".repeat(64);
        byte[] va = Float32.encode(new float[] {0.1f, 0.2f});
        byte[] vb = Float32.encode(new float[] {1f, 0f, -2f});
        Map<String, byte[]> put = new LinkedHashMap<>();
        put.put(shaA, va);
        put.put(shaB, vb);
        store.putEmbeddings(put, Duration.ofSeconds(86400)).block(T);

        assertThat(bin.get(b(name + ":embed:" + shaA))).isEqualTo(new byte[] {
                (byte) 0xcd, (byte) 0xcc, (byte) 0xcc, 0x3d, (byte) 0xcd, (byte) 0xcc, 0x4c, 0x3e});
        assertThat(redis.ttl(name + ":embed:" + shaA)).isBetween(86390L, 86400L);
        assertThat(redis.ttl(name + ":embed:" + shaB)).isBetween(86390L, 86400L);

        List<byte[]> got = store.getEmbeddings(List.of(missing, shaB, shaA, missing)).block(T);
        assertThat(got).hasSize(4);
        assertThat(got.get(0)).isNull();
        assertThat(got.get(1)).isEqualTo(vb);
        assertThat(got.get(2)).isEqualTo(va);
        assertThat(got.get(3)).isNull();

        store.putEmbeddings(Map.of(shaA, va), Duration.ofSeconds(30)).block(T);
        assertThat(redis.ttl(name + ":embed:" + shaA)).as("rewritten with the new TTL").isBetween(25L, 30L);
    }

    // ------------------------------------------------------------------------------------------- discovery keys

    /** DISC-06/DISC-15: HGET/HSET of this cache's field only. */
    @Test
    void registryMarkerRoundTripTouchesOnlyThisField() {
        assertThat(store.readRegistryMarker().block(T)).as("absent field: empty").isNull();
        String marker = "{\"type\":\"semantic_cache\",\"prefix\":\"" + name + "\",\"pid\":1,\"hostname\":\"h ✓\"}";
        store.writeRegistryMarker(marker).block(T);
        assertThat(redis.hget(CacheKeys.REGISTRY_KEY, name)).isEqualTo(marker);
        assertThat(store.readRegistryMarker().block(T)).isEqualTo(marker);

        String other = server.uniqueCacheName("vcs_other");
        try {
            redis.hset(CacheKeys.REGISTRY_KEY, other, "{\"type\":\"agent_cache\"}");
            store.writeRegistryMarker("{\"type\":\"semantic_cache\",\"v\":2}").block(T);
            assertThat(redis.hget(CacheKeys.REGISTRY_KEY, other)).isEqualTo("{\"type\":\"agent_cache\"}");
            assertThat(redis.hget(CacheKeys.REGISTRY_KEY, name)).isEqualTo("{\"type\":\"semantic_cache\",\"v\":2}");
        } finally {
            redis.hdel(CacheKeys.REGISTRY_KEY, other);
        }
    }

    /** DISC-06, data-format.md §11.2: SET NX; an existing value stays. The key is global: only "1" is ever written. */
    @Test
    void protocolMarkerIsWrittenWithNx() {
        store.writeProtocolMarker().block(T);
        assertThat(redis.get(CacheKeys.PROTOCOL_KEY)).isEqualTo("1");
        // NX: writing again neither fails nor changes it.
        store.writeProtocolMarker().block(T);
        assertThat(redis.get(CacheKeys.PROTOCOL_KEY)).isEqualTo("1");
        assertThat(redis.pttl(CacheKeys.PROTOCOL_KEY)).as("never expires").isEqualTo(-1L);
    }

    /**
     * NX proven without changing the global key: a client-side-tracking connection (RESP3) is told about every
     * modification of a key it read. A plain SET of the same value "1" modifies the key (control); the store's
     * SET ... NX on the existing key must not.
     */
    @Test
    void protocolMarkerWriteDoesNotModifyAnExistingKey() throws Exception {
        redis.setnx(CacheKeys.PROTOCOL_KEY, "1");
        RedisClient trackingClient = server.newClient();
        try (StatefulRedisConnection<String, String> tracking = trackingClient.connect()) {
            List<String> invalidations = new java.util.concurrent.CopyOnWriteArrayList<>();
            tracking.addListener(msg -> {
                if ("invalidate".equals(msg.getType())) {
                    invalidations.add(String.valueOf(msg.getContent()));
                }
            });
            tracking.sync().clientTracking(io.lettuce.core.TrackingArgs.Builder.enabled());

            // Control: a plain SET of the same value is a modification and is reported.
            assertThat(tracking.sync().get(CacheKeys.PROTOCOL_KEY)).isEqualTo("1");
            redis.set(CacheKeys.PROTOCOL_KEY, "1");
            tracking.sync().ping();
            assertThat(invalidations).as("control: tracking reports modifications").hasSize(1);

            assertThat(tracking.sync().get(CacheKeys.PROTOCOL_KEY)).isEqualTo("1"); // re-arm tracking
            store.writeProtocolMarker().block(T);
            tracking.sync().ping();
            assertThat(invalidations).as("SET NX on an existing key modifies nothing").hasSize(1);
            assertThat(redis.get(CacheKeys.PROTOCOL_KEY)).isEqualTo("1");
        } finally {
            trackingClient.shutdown();
        }
    }

    /** DISC-11/DISC-12/DISC-13: SET ... EX ttl, then DEL. */
    @Test
    void heartbeatIsWrittenWithTtlAndDeleted() {
        store.writeHeartbeat("2026-08-21T20:03:17.123Z", Duration.ofSeconds(60)).block(T);
        assertThat(redis.get(keys.heartbeatKey())).isEqualTo("2026-08-21T20:03:17.123Z");
        assertThat(redis.ttl(keys.heartbeatKey())).isGreaterThan(0L).isLessThanOrEqualTo(60L);

        store.deleteHeartbeat().block(T);
        assertThat(redis.exists(keys.heartbeatKey())).isZero();
        store.deleteHeartbeat().block(T); // absent: still fine
    }

    // ------------------------------------------------------------------------------------------- flush

    /**
     * FLUSH-02 on a server without valkey-search: FT.DROPINDEX fails with "unknown command", which is not an
     * index-missing error, so flush() surfaces ValkeyCommandError("FT.DROPINDEX") and deletes nothing after it.
     */
    @Test
    void flushWithoutTheSearchModuleFailsWithDropIndexError() {
        String entry = keys.entryKey("keep");
        redis.hset(entry, "prompt", "p");
        redis.hset(keys.statsKey(), "total", "1");

        assertThatThrownBy(() -> store.flush().block(T))
                .isInstanceOf(ValkeyCommandError.class)
                .satisfies(ex -> assertThat(((ValkeyCommandError) ex).command()).isEqualTo("FT.DROPINDEX"))
                .hasMessageStartingWith("Valkey command 'FT.DROPINDEX' failed: ")
                .hasMessageContaining("unknown command");
        assertThat(redis.exists(entry)).as("flush stops at the failed drop").isEqualTo(1L);
        assertThat(redis.exists(keys.statsKey())).isEqualTo(1L);
    }

    @Test
    void keysAreThoseOfTheCacheName() {
        assertThat(store.keys()).isEqualTo(keys);
    }

    private static String[] prepend(String first, String[] rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}
