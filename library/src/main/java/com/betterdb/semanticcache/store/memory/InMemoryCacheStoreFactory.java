package com.betterdb.semanticcache.store.memory;

import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStoreFactory;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One in-memory "server": opens one {@link InMemoryCacheStore} per cache name and hands the same store to every
 * cache opened with that name, so two {@code SemanticCache} instances with the same name built from this factory
 * share their entries, stats, window, config and index, as two instances on one Valkey server do. The discovery
 * registry, protocol marker and heartbeats are shared by all names of the factory.
 *
 * <p>Obtain one from {@code CacheStores.inMemory()}. Separate factories are separate, isolated keyspaces.
 */
public final class InMemoryCacheStoreFactory implements CacheStoreFactory {

    private final InMemoryOptions options;
    private final SharedKeys shared;
    private final ConcurrentHashMap<String, InMemoryCacheStore> stores = new ConcurrentHashMap<>();

    public InMemoryCacheStoreFactory(InMemoryOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.shared = new SharedKeys(options.clock());
    }

    /** The store of {@code keys.name()}, created on first use. */
    @Override
    public InMemoryCacheStore open(CacheKeys keys) {
        Objects.requireNonNull(keys, "keys");
        return stores.computeIfAbsent(keys.name(), n -> new InMemoryCacheStore(keys, options, shared));
    }

    /** Shorthand for {@code open(new CacheKeys(name))}. */
    public InMemoryCacheStore open(String name) {
        return open(new CacheKeys(name));
    }

    public InMemoryOptions options() {
        return options;
    }
}
