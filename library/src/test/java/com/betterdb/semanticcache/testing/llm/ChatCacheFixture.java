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
 * A cache for tests of the caching chat wrappers: the in-memory store, and an embedder under the test's control that
 * places each known text at a chosen cosine distance from the anchor {@link #QUESTION} (2-d unit vectors), so every
 * hit and miss is decided by known, distinct distances. An unknown text fails the embedding; {@link #failOpens()} then
 * counts it, so tests assert it is zero. {@link #outage(boolean)} makes KNN and entry writes fail as an unreachable
 * Valkey would.
 */
public final class ChatCacheFixture implements AutoCloseable {

    /** The anchor question. */
    public static final String QUESTION = "What is the capital of France?";
    /** A paraphrase, 0.02 from the anchor: a hit at the default threshold 0.1. */
    public static final String PARAPHRASE = "Tell me the capital city of France";
    /** Another question, 0.5 from the anchor: a miss. */
    public static final String OTHER = "How do I bake bread?";

    private final Map<String, float[]> vectors = new ConcurrentHashMap<>();
    private final AtomicBoolean outage = new AtomicBoolean();
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final SemanticCache cache;

    public ChatCacheFixture(String name) {
        place("probe", 0);
        place(QUESTION, 0);
        place(PARAPHRASE, 0.02);
        place(OTHER, 0.5);
        var memory = CacheStores.inMemory();
        cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name(name)
                .store(keys -> new OutageStore(memory.open(keys)))
                .embedFn(text -> Mono.justOrEmpty(vectors.get(text))
                        .switchIfEmpty(Mono.error(new IllegalArgumentException("no test vector for: " + text))))
                .meterRegistry(registry)
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .build());
        cache.initialize().block();
    }

    /** The unit vector at cosine distance {@code d} (0..1) from the anchor. */
    public static float[] at(double d) {
        double cos = 1 - d;
        return new float[]{(float) cos, (float) Math.sqrt(1 - cos * cos)};
    }

    /** Gives {@code text} a vector at distance {@code d} from the anchor. */
    public ChatCacheFixture place(String text, double d) {
        vectors.put(text, at(d));
        return this;
    }

    /** While on, KNN and entry writes fail with "valkey down". */
    public void outage(boolean on) {
        outage.set(on);
    }

    /** {@code semantic_cache_fail_open_total} summed over operations. */
    public double failOpens() {
        return registry.find("semantic_cache_fail_open_total").counters().stream().mapToDouble(Counter::count).sum();
    }

    /** {@code semantic_cache_fail_open_total{operation}}. */
    public double failOpens(String operation) {
        Counter c = registry.find("semantic_cache_fail_open_total").tag("operation", operation).counter();
        return c == null ? 0 : c.count();
    }

    /** {@code semantic_cache_read_through_total{outcome}}. */
    public double readThroughs(String outcome) {
        Counter c = registry.find("semantic_cache_read_through_total").tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    /** Lookups recorded in the stats (hits + misses). */
    public long lookups() {
        return cache.stats().block().total();
    }

    @Override
    public void close() {
        cache.close();
    }

    private final class OutageStore extends ForwardingCacheStore {
        private final CacheStore delegate;

        OutageStore(CacheStore delegate) {
            this.delegate = delegate;
        }

        @Override
        protected CacheStore delegate() {
            return delegate;
        }

        @Override
        public Mono<List<Candidate>> knn(float[] vector, int k, Filter filter) {
            return outage.get() ? Mono.error(new IllegalStateException("valkey down")) : delegate.knn(vector, k, filter);
        }

        @Override
        public Mono<Void> putEntry(String key, EntryRecord entry, Duration ttl) {
            return outage.get() ? Mono.error(new IllegalStateException("valkey down")) : delegate.putEntry(key, entry, ttl);
        }
    }
}
