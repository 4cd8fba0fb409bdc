package com.betterdb.semanticcache.langgraph4j;

import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import com.betterdb.semanticcache.testing.ReadmeSnippets;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's LangGraph4j example is the compiled {@link ReadmeExample}, and it works. */
class ReadmeExampleTest {

    @Test
    void theReadmeShowsTheCompiledExample() {
        Path source = Path.of("src/test/java/com/betterdb/semanticcache/langgraph4j/ReadmeExample.java");
        assertThat(ReadmeSnippets.javaBlocks(ReadmeSnippets.readme()))
                .contains(ReadmeSnippets.snippet(source, "langgraph4j"));
    }

    @Test
    void theExampleStoresAndFindsTheMemory() {
        try (var fx = new AdapterCacheFixture("readme-lg").place("Alice drinks her coffee black", 0.03)
                .place("What does Alice drink?", 0)) {
            assertThat(ReadmeExample.remember(fx.cache())).isEqualTo("Alice drinks her coffee black / 1 similar");
        }
    }
}
