package com.betterdb.semanticcache.store;

import com.betterdb.semanticcache.store.memory.InMemoryCacheStoreFactory;
import com.betterdb.semanticcache.store.memory.InMemoryOptions;
import com.betterdb.semanticcache.store.valkey.ValkeyCacheStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;

import java.util.Objects;

/** Factories of the built-in stores. */
public final class CacheStores {

    private CacheStores() {
    }

    /**
     * Valkey + valkey-search on a connection the caller owns (the cache never closes it). The connection must use
     * a byte-array codec: {@code client.connect(ByteArrayCodec.INSTANCE)}. It may be shared with the application;
     * the cache pipelines its commands without touching the connection's settings.
     */
    public static CacheStoreFactory valkey(StatefulRedisConnection<byte[], byte[]> connection) {
        Objects.requireNonNull(connection, "connection");
        return keys -> new ValkeyCacheStore(connection, false, keys);
    }

    /**
     * Valkey + valkey-search through a client the caller owns: opens one byte-array connection now (blocking, like
     * {@code RedisClient.connect()}), used by the cache and closed when the cache closes. The client stays open.
     */
    public static CacheStoreFactory valkey(RedisClient client) {
        Objects.requireNonNull(client, "client");
        StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
        return keys -> new ValkeyCacheStore(connection, true, keys);
    }

    /**
     * An in-memory store (exact KNN in this JVM; not distributed, not persistent): for tests, demos and use without
     * a Valkey server. Each call returns a new, empty keyspace; caches built from the same factory with the same name
     * share one store. See {@code InMemoryCacheStore} for its semantics and limits.
     */
    public static InMemoryCacheStoreFactory inMemory() {
        return inMemory(InMemoryOptions.defaults());
    }

    /** {@link #inMemory()} with options (entry limit, clock for TTLs, pre-set dimension). */
    public static InMemoryCacheStoreFactory inMemory(InMemoryOptions options) {
        return new InMemoryCacheStoreFactory(Objects.requireNonNull(options, "options"));
    }
}
