package com.betterdb.semanticcache.store;

/**
 * Opens a {@link CacheStore} for a cache name. Obtain one from {@link CacheStores}; the cache calls it once when
 * it is built.
 */
@FunctionalInterface
public interface CacheStoreFactory {
    CacheStore open(CacheKeys keys);
}
