package com.betterdb.semanticcache.store;

import com.betterdb.semanticcache.store.memory.InMemoryCacheStoreFactory;
import com.betterdb.semanticcache.store.memory.InMemoryOptions;
import com.betterdb.semanticcache.store.valkey.ValkeyCacheStore;
import com.betterdb.semanticcache.store.valkey.ValkeyStoreOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;

import java.util.ArrayList;
import java.util.List;
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
     * Valkey + valkey-search on several connections the caller owns (the cache never closes them), all to the same
     * standalone server: the first carries every command but {@code FT.SEARCH} and entry writes, which are spread
     * over the others. valkey-search works through the searches of one connection one at a time, so two search
     * connections let it use two worker threads (see {@link ValkeyStoreOptions}).
     */
    public static CacheStoreFactory valkey(List<StatefulRedisConnection<byte[], byte[]>> connections,
                                           ValkeyStoreOptions options) {
        List<StatefulRedisConnection<byte[], byte[]>> copy = List.copyOf(connections);
        Objects.requireNonNull(options, "options");
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("at least one connection is needed");
        }
        return keys -> new ValkeyCacheStore(copy, false, keys, options);
    }

    /**
     * Valkey + valkey-search through a client the caller owns: opens one byte-array connection for general commands
     * and {@link ValkeyStoreOptions#DEFAULT_SEARCH_CONNECTIONS} for searches and entry writes now (blocking, like
     * {@code RedisClient.connect()}), used by the cache and closed when the cache closes. The client stays open.
     */
    public static CacheStoreFactory valkey(RedisClient client) {
        return valkey(client, ValkeyStoreOptions.defaults());
    }

    /**
     * {@link #valkey(RedisClient)} with {@code options.searchConnections()} search connections and
     * {@code options.pipelineDepth()} searches / entry writes in flight on each.
     */
    public static CacheStoreFactory valkey(RedisClient client, ValkeyStoreOptions options) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(options, "options");
        List<StatefulRedisConnection<byte[], byte[]>> connections = new ArrayList<>(options.searchConnections() + 1);
        try {
            for (int i = 0; i <= options.searchConnections(); i++) {
                connections.add(client.connect(ByteArrayCodec.INSTANCE));
            }
        } catch (RuntimeException e) {
            connections.forEach(StatefulRedisConnection::closeAsync);
            throw e;
        }
        return keys -> new ValkeyCacheStore(connections, true, keys, options);
    }

    /**
     * Valkey Cluster + valkey-search on a cluster connection the caller owns (the cache never closes it). The
     * connection must use a byte-array codec: {@code clusterClient.connect(ByteArrayCodec.INSTANCE)}; it may be shared
     * with the application.
     *
     * <p>Single-key commands are routed by Lettuce to the primary of their key's slot; multi-key reads and deletes are
     * sent as pipelined single-key commands (the cache's keys span slots); {@code flush()} scans every primary.
     * {@code FT.*} commands carry no key and go to the node Lettuce picks: how the index behaves across nodes is
     * valkey-search's cluster behaviour (see docs/valkey-cluster.md).
     */
    public static CacheStoreFactory valkeyCluster(StatefulRedisClusterConnection<byte[], byte[]> connection) {
        Objects.requireNonNull(connection, "connection");
        return keys -> new ValkeyCacheStore(connection, false, keys);
    }

    /**
     * {@link #valkeyCluster(StatefulRedisClusterConnection)} through a cluster client the caller owns: opens one
     * byte-array cluster connection now (blocking, like {@code RedisClusterClient.connect()}), used by the cache and
     * closed when the cache closes. The client stays open.
     */
    public static CacheStoreFactory valkey(RedisClusterClient client) {
        Objects.requireNonNull(client, "client");
        StatefulRedisClusterConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
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
