package com.betterdb.semanticcache.anthropic;

import com.betterdb.semanticcache.testing.ReadmeSnippets;
import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import com.betterdb.semanticcache.testing.llm.LoopbackLlmServer;
import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.client.okhttp.AnthropicOkHttpClientAsync;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's Anthropic example is the compiled {@link ReadmeExample}, and it works. */
class ReadmeExampleTest {

    @Test
    void theReadmeShowsTheCompiledExample() {
        String snippet = ReadmeSnippets.snippet(
                Path.of("src/test/java/com/betterdb/semanticcache/anthropic/ReadmeExample.java"), "anthropic");
        assertThat(ReadmeSnippets.javaBlocks(ReadmeSnippets.readme())).contains(snippet);
    }

    @Test
    void theExampleAnswersFromAnthropicThenFromTheCache() {
        try (var fixture = new AdapterCacheFixture("readme");
             var server = LoopbackLlmServer.start()) {
            server.respond(200, AnthropicReplies.message("Paris.", 14, 8));
            AnthropicClientAsync client = AnthropicOkHttpClientAsync.builder().apiKey("sk-ant-test")
                    .baseUrl(server.baseUrl()).maxRetries(0).build();
            try {
                assertThat(ReadmeExample.ask(client, fixture.cache(), AdapterCacheFixture.QUESTION).block())
                        .isEqualTo("Paris.");
                assertThat(ReadmeExample.ask(client, fixture.cache(), AdapterCacheFixture.PARAPHRASE).block())
                        .isEqualTo("Paris. (cached)");
                assertThat(server.requestCount()).isEqualTo(1);
                assertThat(fixture.failOpens()).isZero();
            } finally {
                client.close();
            }
        }
    }
}
