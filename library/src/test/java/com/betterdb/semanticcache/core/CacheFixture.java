package com.betterdb.semanticcache.core;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.store.IndexDescriptor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/** A cache over a {@link RecordingStore} with an existing 3-dim index and a counting embedder. */
final class CacheFixture {

    static final float[] VECTOR = {0.1f, 0.2f, 0.3f};
    static final long NOW = 1_787_342_597_123L;

    final RecordingStore store;
    final SemanticCache cache;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<String> embedded = new CopyOnWriteArrayList<>();

    private CacheFixture(String name, Function<String, Mono<float[]>> embed, Consumer<SemanticCacheOptions.Builder> custom,
                         boolean existingIndex) {
        RecordingStore[] holder = new RecordingStore[1];
        SemanticCacheOptions.Builder b = SemanticCacheOptions.builder()
                .name(name)
                .store(keys -> {
                    holder[0] = new RecordingStore(keys);
                    if (existingIndex) {
                        holder[0].existingIndex = new IndexDescriptor(3, true);
                    }
                    return holder[0];
                })
                .embedFn(text -> {
                    embedded.add(text);
                    return embed.apply(text);
                })
                .meterRegistry(registry)
                .clock(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC))
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .embeddingCache(SemanticCacheOptions.EmbeddingCache.disabled());
        custom.accept(b);
        this.cache = SemanticCache.create(b.build());
        this.store = holder[0];
    }

    static CacheFixture create(Consumer<SemanticCacheOptions.Builder> custom) {
        return new CacheFixture("ftchar", t -> Mono.just(VECTOR.clone()), custom, true);
    }

    static CacheFixture create() {
        return create(b -> {
        });
    }

    static CacheFixture withEmbedder(Function<String, Mono<float[]>> embed, Consumer<SemanticCacheOptions.Builder> custom,
                                     boolean existingIndex) {
        return new CacheFixture("ftchar", embed, custom, existingIndex);
    }

    CacheFixture initialized() {
        cache.initialize().block();
        return this;
    }

    double counter(String name, String... tags) {
        var c = registry.find("semantic_cache_" + name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }
}
