package com.betterdb.semanticcache.core;

import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.store.memory.InMemoryCacheStoreFactory;

import java.util.concurrent.atomic.AtomicInteger;

/** {@link JudgeLabelledAdvisorScenario} on the in-memory store. */
class JudgeLabelledAdvisorInMemoryTest extends JudgeLabelledAdvisorScenario {

    private static final AtomicInteger NAMES = new AtomicInteger();
    private final InMemoryCacheStoreFactory stores = CacheStores.inMemory();

    @Override
    protected SemanticCacheOptions.Builder withStore(String name) {
        return SemanticCacheOptions.builder().name(name).store(stores);
    }

    @Override
    protected String newName() {
        return "advisor-" + NAMES.incrementAndGet();
    }

    @Override
    protected void writeThreshold(String name, double threshold) {
        stores.open(name).putConfig("threshold", Double.toString(threshold));
    }
}
