package com.betterdb.semanticcache.langgraph4j;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.testing.ValkeySearchServer;
import com.betterdb.semanticcache.testing.ValkeySearchTest;
import com.betterdb.semanticcache.testing.ValkeyServer;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The memory store on a real Valkey with valkey-search (the search test tier; skipped, saying why, where none is
 * reachable): the paged {@code FT.SEARCH ... SORTBY inserted_at}, the KNN within a category, and DEL of item entries,
 * as the Python and TypeScript stores send them. Deterministic test embedder, 64 dimensions.
 */
@ValkeySearchTest
class SemanticMemoryStoreValkeyTest {

    private static final Duration T = Duration.ofSeconds(15);
    private static final List<String> NS = List.of("user", "alice");

    private final ValkeySearchServer server;
    private ValkeyServer.BinaryConnection binary;
    private SemanticCache cache;
    private SemanticMemoryStore store;
    private String name;

    SemanticMemoryStoreValkeyTest(ValkeySearchServer server) {
        this.server = server;
    }

    @BeforeEach
    void open() {
        binary = server.openBinary();
        name = server.uniqueCacheName("lgmem");
        cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name(name)
                .store(CacheStores.valkey(binary.connection()))
                .embedFn(TestEmbedder.embedFn(64))
                .meterRegistry(new SimpleMeterRegistry())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .build());
        store = new SemanticMemoryStore(cache);
    }

    @AfterEach
    void close() {
        try {
            cache.flush().onErrorResume(e -> Mono.empty()).block(T);
            cache.close();
            server.dropCache(name);
        } finally {
            binary.close();
        }
    }

    /** valkey-search indexes in the background: wait (bounded) until the index holds {@code docs} documents. */
    private void awaitDocs(long docs) {
        long deadline = System.nanoTime() + T.toNanos();
        long seen = -1;
        while (System.nanoTime() < deadline) {
            var info = cache.indexInfo().block(T);
            seen = info.numDocs();
            if (seen == docs && "ready".equals(info.indexingState())) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("index holds " + seen + " documents, expected " + docs);
    }

    @Test
    void putGetSearchAndDeleteOnValkeySearch() {
        store.put(NS, "coffee", Map.of("content", "Alice drinks her coffee black")).block(T);
        store.put(NS, "city", Map.of("content", "Alice lives in Lisbon")).block(T);
        store.put(List.of("user", "bob"), "coffee", Map.of("content", "Bob drinks tea")).block(T);
        awaitDocs(3);

        assertThat(store.get(NS, "city").block(T).value()).containsEntry("content", "Alice lives in Lisbon");
        List<Item> found = store.search(NS, "Alice drinks her coffee black", 5).block(T);
        assertThat(found).extracting(Item::key).containsExactly("coffee");
        assertThat(store.search(NS, "Alice drinks her coffee black", 5, 2.0).block(T)).extracting(Item::key)
                .containsExactlyInAnyOrder("coffee", "city");
        assertThat(store.search(NS, null, 10).block(T)).extracting(Item::key)
                .containsExactlyInAnyOrder("coffee", "city");

        store.put(NS, "coffee", Map.of("content", "Alice switched to tea")).block(T);
        awaitDocs(3);
        assertThat(store.get(NS, "coffee").block(T).value()).containsEntry("content", "Alice switched to tea");

        assertThat(store.delete(NS, "coffee").block(T)).isEqualTo(1);
        awaitDocs(2);
        assertThat(store.get(NS, "coffee").blockOptional(T)).isEmpty();
        assertThat(store.get(List.of("user", "bob"), "coffee").block(T)).isNotNull();
    }

    @Test
    void deletePagesPastTheFirstHundredEntries() { // ADP-31 on a real server
        cache.initialize().block(T);
        int n = SemanticMemoryStore.PAGE + 8;
        StoreOptions opts = StoreOptions.builder().category("user:alice").build();
        Flux.range(0, n).concatMap(i -> {
            String key = i == 10 || i == 50 || i == 103 ? "target" : "k" + i;
            String item = "{\"namespace\":[\"user\",\"alice\"],\"key\":\"" + key + "\",\"value\":{\"content\":\"memory "
                    + i + "\"},\"createdAt\":\"\",\"updatedAt\":\"\"}";
            return cache.store("memory " + i, item, opts);
        }).then().block(Duration.ofSeconds(60));
        awaitDocs(n);

        assertThat(store.get(NS, "k104").block(T)).isNotNull();
        assertThat(store.delete(NS, "target").block(T)).isEqualTo(3);
        awaitDocs(n - 3);
        assertThat(store.get(NS, "target").blockOptional(T)).isEmpty();
        assertThat(store.get(NS, "k107").block(T)).isNotNull();
    }

    @Test
    void anItemWrittenByThePythonStoreIsFoundByKey() {
        cache.initialize().block(T);
        String py = "{\"namespace\": [\"user\", \"alice\"], \"key\": \"from-py\", \"value\": {\"content\": \"py\"}, "
                + "\"created_at\": \"2026-08-21T20:03:17Z\", \"updated_at\": \"2026-08-21T20:03:17Z\"}";
        cache.store("py memory", py, StoreOptions.builder().category("user:alice")
                .metadata(Map.of("key", "from-py", "namespace", "user:alice")).build()).block(T);
        awaitDocs(1);
        Item item = store.get(NS, "from-py").block(T);
        assertThat(item.createdAt()).isEqualTo("2026-08-21T20:03:17Z");
        assertThat(item.value()).containsEntry("content", "py");
    }
}
