package com.betterdb.semanticcache.openai;

import com.betterdb.semanticcache.testing.ReadmeSnippets;
import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import com.betterdb.semanticcache.testing.llm.LoopbackLlmServer;
import com.openai.client.OpenAIClientAsync;
import com.openai.client.okhttp.OpenAIOkHttpClientAsync;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's OpenAI example is the compiled {@link ReadmeExample}, and it works. */
class ReadmeExampleTest {

    @Test
    void theReadmeShowsTheCompiledExamples() {
        Path source = Path.of("src/test/java/com/betterdb/semanticcache/openai/ReadmeExample.java");
        assertThat(ReadmeSnippets.javaBlocks(ReadmeSnippets.readme()))
                .contains(ReadmeSnippets.snippet(source, "chat"), ReadmeSnippets.snippet(source, "responses"));
    }

    @Test
    void theExampleAnswersFromOpenAIThenFromTheCache() {
        try (var fixture = new AdapterCacheFixture("readme").place("What is the capital of France?", 0)
                .place("Which city is the capital of France?", 0.02);
             var server = LoopbackLlmServer.start()) {
            server.respond(req -> LoopbackLlmServer.Reply.ok(req.path().endsWith("/responses")
                    ? OpenAIReplies.response("Paris.", 36, 87) : OpenAIReplies.chat("Paris.", 19, 10)));
            OpenAIClientAsync openai = OpenAIOkHttpClientAsync.builder().apiKey("sk-test")
                    .baseUrl(server.baseUrl() + "/v1").maxRetries(0).build();
            try {
                assertThat(ReadmeExample.ask(openai, fixture.cache(), "What is the capital of France?").block())
                        .isEqualTo("Paris.");
                assertThat(ReadmeExample.ask(openai, fixture.cache(), "Which city is the capital of France?").block())
                        .isEqualTo("Paris. (cached)");
                assertThat(server.requestCount()).isEqualTo(1);
                // The Responses example has instructions of its own: a miss, then a hit.
                assertThat(ReadmeExample.askResponses(openai, fixture.cache(), "What is the capital of France?")
                        .block()).isEqualTo("Paris.");
                assertThat(ReadmeExample.askResponses(openai, fixture.cache(), "Which city is the capital of France?")
                        .block()).isEqualTo("Paris. (cached)");
                assertThat(server.requestCount()).isEqualTo(2);
            } finally {
                openai.close();
            }
        }
    }
}
