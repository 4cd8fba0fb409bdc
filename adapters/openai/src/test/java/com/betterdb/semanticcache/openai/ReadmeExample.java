package com.betterdb.semanticcache.openai;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.embed.http.OpenAiEmbeddings;
import com.betterdb.semanticcache.store.CacheStores;
import com.openai.client.OpenAIClientAsync;
import com.openai.client.okhttp.OpenAIOkHttpClientAsync;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.responses.ResponseCreateParams;
import reactor.core.publisher.Mono;

/**
 * The README's OpenAI adapter example, compiled by the build so that it cannot rot. {@link ReadmeExampleTest} runs
 * {@link #ask} against a loopback server and checks that the README shows the same code. Run {@link #main} with
 * {@code OPENAI_API_KEY} set to try it against OpenAI (an in-memory cache, OpenAI embeddings).
 */
public final class ReadmeExample {

    private ReadmeExample() {
    }

    public static void main(String[] args) {
        try (SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                .store(CacheStores.inMemory()).embedFn(OpenAiEmbeddings.builder().build()).build())) {
            cache.initialize().block();
            OpenAIClientAsync openai = OpenAIOkHttpClientAsync.fromEnv();
            System.out.println(ask(openai, cache, "What is the capital of France?").block());
            System.out.println(ask(openai, cache, "Which city is the capital of France?").block());
            System.out.println(askResponses(openai, cache, "Which city is the capital of France?").block());
            openai.close();
        }
    }

    static Mono<String> ask(OpenAIClientAsync openai, SemanticCache cache, String question) {
        // README-BEGIN openai
        var cached = new SemanticCacheOpenAIClient(openai, cache);               // openai: your OpenAIClientAsync
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(ChatModel.GPT_4O_MINI)
                .addSystemMessage("You are a terse geography tutor.")            // part of what must match
                .addUserMessage(question)                                          // matched by meaning
                .build();
        return cached.chat().completions().create(params)                         // Mono<ChatCompletion>
                .map(c -> c.choices().get(0).message().content().orElse("")
                        + (SemanticCacheOpenAIClient.isCached(c) ? " (cached)" : ""));
        // README-END openai
    }

    static Mono<String> askResponses(OpenAIClientAsync openai, SemanticCache cache, String question) {
        // README-BEGIN openai-responses
        var cached = new SemanticCacheOpenAIClient(openai, cache);
        ResponseCreateParams params = ResponseCreateParams.builder()
                .model(ChatModel.GPT_4O_MINI)
                .instructions("You are a terse geography tutor.")               // part of what must match
                .input(question)                                                   // matched by meaning
                .build();
        return cached.responses().create(params)                                  // Mono<Response>
                .map(r -> r.output().get(0).asMessage().content().get(0).asOutputText().text()
                        + (SemanticCacheOpenAIClient.isCached(r) ? " (cached)" : ""));
        // README-END openai-responses
    }
}
