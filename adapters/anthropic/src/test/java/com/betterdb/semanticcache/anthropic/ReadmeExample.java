package com.betterdb.semanticcache.anthropic;

import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.client.okhttp.AnthropicOkHttpClientAsync;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.Model;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.embed.http.OpenAiEmbeddings;
import com.betterdb.semanticcache.store.CacheStores;
import reactor.core.publisher.Mono;

/**
 * The README's Anthropic adapter example, compiled by the build so that it cannot rot. {@link ReadmeExampleTest}
 * runs {@link #ask} against a loopback server and checks that the README shows the same code. Run {@link #main} with
 * {@code ANTHROPIC_API_KEY} (and {@code OPENAI_API_KEY} for the embeddings) set to try it.
 */
public final class ReadmeExample {

    private ReadmeExample() {
    }

    public static void main(String[] args) {
        try (SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                .store(CacheStores.inMemory()).embedFn(OpenAiEmbeddings.builder().build()).build())) {
            cache.initialize().block();
            AnthropicClientAsync anthropic = AnthropicOkHttpClientAsync.fromEnv();
            System.out.println(ask(anthropic, cache, "What is the capital of France?").block());
            System.out.println(ask(anthropic, cache, "Which city is the capital of France?").block());
            anthropic.close();
        }
    }

    static Mono<String> ask(AnthropicClientAsync anthropic, SemanticCache cache, String question) {
        // README-BEGIN anthropic
        var cached = new SemanticCacheAnthropicClient(anthropic, cache);         // anthropic: your AnthropicClientAsync
        MessageCreateParams params = MessageCreateParams.builder()
                .model(Model.CLAUDE_HAIKU_4_5)
                .maxTokens(256)
                .system("You are a terse geography tutor.")                      // part of what must match
                .addUserMessage(question)                                          // matched by meaning
                .build();
        return cached.messages().create(params)                                   // Mono<Message>
                .map(m -> m.content().get(0).asText().text()
                        + (SemanticCacheAnthropicClient.isCached(m) ? " (cached)" : ""));
        // README-END anthropic
    }
}
