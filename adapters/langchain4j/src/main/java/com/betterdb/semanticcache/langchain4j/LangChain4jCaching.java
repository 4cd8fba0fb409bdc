package com.betterdb.semanticcache.langchain4j;

import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.ComputeResult;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.adapter.CachingOptions;
import com.betterdb.semanticcache.adapter.SemanticParams;
import com.betterdb.semanticcache.prompt.Prompt;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import reactor.core.publisher.Mono;

import java.util.List;

/** What the two caching models share: which requests are cached, the lookup, the answer and the rebuilt hit. */
final class LangChain4jCaching {

    private LangChain4jCaching() {
    }

    /** One request's cache plan; {@code prompt == null} means: do not use the cache for it. */
    record Plan(Mono<Prompt> prompt, GetOrComputeOptions options, String model) {
        boolean cached() {
            return prompt != null;
        }
    }

    /**
     * The plan for {@code request} as the delegate will see it (its default parameters overridden by the request's).
     * Not cached: requests offering tools (the answer may be a tool call, or depend on tool results), requests whose
     * last message is not a user message (a tool loop, or a prefilled assistant turn), and user messages with parts
     * that have no content-block form (video): their answer would be shared with requests that differ only there.
     */
    static Plan plan(SemanticCache cache, CachingOptions o, ChatRequestParameters defaults, ChatRequest request) {
        List<ChatMessage> messages = request.messages();
        ChatRequestParameters p = effective(defaults, request.parameters());
        String model = p == null ? null : p.modelName();
        boolean tools = p != null && p.toolSpecifications() != null && !p.toolSpecifications().isEmpty();
        if (tools || messages.isEmpty() || !(messages.get(messages.size() - 1) instanceof UserMessage last)
                || !LangChain4jRequests.representable(last)) {
            return new Plan(null, null, model);
        }
        Mono<Prompt> prompt = LangChain4jRequests.semanticParams(messages, model, o.normalizer())
                .map(SemanticParams::prompt);
        return new Plan(prompt, o.forCall(cache, model, LangChain4jRequests.systemTexts(messages)), model);
    }

    private static ChatRequestParameters effective(ChatRequestParameters defaults, ChatRequestParameters request) {
        if (defaults == null) {
            return request;
        }
        return request == null ? defaults : defaults.overrideWith(request);
    }

    /**
     * What is stored for a response, or {@code null} when it must not be: only a complete text answer (finish reason
     * STOP or none) without tool calls. The model is the request's (what later lookups filter on), else the one the
     * response names; token counts are stored only when the provider reported both.
     */
    static Answer answerOf(ChatResponse response, String requestModel) {
        AiMessage ai = response.aiMessage();
        if (ai == null || ai.hasToolExecutionRequests() || ai.text() == null || ai.text().isEmpty()) {
            return null;
        }
        FinishReason finish = response.finishReason();
        if (finish != null && finish != FinishReason.STOP) {
            return null;
        }
        String model = requestModel != null && !requestModel.isEmpty() ? requestModel : response.modelName();
        TokenUsage usage = response.tokenUsage();
        if (usage != null && usage.inputTokenCount() != null && usage.outputTokenCount() != null) {
            return new Answer(ai.text(), model, usage.inputTokenCount(), usage.outputTokenCount());
        }
        return new Answer(ai.text(), model, null, null);
    }

    /**
     * A hit (or a joined concurrent computation) as a LangChain4j response: an {@link AiMessage} with the text whose
     * attributes carry {@link CacheHitMetadata} ({@code semantic_cache.hit = true}, similarity, matched key, cost
     * saved; or {@code semantic_cache.joined = true}), finish reason STOP, the request's model, and a token usage of
     * zero: this call spent no tokens.
     */
    static ChatResponse cachedResponse(ComputeResult result, String model) {
        AiMessage message = AiMessage.builder()
                .text(result.response())
                .attributes(CacheHitMetadata.of(result))
                .build();
        return ChatResponse.builder()
                .aiMessage(message)
                .metadata(ChatResponseMetadata.builder()
                        .modelName(model)
                        .tokenUsage(new TokenUsage(0, 0, 0))
                        .finishReason(FinishReason.STOP)
                        .build())
                .build();
    }

    /** Whether a response was served from the semantic cache. */
    static boolean isCached(ChatResponse response) {
        return response != null && response.aiMessage() != null
                && CacheHitMetadata.isHit(response.aiMessage().attributes());
    }
}
