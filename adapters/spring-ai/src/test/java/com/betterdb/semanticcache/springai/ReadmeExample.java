package com.betterdb.semanticcache.springai;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.embed.http.OpenAiEmbeddings;
import com.betterdb.semanticcache.store.CacheStores;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;

/**
 * The README's Spring AI example, compiled by the build so that it cannot rot. {@link ReadmeExampleTest} runs
 * {@link #ask} against a loopback server and checks that the README shows the same code. Run {@link #main} with
 * {@code OPENAI_API_KEY} set to try it against OpenAI (an in-memory cache, OpenAI embeddings).
 */
public final class ReadmeExample {

    private ReadmeExample() {
    }

    public static void main(String[] args) {
        try (SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                .store(CacheStores.inMemory()).embedFn(OpenAiEmbeddings.builder().build()).build())) {
            ChatModel chatModel = OpenAiChatModel.builder().options(OpenAiChatOptions.builder()
                    .apiKey(System.getenv("OPENAI_API_KEY")).model("gpt-4o-mini").build()).build();
            System.out.println(ask(chatModel, cache, "What is the capital of France?"));
            System.out.println(ask(chatModel, cache, "Which city is the capital of France?"));
        }
    }

    static String ask(ChatModel chatModel, SemanticCache cache, String question) {
        // README-BEGIN spring-ai
        ChatClient chat = ChatClient.builder(chatModel)                         // your Spring AI ChatModel
                .defaultAdvisors(SemanticCacheAdvisor.builder(cache).build())
                .build();
        ChatResponse r = chat.prompt()
                .system("You are a terse geography tutor.")                       // part of what must match
                .user(question)                                                   // matched by meaning
                .advisors(a -> a.param(SemanticCacheAdvisor.CATEGORY, "geo"))     // optional, per call
                .call().chatResponse();
        return r.getResult().getOutput().getText() + (SemanticCacheAdvisor.isCached(r) ? " (cached)" : "");
        // README-END spring-ai
    }
}
