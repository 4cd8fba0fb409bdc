package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.CacheStoreFactory;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.store.memory.InMemoryOptions;
import com.betterdb.semanticcache.store.valkey.ValkeyStoreOptions;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The store of the auto-configured cache, with where it is (for health details and error messages). A Valkey store
 * connects when the cache initializes, not when the application context is built; a Lettuce client it created from
 * {@code betterdb.semantic-cache.valkey.url} is shut down when this bean is destroyed, which Spring does after the
 * cache (the cache depends on it). Define your own {@link CacheStoreFactory} bean to replace it.
 */
public final class SemanticCacheStore implements CacheStoreFactory, AutoCloseable {

    private final String description;
    private final CacheStoreFactory inMemory;
    private final Supplier<? extends AbstractRedisClient> client;
    private final ValkeyStoreOptions options;
    private final AbstractRedisClient owned;

    private SemanticCacheStore(String description, CacheStoreFactory inMemory,
                               Supplier<? extends AbstractRedisClient> client, ValkeyStoreOptions options,
                               AbstractRedisClient owned) {
        this.description = description;
        this.inMemory = inMemory;
        this.client = client;
        this.options = options;
        this.owned = owned;
    }

    /** The in-memory store (one keyspace per bean). */
    public static SemanticCacheStore inMemory(InMemoryOptions options) {
        return new SemanticCacheStore("in-memory", CacheStores.inMemory(options), null, null, null);
    }

    /**
     * Valkey through a Lettuce client ({@link RedisClient} or {@link RedisClusterClient}) asked for when the cache
     * first connects.
     *
     * @param owned the client when this store created it (shut down by {@link #close()}), else {@code null}
     */
    public static SemanticCacheStore valkey(Supplier<? extends AbstractRedisClient> client, ValkeyStoreOptions options,
                                            String description, AbstractRedisClient owned) {
        return new SemanticCacheStore(description, null, Objects.requireNonNull(client, "client"),
                Objects.requireNonNull(options, "options"), owned);
    }

    /** Valkey at {@code url}, through a client this store creates and shuts down. */
    static SemanticCacheStore valkeyAt(String url, boolean cluster, ValkeyStoreOptions options) {
        RedisURI uri = RedisURI.create(url);
        AbstractRedisClient own = cluster ? RedisClusterClient.create(uri) : RedisClient.create(uri);
        return valkey(() -> own, options, (cluster ? "Valkey Cluster at " : "Valkey at ") + display(uri)
                + " (" + SemanticCacheProperties.PREFIX + ".valkey.url)", own);
    }

    /** A URL without credentials, for messages. */
    static String display(RedisURI uri) {
        if (uri.getHost() == null) {
            return uri.getSentinels().isEmpty() ? "a socket" : "sentinels of " + uri.getSentinelMasterId();
        }
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort()
                + (uri.getDatabase() != 0 ? "/" + uri.getDatabase() : "");
    }

    /** Where the entries are, e.g. {@code Valkey at redis://localhost:6379 (betterdb.semantic-cache.valkey.url)}. */
    public String description() {
        return description;
    }

    public boolean isInMemory() {
        return inMemory != null;
    }

    @Override
    public CacheStore open(CacheKeys keys) {
        if (inMemory != null) {
            return inMemory.open(keys);
        }
        return new LazyCacheStore(keys, () -> connect(client.get()).open(keys));
    }

    private CacheStoreFactory connect(AbstractRedisClient c) {
        if (c instanceof RedisClusterClient cluster) {
            return CacheStores.valkey(cluster);
        }
        if (c instanceof RedisClient standalone) {
            return CacheStores.valkey(standalone, options);
        }
        throw new IllegalStateException("unsupported Lettuce client " + c.getClass().getName());
    }

    /** Shuts down the client this store created (none for a client bean or a connection factory). */
    @Override
    public void close() {
        if (owned != null) {
            owned.shutdown();
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
