package com.betterdb.semanticcache.testing.llm;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.CacheStoreFactory;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import com.betterdb.semanticcache.store.memory.MutableClock;
import com.betterdb.semanticcache.testing.ForwardingCacheStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The cache of every adapter test: the in-memory store (or the given one), whose KNN and entry writes fail while
 * {@link #storeDown(boolean)} is set, as in a Valkey outage; metrics in a {@link SimpleMeterRegistry}; a hand-moved
 * clock; no embedding cache; and an embedder under the test's control. Each text is placed at a chosen cosine
 * distance from one anchor direction ({@link #place}, 2-d unit vectors), so every distance a test relies on is known
 * and distinct (two texts placed at 0 and 0.02 are 0.02 apart). An unplaced text fails its embedding: a test cannot
 * hit or miss by chance, and {@link #failOpens()} counts it when it is tolerated, so tests assert that it is zero.
 * Initialised on construction.
 */
public final class AdapterCacheFixture implements AutoCloseable {

    /** The anchor question, at distance 0. */
    public static final String QUESTION = "What is the capital of France?";
    /** A paraphrase, 0.02 from the anchor: a hit at the default threshold 0.1. */
    public static final String PARAPHRASE = "Which city is the capital of France?";
    /** Another question, 0.5 from the anchor: a miss. */
    public static final String OTHER = "How do I bake bread?";

    private final Map<String, float[]> vectors = new ConcurrentHashMap<>();
    private final List<String> embedded = new CopyOnWriteArrayList<>();
    private final AtomicBoolean storeDown = new AtomicBoolean();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-08-21T20:03:17.123Z").toEpochMilli());
    private final SemanticCache cache;

    public AdapterCacheFixture(String name) {
        this(name, CacheStores.inMemory());
    }

    public AdapterCacheFixture(String name, CacheStoreFactory store) {
        place("probe", 0).place(QUESTION, 0).place(PARAPHRASE, 0.02).place(OTHER, 0.5);
        cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name(name)
                .store(keys -> new FlakyStore(store.open(keys)))
                .embedFn(text -> {
                    embedded.add(text);
                    return Mono.justOrEmpty(vectors.get(text))
                            .switchIfEmpty(Mono.error(() -> new IllegalArgumentException("no vector placed for: " + text)));
                })
                .meterRegistry(registry)
                .clock(clock)
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .embeddingCache(SemanticCacheOptions.EmbeddingCache.disabled())
                .build());
        cache.initialize().block();
    }

    /** The unit vector at cosine distance {@code distance} (0..1) from the anchor. */
    public static float[] at(double distance) {
        double cos = 1 - distance;
        return new float[]{(float) cos, (float) Math.sqrt(1 - cos * cos)};
    }

    /** Places {@code text} at cosine distance {@code distance} (0..1) from the anchor. */
    public AdapterCacheFixture place(String text, double distance) {
        vectors.put(text, at(distance));
        return this;
    }

    public SemanticCache cache() {
        return cache;
    }

    public MutableClock clock() {
        return clock;
    }

    /** Every text embedded so far, in order (the probe of {@code initialize()} first). */
    public List<String> embedded() {
        return List.copyOf(embedded);
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

    /** {@code semantic_cache_fail_open_total} summed over operations. */
    public double failOpens() {
        return registry.find("semantic_cache_fail_open_total").counters().stream().mapToDouble(Counter::count).sum();
    }

    /** Lookups recorded in the stats (hits + misses). */
    public long lookups() {
        return cache.stats().block().total();
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
