package com.betterdb.semanticcache.langgraph4j;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.store.CacheStoreFactory;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.store.memory.MutableClock;
import reactor.core.publisher.Mono;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A cache for the memory-store tests: in-memory (or the given) store, a hand-moved clock, and an embedder that places
 * each known text at a chosen cosine distance from the anchor (2-d unit vectors); an unknown text fails loudly.
 */
final class MemoryFixture implements AutoCloseable {

    final Map<String, float[]> vectors = new ConcurrentHashMap<>();
    final List<String> embedded = new CopyOnWriteArrayList<>();
    final MutableClock clock = new MutableClock(Instant.parse("2026-08-21T20:03:17.123Z").toEpochMilli());
    final SemanticCache cache;

    MemoryFixture(String name) {
        this(name, CacheStores.inMemory());
    }

    MemoryFixture(String name, CacheStoreFactory store) {
        place("probe", 0);
        cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name(name)
                .store(store)
                .embedFn(text -> {
                    embedded.add(text);
                    return Mono.justOrEmpty(vectors.get(text))
                            .switchIfEmpty(Mono.error(new AssertionError("no test vector for: " + text)));
                })
                .clock(clock)
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .embeddingCache(SemanticCacheOptions.EmbeddingCache.disabled())
                .build());
    }

    MemoryFixture place(String text, double distance) {
        double cos = 1 - distance;
        vectors.put(text, new float[]{(float) cos, (float) Math.sqrt(1 - cos * cos)});
        return this;
    }

    @Override
    public void close() {
        cache.close();
    }
}
