package com.betterdb.semanticcache.langgraph4j;

import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import com.betterdb.semanticcache.CacheEntry;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.filter.Filter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The memory store on the in-memory cache store, with texts at known, distinct distances from the anchor. */
class SemanticMemoryStoreTest {

    private static final List<String> ALICE = List.of("user", "alice");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AdapterCacheFixture fx = new AdapterCacheFixture("lg");
    private final SemanticMemoryStore store = new SemanticMemoryStore(fx.cache());

    @AfterEach
    void close() {
        fx.close();
    }

    private List<CacheEntry> entries(String category) {
        return fx.cache().entries(Filter.category(category), 0, 100).block();
    }

    private static Map<String, Object> content(String text) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("content", text);
        v.put("source", "chat");
        return v;
    }

    @Test
    void putThenGetRoundTripsTheItem() {
        fx.place("Alice likes coffee", 0.3);
        store.put(ALICE, "m1", content("Alice likes coffee")).block();
        Item item = store.get(ALICE, "m1").block();
        assertThat(item).isNotNull();
        assertThat(item.namespace()).containsExactly("user", "alice");
        assertThat(item.key()).isEqualTo("m1");
        assertThat(item.value()).containsEntry("content", "Alice likes coffee").containsEntry("source", "chat");
        assertThat(item.createdAt()).isEqualTo("2026-08-21T20:03:17.123Z").isEqualTo(item.updatedAt());
        assertThat(store.get(ALICE, "missing").blockOptional()).isEmpty();
        assertThat(store.get(List.of("user", "bob"), "m1").blockOptional()).isEmpty();
    }

    @Test
    void entriesHaveTheSharedLayout() throws Exception { // docs/adapters.md, the memory store's item layout
        fx.place("Alice likes coffee", 0.3);
        store.put(List.of("user", "alice", "memories"), "m1", content("Alice likes coffee")).block();
        List<CacheEntry> rows = entries("user:alice:memories");
        assertThat(rows).hasSize(1);
        CacheEntry e = rows.get(0);
        assertThat(e.prompt()).isEqualTo("Alice likes coffee");
        assertThat(e.response()).isEqualTo("{\"namespace\":[\"user\",\"alice\",\"memories\"],\"key\":\"m1\","
                + "\"value\":{\"content\":\"Alice likes coffee\",\"source\":\"chat\"},"
                + "\"createdAt\":\"2026-08-21T20:03:17.123Z\",\"updatedAt\":\"2026-08-21T20:03:17.123Z\"}");
        JsonNode metadata = JSON.readTree(e.field("metadata"));
        assertThat(metadata.get("key").asText()).isEqualTo("m1");
        assertThat(metadata.get("namespace").asText()).isEqualTo("user:alice:memories");
        assertThat(metadata.size()).isEqualTo(2);
    }

    @Test
    void theCategoryJoinsSegmentsAndReplacesDotsAndSlashes() {
        assertThat(SemanticMemoryStore.category(List.of("user", "alice"))).isEqualTo("user:alice");
        assertThat(SemanticMemoryStore.category(List.of("a.b", "c/d", "e:f"))).isEqualTo("a_b:c_d:e:f");
        fx.place("x", 0.4);
        store.put(List.of("team.eu", "docs/v2"), "k", Map.of("content", "x")).block();
        assertThat(entries("team_eu:docs_v2")).hasSize(1);
        assertThat(store.get(List.of("team.eu", "docs/v2"), "k").block().namespace())
                .containsExactly("team.eu", "docs/v2");
    }

    @Test
    void aValueWithoutTheEmbedFieldIsEmbeddedAsCompactJson() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("likes", "tea");
        v.put("n", 2);
        fx.place("{\"likes\":\"tea\",\"n\":2}", 0.4);
        store.put(ALICE, "pref", v).block();
        assertThat(fx.embedded()).contains("{\"likes\":\"tea\",\"n\":2}");
        fx.place("tea", 0.5);
        new SemanticMemoryStore(fx.cache(), "likes").put(ALICE, "pref2", v).block();
        assertThat(fx.embedded()).contains("tea");
    }

    @Test
    void putReplacesTheItemAndKeepsItsCreationTime() {
        fx.place("v1", 0.3).place("v2", 0.4);
        store.put(ALICE, "m1", Map.of("content", "v1")).block();
        fx.clock().advance(java.time.Duration.ofMinutes(1));
        store.put(ALICE, "m1", Map.of("content", "v2")).block();
        assertThat(entries("user:alice")).hasSize(1);
        Item item = store.get(ALICE, "m1").block();
        assertThat(item.value()).containsEntry("content", "v2");
        assertThat(item.createdAt()).isEqualTo("2026-08-21T20:03:17.123Z");
        assertThat(item.updatedAt()).isEqualTo("2026-08-21T20:04:17.123Z");
    }

    @Test
    void searchWithAQueryReturnsTheNearestWithinTheThresholdClosestFirst() {
        fx.place("query", 0).place("near", 0.02).place("mid", 0.08).place("far", 0.3).place("elsewhere", 0.01);
        store.put(ALICE, "far", Map.of("content", "far")).block();
        store.put(ALICE, "near", Map.of("content", "near")).block();
        store.put(ALICE, "mid", Map.of("content", "mid")).block();
        store.put(List.of("user", "bob"), "elsewhere", Map.of("content", "elsewhere")).block();

        assertThat(store.search(ALICE, "query", 10).block()).extracting(Item::key).containsExactly("near", "mid");
        assertThat(store.search(ALICE, "query", 1).block()).extracting(Item::key).containsExactly("near");
        assertThat(store.search(ALICE, "query", 10, 0.5).block()).extracting(Item::key)
                .containsExactly("near", "mid", "far");
        assertThat(store.search(ALICE, "query", 10, 0.05).block()).extracting(Item::key).containsExactly("near");
        // not lookups: no stats
        assertThat(fx.cache().stats().block().total()).isZero();
    }

    @Test
    void searchWithoutAQueryListsTheNamespaceOldestFirst() {
        fx.place("a", 0.3).place("b", 0.4).place("c", 0.5);
        for (String k : List.of("a", "b", "c")) {
            store.put(ALICE, k, Map.of("content", k)).block();
            fx.clock().advance(java.time.Duration.ofMillis(1));
        }
        assertThat(store.search(ALICE, null, 10).block()).extracting(Item::key).containsExactly("a", "b", "c");
        assertThat(store.search(ALICE, "", 2).block()).extracting(Item::key).containsExactly("a", "b");
    }

    @Test
    void deleteRemovesEveryCopyOfTheKeyAndNothingElse() {
        fx.place("x", 0.3).place("y", 0.4);
        store.put(ALICE, "m1", Map.of("content", "x")).block();
        store.put(ALICE, "m2", Map.of("content", "y")).block();
        // a duplicate as a concurrent writer could leave it
        fx.cache().store("x", "{\"namespace\":[\"user\",\"alice\"],\"key\":\"m1\",\"value\":{},\"createdAt\":\"\","
                + "\"updatedAt\":\"\"}", StoreOptions.builder().category("user:alice").build()).block();
        assertThat(store.delete(ALICE, "m1").block()).isEqualTo(2);
        assertThat(store.get(ALICE, "m1").blockOptional()).isEmpty();
        assertThat(store.get(ALICE, "m2").block()).isNotNull();
        assertThat(store.delete(ALICE, "m1").block()).isZero();
    }

    @Test
    void batchAppliesPutsAndDeletesInOrder() {
        fx.place("x", 0.3).place("y", 0.4);
        store.batch(List.of(
                SemanticMemoryStore.Write.put(ALICE, "m1", Map.of("content", "x")),
                SemanticMemoryStore.Write.put(ALICE, "m2", Map.of("content", "y")),
                SemanticMemoryStore.Write.delete(ALICE, "m1"),
                SemanticMemoryStore.Write.put(ALICE, "m2", Map.of("content", "x")))).block();
        assertThat(store.get(ALICE, "m1").blockOptional()).isEmpty();
        assertThat(store.get(ALICE, "m2").block().value()).containsEntry("content", "x");
        assertThat(entries("user:alice")).hasSize(1);
    }

    @Test
    void itemsWrittenByThePythonAndTypeScriptStoresAreFoundByKey() {
        // Python: json.dumps defaults (spaced separators), snake_case timestamps without milliseconds
        String py = "{\"namespace\": [\"user\", \"alice\"], \"key\": \"from-py\", \"value\": {\"content\": \"py\"}, "
                + "\"created_at\": \"2026-08-21T20:03:17Z\", \"updated_at\": \"2026-08-21T20:03:18Z\"}";
        // TypeScript: compact, camelCase, milliseconds
        String ts = "{\"namespace\":[\"user\",\"alice\"],\"key\":\"from-ts\",\"value\":{\"content\":\"ts\"},"
                + "\"createdAt\":\"2026-08-21T20:03:17.123Z\",\"updatedAt\":\"2026-08-21T20:03:17.123Z\"}";
        fx.place("py", 0.3).place("ts", 0.4).place("not an item", 0.5);
        fx.cache().initialize().block();
        StoreOptions opts = StoreOptions.builder().category("user:alice").metadata(Map.of("key", "k")).build();
        fx.cache().store("py", py, opts).block();
        fx.cache().store("ts", ts, opts).block();
        fx.cache().store("not an item", "plain text response", opts).block();

        Item fromPy = store.get(ALICE, "from-py").block();
        assertThat(fromPy.value()).containsEntry("content", "py");
        assertThat(fromPy.createdAt()).isEqualTo("2026-08-21T20:03:17Z");
        assertThat(fromPy.updatedAt()).isEqualTo("2026-08-21T20:03:18Z");
        assertThat(store.get(ALICE, "from-ts").block().createdAt()).isEqualTo("2026-08-21T20:03:17.123Z");
        // a non-item entry in the category is skipped, not an error
        assertThat(store.search(ALICE, null, 10).block()).extracting(Item::key).containsExactly("from-py", "from-ts");
        assertThat(store.delete(ALICE, "from-py").block()).isEqualTo(1);
    }

    @Test
    void findsAnItemBeyondTheFirstPage() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < SemanticMemoryStore.PAGE + 5; i++) {
            fx.place("text " + i, 0.3);
            keys.add("k" + i);
            store.put(ALICE, "k" + i, Map.of("content", "text " + i)).block();
            fx.clock().advance(java.time.Duration.ofMillis(1));
        }
        assertThat(store.get(ALICE, "k" + (SemanticMemoryStore.PAGE + 3)).block()).isNotNull();
        assertThat(store.delete(ALICE, "k" + (SemanticMemoryStore.PAGE + 4)).block()).isEqualTo(1);
        assertThat(entries("user:alice")).hasSize(100); // entries() reads one page of 100
    }

    @Test
    void anEmptyNamespaceIsRejected() {
        assertThatThrownBy(() -> store.put(List.of(), "k", Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.get(List.of(), "k")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.search(ALICE, "q", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
