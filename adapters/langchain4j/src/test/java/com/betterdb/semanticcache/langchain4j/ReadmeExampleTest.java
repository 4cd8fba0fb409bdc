package com.betterdb.semanticcache.langchain4j;

import com.betterdb.semanticcache.testing.ReadmeSnippets;
import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import com.betterdb.semanticcache.testing.llm.LoopbackLlmServer;
import dev.langchain4j.model.openai.OpenAiChatModel;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's LangChain4j example is the compiled {@link ReadmeExample}, and it works. */
class ReadmeExampleTest {

    @Test
    void theReadmeShowsTheCompiledExample() {
        Path source = Path.of("src/test/java/com/betterdb/semanticcache/langchain4j/ReadmeExample.java");
        assertThat(ReadmeSnippets.javaBlocks(ReadmeSnippets.readme()))
                .contains(ReadmeSnippets.snippet(source, "langchain4j"));
    }

    @Test
    void theExampleAnswersFromTheModelThenFromTheCache() {
        try (var fx = new AdapterCacheFixture("readme-lc4j"); var server = LoopbackLlmServer.start().reply("Paris.")) {
            var openAi = OpenAiChatModel.builder().baseUrl(server.baseUrl() + "/v1").apiKey("test-key")
                    .modelName("gpt-4o-mini").maxRetries(0).build();
            assertThat(ReadmeExample.ask(openAi, fx.cache(), AdapterCacheFixture.QUESTION)).isEqualTo("Paris.");
            assertThat(ReadmeExample.ask(openAi, fx.cache(), AdapterCacheFixture.PARAPHRASE))
                    .isEqualTo("Paris. (cached)");
            assertThat(server.requestCount()).isEqualTo(1);
            assertThat(fx.failOpens()).isZero();
        }
    }
}
