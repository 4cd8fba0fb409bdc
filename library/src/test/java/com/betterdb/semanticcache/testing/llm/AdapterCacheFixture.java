package com.betterdb.semanticcache.testing.llm;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import com.betterdb.semanticcache.testing.ForwardingCacheStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link SemanticCache} for adapter tests: the in-memory store (whose KNN and entry writes fail while
 * {@link #storeDown(boolean)} is set, as in a Valkey outage), metrics in a {@link SimpleMeterRegistry}, and an
 * embedder under the test's control. Each text is placed in a plane at a chosen cosine distance from one anchor
 * direction ({@link #place}), so every distance a test relies on is known (two texts placed at 0 and 0.02 are 0.02
 * apart). An unplaced text fails the embedding: a test cannot hit or miss by chance.
 */
public final class AdapterCacheFixture implements AutoCloseable {

    private final Map<String, float[]> vectors = new ConcurrentHashMap<>();
    private final AtomicBoolean storeDown = new AtomicBoolean();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SemanticCache cache;

    public AdapterCacheFixture(String name) {
        place("probe", 0);
        var memory = CacheStores.inMemory();
        cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name(name)
                .store(keys -> new FlakyStore(memory.open(keys)))
                .embedFn(text -> Mono.justOrEmpty(vectors.get(text))
                        .switchIfEmpty(Mono.error(() -> new IllegalArgumentException("no vector placed for: " + text))))
                .meterRegistry(registry)
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .build());
        cache.initialize().block();
    }

    /** Places {@code text} at cosine distance {@code distance} (0..1) from the anchor. */
    public AdapterCacheFixture place(String text, double distance) {
        double cos = 1 - distance;
        vectors.put(text, new float[]{(float) cos, (float) Math.sqrt(1 - cos * cos)});
        return this;
    }

    public SemanticCache cache() {
        return cache;
    }

    /** While set, the store's KNN and entry writes fail with "valkey down". */
    public void storeDown(boolean down) {
        storeDown.set(down);
    }

    /** Number of entries in the cache. */
    public long entries() {
        return cache.indexInfo().block().numDocs();
    }

    /** {@code semantic_cache_<name>} counter with the given tags, 0 when not registered. */
    public double counter(String name, String... tags) {
        Counter c = registry.find("semantic_cache_" + name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() {
        cache.close();
    }

    private final class FlakyStore extends ForwardingCacheStore {
        private final CacheStore delegate;

        FlakyStore(CacheStore delegate) {
            this.delegate = delegate;
        }

        @Override
        protected CacheStore delegate() {
            return delegate;
        }

        @Override
        public Mono<List<Candidate>> knn(float[] vector, int k, Filter filter) {
            return storeDown.get() ? Mono.error(new IllegalStateException("valkey down"))
                    : delegate.knn(vector, k, filter);
        }

        @Override
        public Mono<Void> putEntry(String key, EntryRecord entry, Duration ttl) {
            return storeDown.get() ? Mono.error(new IllegalStateException("valkey down"))
                    : delegate.putEntry(key, entry, ttl);
        }
    }
}
