package com.betterdb.semanticcache.store.valkey;

import static org.assertj.core.api.Assertions.assertThat;

import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.testing.ValkeyCluster;
import com.betterdb.semanticcache.testing.ValkeyClusterTest;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SCAN + DEL part of {@code flush()} on a real 3-primary cluster (data-format.md §16–17, behaviour.md §1.3 step 4
 * and §16): keys are spread over every primary, SCAN runs on each primary, each batch is deleted with per-key DELs
 * (a multi-key DEL would fail with CROSSSLOT). FT.DROPINDEX itself cannot run here (no search module on these nodes),
 * so the package-private steps after it are called directly: {@link ValkeyCacheStore#deleteByPattern(String)} and
 * {@link ValkeyCacheStore#deleteCacheKeys()}. The whole flush, FT.DROPINDEX included, runs on a search cluster in
 * {@code ValkeySearchClusterStoreTest}.
 */
@ValkeyClusterTest
class ValkeyClusterFlushTest {

    private static final Duration T = Duration.ofSeconds(30);

    private final ValkeyCluster cluster;
    private RedisClusterClient client;
    private StatefulRedisClusterConnection<byte[], byte[]> connection;
    private String name;
    private String otherName;
    private CacheKeys keys;
    private ValkeyCacheStore store;

    ValkeyClusterFlushTest(ValkeyCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void setUp() {
        client = cluster.newClient();
        connection = client.connect(ByteArrayCodec.INSTANCE);
        name = cluster.uniqueCacheName("cflush");
        otherName = name + "_other"; // shares the text prefix, not the key prefix "<name>:"
        keys = new CacheKeys(name);
        store = new ValkeyCacheStore(connection, false, keys);
    }

    @AfterEach
    void tearDown() {
        try {
            cluster.deleteKeys(name + ":*");
            cluster.deleteKeys(otherName + ":*");
            cluster.connection().sync().hdel(CacheKeys.REGISTRY_KEY, name);
        } finally {
            connection.close();
            client.shutdown();
        }
    }

    private void seed() {
        var c = cluster.connection().sync();
        for (int i = 0; i < 300; i++) { // several SCAN pages (COUNT 100) on every primary
            c.hset(keys.entryKey("e" + i), Map.of("prompt", "p" + i, "response", "r"));
        }
        for (int i = 0; i < 120; i++) {
            c.set(keys.embedKey(String.format("%064x", i)), "vec" + i);
        }
        c.hset(keys.statsKey(), Map.of("total", "3", "hits", "2", "misses", "1"));
        c.zadd(keys.windowKey(), 1.0, "{\"score\":0.1}");
        c.zadd(keys.missPendingKey(), 1.0, "{\"id\":\"x\"}");
        c.hset(keys.configKey(), "threshold", "0.2");
        c.set(name + ":__instance_id", "iid");
        c.hset(CacheKeys.REGISTRY_KEY, name, "{\"type\":\"semantic_cache\"}");
        c.set("__betterdb:protocol", "1");
        c.hset(new CacheKeys(otherName).entryKey("keep"), Map.of("prompt", "other"));
        c.set(new CacheKeys(otherName).embedKey("keep"), "other");
    }

    private long count(String pattern) {
        return cluster.keysByPrimary(pattern).values().stream().mapToLong(List::size).sum();
    }

    @Test
    void seededKeysReallySpanEveryPrimary() {
        seed();
        Map<String, List<String>> entries = cluster.keysByPrimary(keys.entryPrefix() + "*");
        Map<String, List<String>> embeds = cluster.keysByPrimary(keys.embedPrefix() + "*");
        assertThat(entries).hasSize(cluster.primaries().size());
        assertThat(entries.values()).as("entry keys on every primary").allSatisfy(l -> assertThat(l).isNotEmpty());
        assertThat(embeds.values()).as("embed keys on every primary").allSatisfy(l -> assertThat(l).isNotEmpty());
        assertThat(count(keys.entryPrefix() + "*")).isEqualTo(300);
        assertThat(count(keys.embedPrefix() + "*")).isEqualTo(120);
    }

    @Test
    void deleteByPatternRemovesMatchingKeysOnEveryPrimaryAndNothingElse() {
        seed();
        Long deleted = store.deleteByPattern(keys.entryPrefix() + "*").block(T);

        assertThat(deleted).isEqualTo(300);
        assertThat(cluster.keysByPrimary(keys.entryPrefix() + "*").values())
                .as("no entry key left on any primary").allSatisfy(l -> assertThat(l).isEmpty());
        assertThat(count(keys.embedPrefix() + "*")).as("other pattern untouched").isEqualTo(120);
        assertThat(count(otherName + ":*")).as("a cache sharing the text prefix is untouched").isEqualTo(2);

        assertThat(store.deleteByPattern(keys.embedPrefix() + "*").block(T)).isEqualTo(120);
        assertThat(count(keys.embedPrefix() + "*")).isZero();
        assertThat(store.deleteByPattern(keys.embedPrefix() + "*").block(T)).as("nothing left: no DEL sent").isZero();
    }

    @Test
    void deleteCacheKeysIsFlushAfterDropIndex() {
        seed();
        store.deleteCacheKeys().block(T);

        var c = cluster.connection().sync();
        assertThat(count(keys.entryPrefix() + "*")).isZero();
        assertThat(count(keys.embedPrefix() + "*")).isZero();
        // stats, window and pending live in different slots: deleted with one DEL each (no CROSSSLOT).
        assertThat(existsEach(keys.statsKey(), keys.windowKey(), keys.missPendingKey())).isZero();
        // Kept (data-format.md §17): config, instance id, registry field, protocol marker, other caches.
        assertThat(c.hget(keys.configKey(), "threshold")).isEqualTo("0.2");
        assertThat(c.get(name + ":__instance_id")).isEqualTo("iid");
        assertThat(c.hget(CacheKeys.REGISTRY_KEY, name)).isNotNull();
        assertThat(c.get("__betterdb:protocol")).isEqualTo("1");
        assertThat(count(otherName + ":*")).isEqualTo(2);
    }

    @Test
    void deleteCacheKeysOnAnEmptyCacheIsANoOp() {
        store.deleteCacheKeys().block(T);
        assertThat(count(name + ":*")).isZero();
    }

    private long existsEach(String... k) {
        long n = 0;
        for (String key : k) {
            n += cluster.connection().sync().exists(key);
        }
        return n;
    }
}
