package com.betterdb.semanticcache.langgraph4j;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.embed.http.OpenAiEmbeddings;
import com.betterdb.semanticcache.store.CacheStores;

import java.util.List;
import java.util.Map;

/**
 * The README's LangGraph4j example, compiled by the build so that it cannot rot. {@link ReadmeExampleTest} runs
 * {@link #remember} on an in-memory cache and checks that the README shows the same code. Run {@link #main} with
 * {@code OPENAI_API_KEY} set to try it with OpenAI embeddings.
 */
public final class ReadmeExample {

    private ReadmeExample() {
    }

    public static void main(String[] args) {
        try (SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                .store(CacheStores.inMemory()).embedFn(OpenAiEmbeddings.builder().build()).build())) {
            System.out.println(remember(cache));
        }
    }

    static String remember(SemanticCache cache) {
        // README-BEGIN langgraph4j
        SemanticMemoryStore memory = new SemanticMemoryStore(cache);    // items shared with the Python/TS stores
        List<String> ns = List.of("user", "alice", "memories");
        memory.put(ns, "coffee", Map.of("content", "Alice drinks her coffee black")).block();
        Item byKey = memory.get(ns, "coffee").block();
        List<Item> similar = memory.search(ns, "What does Alice drink?", 3).block();   // closest first
        return byKey.value().get("content") + " / " + similar.size() + " similar";
        // README-END langgraph4j
    }
}
