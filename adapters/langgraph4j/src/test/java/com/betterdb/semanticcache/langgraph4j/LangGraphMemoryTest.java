package com.betterdb.semanticcache.langgraph4j;

import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeActionWithConfig.node_async;

/** The store inside a real LangGraph4j graph: one node remembers a fact, the next recalls it by meaning. */
class LangGraphMemoryTest {

    private final AdapterCacheFixture fx = new AdapterCacheFixture("lgg")
            .place("Alice drinks her coffee black", 0.02)
            .place("What does Alice drink?", 0);

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void nodesShareTheStoreThroughTheRunConfig() throws Exception {
        List<String> ns = List.of("user", "alice");
        CompiledGraph<AgentState> graph = new StateGraph<>(AgentState::new)
                .addNode("remember", node_async((state, config) -> {
                    LangGraphMemory.store(config).put(ns, "coffee",
                            Map.of("content", state.<String>value("fact").orElseThrow())).block();
                    return Map.of();
                }))
                .addNode("recall", node_async((state, config) -> {
                    List<Item> found = LangGraphMemory.store(config)
                            .search(ns, state.<String>value("question").orElseThrow(), 3).block();
                    return Map.of("answer", found.isEmpty() ? "" : found.get(0).value().get("content"));
                }))
                .addEdge(START, "remember")
                .addEdge("remember", "recall")
                .addEdge("recall", END)
                .compile();

        RunnableConfig config = LangGraphMemory.withStore(RunnableConfig.builder(),
                new SemanticMemoryStore(fx.cache())).build();
        AgentState out = graph.invoke(Map.of("fact", "Alice drinks her coffee black",
                "question", "What does Alice drink?"), config).orElseThrow();

        assertThat(out.<String>value("answer")).contains("Alice drinks her coffee black");
    }

    @Test
    void aRunWithoutAStoreSaysSo() {
        assertThatThrownBy(() -> LangGraphMemory.store(RunnableConfig.builder().build()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("withStore");
    }
}
