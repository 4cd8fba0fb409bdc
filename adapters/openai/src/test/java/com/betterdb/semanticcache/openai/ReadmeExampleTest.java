package com.betterdb.semanticcache.openai;

import com.betterdb.semanticcache.testing.ReadmeSnippets;
import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import com.betterdb.semanticcache.testing.llm.LoopbackLlmServer;
import com.openai.client.OpenAIClientAsync;
import com.openai.client.okhttp.OpenAIOkHttpClientAsync;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAI examples of the README and docs/adapters.md are the compiled {@link ReadmeExample}, and they work. */
class ReadmeExampleTest {

    @Test
    void theReadmeAndTheAdapterGuideShowTheCompiledExamples() {
        Path source = Path.of("src/test/java/com/betterdb/semanticcache/openai/ReadmeExample.java");
        assertThat(ReadmeSnippets.javaBlocks(ReadmeSnippets.readme()))
                .contains(ReadmeSnippets.snippet(source, "openai"));
        assertThat(ReadmeSnippets.javaBlocks(ReadmeSnippets.readme().resolveSibling("docs/adapters.md")))
                .contains(ReadmeSnippets.snippet(source, "openai-responses"));
    }

    @Test
    void theExampleAnswersFromOpenAIThenFromTheCache() {
        try (var fixture = new AdapterCacheFixture("readme");
             var server = LoopbackLlmServer.start()) {
            server.respond(req -> LoopbackLlmServer.Reply.ok(req.path().endsWith("/responses")
                    ? OpenAIReplies.response("Paris.", 36, 87) : OpenAIReplies.chat("Paris.", 19, 10)));
            OpenAIClientAsync openai = OpenAIOkHttpClientAsync.builder().apiKey("sk-test")
                    .baseUrl(server.baseUrl() + "/v1").maxRetries(0).build();
            try {
                assertThat(ReadmeExample.ask(openai, fixture.cache(), AdapterCacheFixture.QUESTION).block())
                        .isEqualTo("Paris.");
                assertThat(ReadmeExample.ask(openai, fixture.cache(), AdapterCacheFixture.PARAPHRASE).block())
                        .isEqualTo("Paris. (cached)");
                assertThat(server.requestCount()).isEqualTo(1);
                // The Responses example has instructions of its own: a miss, then a hit.
                assertThat(ReadmeExample.askResponses(openai, fixture.cache(), AdapterCacheFixture.QUESTION)
                        .block()).isEqualTo("Paris.");
                assertThat(ReadmeExample.askResponses(openai, fixture.cache(), AdapterCacheFixture.PARAPHRASE)
                        .block()).isEqualTo("Paris. (cached)");
                assertThat(server.requestCount()).isEqualTo(2);
                assertThat(fixture.failOpens()).isZero();
            } finally {
                openai.close();
            }
        }
    }
}
