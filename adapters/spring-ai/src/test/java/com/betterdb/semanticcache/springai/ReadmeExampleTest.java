package com.betterdb.semanticcache.springai;

import com.betterdb.semanticcache.testing.ReadmeSnippets;
import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import com.betterdb.semanticcache.testing.llm.LoopbackLlmServer;
import org.junit.jupiter.api.Test;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's Spring AI example is the compiled {@link ReadmeExample}, and it works. */
class ReadmeExampleTest {

    @Test
    void theReadmeShowsTheCompiledExample() {
        Path source = Path.of("src/test/java/com/betterdb/semanticcache/springai/ReadmeExample.java");
        assertThat(ReadmeSnippets.javaBlocks(ReadmeSnippets.readme()))
                .contains(ReadmeSnippets.snippet(source, "spring-ai"));
    }

    @Test
    void theExampleAnswersFromTheModelThenFromTheCache() {
        try (var fx = new AdapterCacheFixture("readme-sai"); var server = LoopbackLlmServer.start().reply("Paris.")) {
            var chatModel = OpenAiChatModel.builder().options(OpenAiChatOptions.builder()
                    .baseUrl(server.baseUrl() + "/v1").apiKey("test-key").model("gpt-4o-mini").maxRetries(0).build())
                    .build();
            assertThat(ReadmeExample.ask(chatModel, fx.cache(), AdapterCacheFixture.QUESTION)).isEqualTo("Paris.");
            assertThat(ReadmeExample.ask(chatModel, fx.cache(), AdapterCacheFixture.PARAPHRASE))
                    .isEqualTo("Paris. (cached)");
            assertThat(server.requestCount()).isEqualTo(1);
            assertThat(fx.failOpens()).isZero();
        }
    }
}
