package com.betterdb.semanticcache.store.contract;

import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.IndexStats;
import com.betterdb.semanticcache.store.valkey.ValkeyCacheStore;
import com.betterdb.semanticcache.testing.ValkeySearchServer;
import com.betterdb.semanticcache.testing.ValkeySearchTest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.junit.jupiter.api.AfterAll;

import java.time.Duration;
import java.util.Optional;

/**
 * The store contract over {@link ValkeyCacheStore} on a real valkey-search (runs where {@code VALKEY_SEARCH_URL} or
 * {@code VALKEY_SEARCH_MODULE} is set, or Docker can start {@code valkey/valkey-bundle}; skipped otherwise). The same
 * suite runs over the in-memory store in every build, so the two cannot drift apart.
 */
@ValkeySearchTest
class ValkeyCacheStoreContractTest extends CacheStoreContract {

    private static RedisClient client;
    private static StatefulRedisConnection<byte[], byte[]> connection;
    private final ValkeySearchServer server;

    ValkeyCacheStoreContractTest(ValkeySearchServer server) {
        this.server = server;
        synchronized (ValkeyCacheStoreContractTest.class) {
            if (client == null) {
                client = server.newClient();
                connection = client.connect(ByteArrayCodec.INSTANCE);
            }
        }
    }

    @AfterAll
    static void closeConnection() {
        if (connection != null) {
            connection.close();
            client.shutdown();
            connection = null;
            client = null;
        }
    }

    @Override
    protected CacheStore newStore(CacheKeys keys) {
        return new ValkeyCacheStore(connection, false, keys);
    }

    @Override
    protected String newCacheName() {
        return server.uniqueCacheName("contract");
    }

    @Override
    protected long nowMs() {
        return System.currentTimeMillis();
    }

    @Override
    protected void advanceTime(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected Optional<String> readHeartbeat(CacheKeys keys) {
        return Optional.ofNullable(server.commands().get(keys.heartbeatKey()));
    }

    @Override
    protected Optional<String> readProtocolMarker() {
        return Optional.ofNullable(server.commands().get(CacheKeys.PROTOCOL_KEY));
    }

    @Override
    protected void writeConfig(CacheKeys keys, String field, String value) {
        server.commands().hset(keys.configKey(), field, value);
    }

    /** valkey-search back-fills asynchronously: wait (bounded) for the documents and the ready state. */
    @Override
    protected void awaitIndexed(CacheStore s, long expectedDocs) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        IndexStats stats = null;
        while (System.nanoTime() < deadline) {
            stats = s.indexStats().block(Duration.ofSeconds(5));
            if (stats != null && stats.numDocs() == expectedDocs && "ready".equals(stats.indexingState())) {
                return;
            }
            advanceTime(Duration.ofMillis(50));
        }
        throw new AssertionError("index not ready with " + expectedDocs + " documents within 15 s: " + stats);
    }

    @Override
    protected void cleanUpShared(CacheKeys keys) {
        server.commands().hdel(CacheKeys.REGISTRY_KEY, keys.name());
        server.commands().del(keys.heartbeatKey(), keys.configKey());
    }
}
