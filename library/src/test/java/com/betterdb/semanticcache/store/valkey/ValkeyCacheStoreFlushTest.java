package com.betterdb.semanticcache.store.valkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.betterdb.semanticcache.ValkeyCommandError;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.testing.ValkeyServer;
import com.betterdb.semanticcache.testing.ValkeyTest;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ValkeyCacheStore#flush()} beyond FT.DROPINDEX, on real keys: the store talks to plain Valkey through
 * {@link FtStubProxy}, which answers FT.DROPINDEX as valkey-search does for a missing index and forwards everything
 * else, so the SCAN + DEL part runs against the real server (FLUSH-01, FLUSH-02, FLUSH-05; data-format.md §17).
 */
@ValkeyTest
class ValkeyCacheStoreFlushTest {

    private static final Duration T = Duration.ofSeconds(20);

    private final ValkeyServer server;
    private final RedisCommands<String, String> redis;
    private FtStubProxy proxy;
    private RedisClient client;
    private StatefulRedisConnection<byte[], byte[]> connection;
    private String name;
    private String otherName;
    private CacheKeys keys;
    private ValkeyCacheStore store;

    ValkeyCacheStoreFlushTest(ValkeyServer server) {
        this.server = server;
        this.redis = server.commands();
    }

    @BeforeEach
    void setUp() throws Exception {
        proxy = new FtStubProxy(server.host(), server.port());
        client = RedisClient.create(RedisURI.create("127.0.0.1", proxy.port()));
        client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
        connection = client.connect(ByteArrayCodec.INSTANCE);
        name = server.uniqueCacheName("flush");
        otherName = name + "_other"; // shares the text prefix, not the key prefix "<name>:"
        keys = new CacheKeys(name);
        store = new ValkeyCacheStore(connection, false, keys);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            server.deleteKeys(name + ":*");
            server.deleteKeys(otherName + ":*");
            redis.del(keys.heartbeatKey());
            redis.hdel(CacheKeys.REGISTRY_KEY, name);
        } finally {
            connection.close();
            client.shutdown();
            proxy.close();
        }
    }

    private void seed() {
        for (int i = 0; i < 250; i++) { // several SCAN pages (COUNT 100)
            redis.hset(keys.entryKey("e" + i), Map.of("prompt", "p" + i, "response", "r"));
        }
        for (int i = 0; i < 130; i++) {
            redis.set(keys.embedKey(String.format("%064x", i)), "v");
        }
        redis.hset(keys.statsKey(), "total", "3");
        redis.zadd(keys.windowKey(), 1.0, "m");
        redis.zadd(keys.missPendingKey(), 1.0, "p");
        redis.hset(keys.configKey(), "threshold", "0.08");
        redis.set(name + ":__instance_id", "3f2b8c1e-9d4a-4e7b-8a61-0c5d2e9f7b13");
        redis.lpush(name + ":__tuning_history", "{}");
        redis.hset(CacheKeys.REGISTRY_KEY, name, "{\"type\":\"semantic_cache\"}");
        redis.set(keys.heartbeatKey(), "2026-08-21T20:03:17.123Z");
        redis.hset(otherName + ":entry:1", "prompt", "p");
        redis.set(otherName + ":embed:" + "0".repeat(64), "v");
        redis.hset(otherName + ":__stats", "total", "1");
    }

    /** FLUSH-01/FLUSH-05 with both known index-missing messages of valkey-search. */
    @ParameterizedTest
    @ValueSource(strings = {"Unknown index name", "Index with name '%s' not found in database 0"})
    void flushDropsTheIndexAndDeletesEntriesEmbeddingsAndBookkeeping(String missing) {
        proxy.stub("FT.DROPINDEX", "-" + missing.formatted(keys.indexName()) + "\r\n");
        seed();

        store.flush().block(T);

        assertThat(proxy.stubbed).as("FT.DROPINDEX <name>:idx, without DD").containsExactly(
                List.of("FT.DROPINDEX", name + ":idx"));
        assertThat(server.deleteKeys(name + ":entry:*")).as("every entry deleted").isZero();
        assertThat(server.deleteKeys(name + ":embed:*")).as("every embedding-cache key deleted").isZero();
        assertThat(redis.exists(keys.statsKey(), keys.windowKey(), keys.missPendingKey())).isZero();

        assertThat(redis.hget(keys.configKey(), "threshold")).as("__config kept").isEqualTo("0.08");
        assertThat(redis.exists(name + ":__instance_id", name + ":__tuning_history")).isEqualTo(2L);
        assertThat(redis.hget(CacheKeys.REGISTRY_KEY, name)).as("registry field kept").isNotNull();
        assertThat(redis.exists(keys.heartbeatKey())).as("the store's flush leaves the heartbeat to the cache")
                .isEqualTo(1L);
        assertThat(redis.exists(otherName + ":entry:1", otherName + ":embed:" + "0".repeat(64),
                otherName + ":__stats")).as("another cache untouched").isEqualTo(3L);
    }

    @Test
    void flushOfAnEmptyCacheCompletes() {
        proxy.stub("FT.DROPINDEX", "-Unknown index name\r\n");
        store.flush().block(T);
        assertThat(proxy.stubbed).hasSize(1);
    }

    /** FLUSH-02: any other FT.DROPINDEX error is a ValkeyCommandError and nothing is deleted. */
    @Test
    void otherDropIndexErrorsFailTheFlush() {
        proxy.stub("FT.DROPINDEX", "-ERR some unrelated failure\r\n");
        seed();
        assertThatThrownBy(() -> store.flush().block(T))
                .isInstanceOf(ValkeyCommandError.class)
                .hasMessage("Valkey command 'FT.DROPINDEX' failed: ERR some unrelated failure")
                .satisfies(e -> assertThat(((ValkeyCommandError) e).command()).isEqualTo("FT.DROPINDEX"));
        assertThat(redis.exists(keys.entryKey("e0"), keys.statsKey())).isEqualTo(2L);
    }

    /** A successful drop (the module's "OK") is followed by the deletes as well. */
    @Test
    void flushAfterASuccessfulDrop() {
        proxy.stub("FT.DROPINDEX", "+OK\r\n");
        seed();
        store.flush().block(T);
        assertThat(redis.exists(keys.entryKey("e0"), keys.entryKey("e249"), keys.statsKey())).isZero();
    }
}
