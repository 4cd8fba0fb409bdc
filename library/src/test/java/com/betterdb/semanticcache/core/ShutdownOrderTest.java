package com.betterdb.semanticcache.core;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code shutdown()} completes only once the store has released its connection, so that a caller who shuts the
 * Valkey client down next (the documented order: processor, cache, client) does not close it under the cache.
 */
class ShutdownOrderTest {

    @Test
    void shutdownDeletesTheHeartbeatThenWaitsForTheStoreToClose() {
        List<String> events = new CopyOnWriteArrayList<>();
        Sinks.Empty<Void> connectionClosed = Sinks.empty();
        SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                .store(keys -> new RecordingStore(keys) {
                    @Override
                    public Mono<Void> deleteHeartbeat() {
                        return Mono.fromRunnable(() -> events.add("deleteHeartbeat"));
                    }

                    @Override
                    public Mono<Void> closeAsync() {
                        return Mono.defer(() -> {
                            events.add("closeAsync");
                            return connectionClosed.asMono();
                        });
                    }
                })
                .embedFn(t -> Mono.just(new float[3]))
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .build());

        AtomicBoolean done = new AtomicBoolean();
        cache.shutdown().subscribe(null, null, () -> done.set(true));

        assertThat(events).containsExactly("deleteHeartbeat", "closeAsync");
        assertThat(done).as("completed before the store's connection was closed").isFalse();
        connectionClosed.tryEmitEmpty();
        assertThat(done).isTrue();

        cache.shutdown().block();
        assertThat(events).as("a second shutdown closes nothing again").hasSize(2);
    }

    @Test
    void aFailingStoreCloseDoesNotFailShutdown() {
        SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                .store(keys -> new RecordingStore(keys) {
                    @Override
                    public Mono<Void> closeAsync() {
                        return Mono.error(new IllegalStateException("already gone"));
                    }
                })
                .embedFn(t -> Mono.just(new float[3]))
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .build());

        cache.shutdown().block();
    }
}
