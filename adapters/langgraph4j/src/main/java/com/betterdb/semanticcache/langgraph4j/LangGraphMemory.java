package com.betterdb.semanticcache.langgraph4j;

import org.bsc.langgraph4j.RunnableConfig;

import java.util.Objects;

/**
 * Hands a {@link SemanticMemoryStore} to the nodes of a LangGraph4j run through the run's {@link RunnableConfig}
 * metadata, the way LangGraph passes its store to nodes:
 *
 * <pre>{@code
 * RunnableConfig config = LangGraphMemory.withStore(RunnableConfig.builder(), store).build();
 * graph.invoke(Map.of("question", "..."), config);
 * // in a NodeActionWithConfig:
 * SemanticMemoryStore memory = LangGraphMemory.store(config);
 * }</pre>
 */
public final class LangGraphMemory {

    /** The metadata key under which the store travels. */
    public static final String STORE_KEY = "betterdb.semantic_memory_store";

    private LangGraphMemory() {
    }

    /** Puts the store into the config being built. */
    public static RunnableConfig.Builder withStore(RunnableConfig.Builder config, SemanticMemoryStore store) {
        Objects.requireNonNull(store, "store");
        return config.putMetadata(STORE_KEY, store);
    }

    /** The store of this run; fails when the run's config has none. */
    public static SemanticMemoryStore store(RunnableConfig config) {
        return config.metadata(STORE_KEY)
                .filter(SemanticMemoryStore.class::isInstance)
                .map(SemanticMemoryStore.class::cast)
                .orElseThrow(() -> new IllegalStateException("the run's RunnableConfig carries no SemanticMemoryStore;"
                        + " build it with LangGraphMemory.withStore(...)"));
    }
}
