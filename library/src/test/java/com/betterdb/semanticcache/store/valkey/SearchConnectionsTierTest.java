package com.betterdb.semanticcache.store.valkey;

import com.betterdb.semanticcache.BatchOptions;
import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.StoreRequest;
import com.betterdb.semanticcache.StoreResult;
import com.betterdb.semanticcache.prompt.Prompt;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.testing.ValkeySearchServer;
import com.betterdb.semanticcache.testing.ValkeySearchTest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code CacheStores.valkey(client, options)} on a real valkey-search: searches and entry writes go over the search
 * connections (a small pipeline depth forces batches to wait for room), bookkeeping over the general one, and every
 * result still lands on its own element.
 */
@ValkeySearchTest
class SearchConnectionsTierTest {

    private static final Duration T = Duration.ofSeconds(30);
    private static final int DIM = 32;
    private static final int N = 120;

    private final ValkeySearchServer server;

    SearchConnectionsTierTest(ValkeySearchServer server) {
        this.server = server;
    }

    /** A distinct random unit-free vector per text (no two prompts tie). */
    private static float[] vector(String text) {
        Random r = new Random(text.hashCode());
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void batchesSpreadOverSearchConnectionsAndKeepEveryResultInPlace() throws Exception {
        String name = server.uniqueCacheName("lanes");
        String clientName = name.replace(':', '_');
        RedisClient client = RedisClient.create(RedisURI.builder(server.uri()).withClientName(clientName).build());
        SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name(name)
                .store(CacheStores.valkey(client, ValkeyStoreOptions.builder().searchConnections(2).pipelineDepth(8)
                        .build()))
                .embedFn(t -> Mono.just(vector(t)))
                .defaultThreshold(0.01)
                .meterRegistry(new SimpleMeterRegistry())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .build());
        try {
            cache.initialize().block(T);
            List<StoreResult> stored = cache.storeAll(Flux.range(0, N).map(i -> StoreRequest.of("prompt " + i,
                    "answer " + i)), BatchOptions.defaults().withMaxInFlight(64)).collectList().block(T);
            assertThat(stored).hasSize(N).noneMatch(StoreResult::isError);
            awaitDocs(cache, N);

            List<CacheResult> results = cache.checkAll(Flux.range(0, N).map(i -> Prompt.of("prompt " + i)),
                    CheckOptions.defaults(), BatchOptions.defaults().withMaxInFlight(64)).collectList().block(T);
            assertThat(results).hasSize(N);
            for (int i = 0; i < N; i++) {
                assertThat(results.get(i).error()).isNull();
                assertThat(results.get(i).hit()).as("prompt %d", i).isTrue();
                assertThat(results.get(i).response()).isEqualTo("answer " + i);
            }
            assertThat(cache.stats().block(T).hits()).isEqualTo(N);

            // Three connections of ours: two whose last command was a search, one that did the bookkeeping.
            List<String> ours = Arrays.stream(server.commands().clientList().split("\n"))
                    .filter(l -> l.contains(" name=" + clientName + " ")).toList();
            assertThat(ours).hasSize(3);
            assertThat(ours).filteredOn(l -> l.contains(" cmd=ft.search ") || l.contains(" cmd=FT.SEARCH "))
                    .hasSize(2);
        } finally {
            cache.flush().onErrorResume(e -> Mono.empty()).block(T);
            cache.close();
            server.dropCache(name);
            client.shutdown();
        }
    }

    private static void awaitDocs(SemanticCache cache, long docs) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (System.nanoTime() < deadline) {
            var info = cache.indexInfo().block(T);
            if (info.numDocs() == docs && "ready".equals(info.indexingState())) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("index not ready with " + docs + " docs");
    }
}
