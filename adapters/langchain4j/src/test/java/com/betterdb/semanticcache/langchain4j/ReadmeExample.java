package com.betterdb.semanticcache.langchain4j;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.embed.http.OpenAiEmbeddings;
import com.betterdb.semanticcache.store.CacheStores;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;

/**
 * The README's LangChain4j example, compiled by the build so that it cannot rot. {@link ReadmeExampleTest} runs
 * {@link #ask} against a loopback server and checks that the README shows the same code. Run {@link #main} with
 * {@code OPENAI_API_KEY} set to try it against OpenAI (an in-memory cache, OpenAI embeddings).
 */
public final class ReadmeExample {

    private ReadmeExample() {
    }

    public static void main(String[] args) {
        try (SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                .store(CacheStores.inMemory()).embedFn(OpenAiEmbeddings.builder().build()).build())) {
            ChatModel openAiChatModel = OpenAiChatModel.builder().apiKey(System.getenv("OPENAI_API_KEY"))
                    .modelName("gpt-4o-mini").build();
            System.out.println(ask(openAiChatModel, cache, "What is the capital of France?"));
            System.out.println(ask(openAiChatModel, cache, "Which city is the capital of France?"));
        }
    }

    static String ask(ChatModel openAiChatModel, SemanticCache cache, String question) {
        // README-BEGIN langchain4j
        ChatModel model = new SemanticCacheChatModel(openAiChatModel, cache);   // wraps any ChatModel
        ChatResponse r = model.chat(ChatRequest.builder()
                .messages(SystemMessage.from("You are a terse geography tutor."),   // part of what must match
                        UserMessage.from(question))                                  // matched by meaning
                .build());
        return r.aiMessage().text() + (SemanticCacheChatModel.isCached(r) ? " (cached)" : "");
        // README-END langchain4j
    }
}
