package com.betterdb.semanticcache.langchain4j;

import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.ComputeResult;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.adapter.CachedCall;
import com.betterdb.semanticcache.adapter.CachingOptions;
import com.betterdb.semanticcache.adapter.RequestScope;
import com.betterdb.semanticcache.adapter.SemanticParams;
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
import java.util.Optional;
import java.util.function.Supplier;

/** What the two caching models share: which requests are cached, the read-through, the answer and the rebuilt hit. */
final class LangChain4jCaching {

    private LangChain4jCaching() {
    }

    /** One cached request: what must be equal, what is matched by meaning, and the model it names. */
    record Plan(RequestScope scope, Mono<SemanticParams> params, String model) {
    }

    /**
     * The plan for {@code request} as the delegate will see it (its default parameters overridden by the request's,
     * so a model that names its default model has it in the scope), or {@code null} when the request is not cached
     * (docs/adapters.md, "What is never cached"): it offers tools, its last message is not a user message (a tool
     * loop, a prefilled assistant turn), or that message has a part with no content-block form (video).
     */
    static Plan plan(CachingOptions o, ChatRequestParameters defaults, ChatRequest request) {
        List<ChatMessage> messages = request.messages();
        ChatRequestParameters p = effective(defaults, request.parameters());
        String model = p == null ? null : p.modelName();
        boolean tools = p != null && p.toolSpecifications() != null && !p.toolSpecifications().isEmpty();
        if (tools || messages.isEmpty() || !(messages.get(messages.size() - 1) instanceof UserMessage last)
                || !LangChain4jRequests.representable(last)) {
            return null;
        }
        return new Plan(LangChain4jRequests.scope(messages, model),
                LangChain4jRequests.prepareSemanticParams(messages, model, o.normalizer()), model);
    }

    /** {@link CachedCall#readThrough} with LangChain4j's answer and rebuilt hit. */
    static Mono<ChatResponse> readThrough(SemanticCache cache, CachingOptions o, Plan plan,
                                          Supplier<Mono<ChatResponse>> provider) {
        return CachedCall.readThrough(cache, o, plan.scope(), plan.params(), provider,
                r -> answerOf(r, plan.model()), hit -> cachedResponse(hit, plan.model()));
    }

    private static ChatRequestParameters effective(ChatRequestParameters defaults, ChatRequestParameters request) {
        if (defaults == null) {
            return request;
        }
        return request == null ? defaults : defaults.overrideWith(request);
    }

    /**
     * What is stored for a response, or empty when it must not be: only a complete text answer (finish reason STOP
     * or none) without tool calls. The model is the one that answered (the response's), else the requested one;
     * token counts are stored only when the provider reported both.
     */
    static Optional<Answer> answerOf(ChatResponse response, String requestModel) {
        AiMessage ai = response.aiMessage();
        if (ai == null || ai.hasToolExecutionRequests() || ai.text() == null || ai.text().isEmpty()) {
            return Optional.empty();
        }
        FinishReason finish = response.finishReason();
        if (finish != null && finish != FinishReason.STOP) {
            return Optional.empty();
        }
        String model = response.modelName() != null && !response.modelName().isEmpty() ? response.modelName()
                : requestModel;
        TokenUsage usage = response.tokenUsage();
        if (usage != null && usage.inputTokenCount() != null && usage.outputTokenCount() != null) {
            return Optional.of(new Answer(ai.text(), model, usage.inputTokenCount(), usage.outputTokenCount()));
        }
        return Optional.of(new Answer(ai.text(), model, null, null));
    }

    /**
     * A hit (or a joined concurrent computation) as a LangChain4j response: an {@link AiMessage} with the text whose
     * attributes carry the {@link CacheHitMetadata} marks, finish reason STOP, the requested model, an id
     * {@code cache-<entry>} and a token usage of zero: this call spent no tokens.
     */
    static ChatResponse cachedResponse(ComputeResult result, String model) {
        AiMessage message = AiMessage.builder()
                .text(result.response())
                .attributes(CacheHitMetadata.of(result))
                .build();
        return ChatResponse.builder()
                .aiMessage(message)
                .metadata(ChatResponseMetadata.builder()
                        .id(CacheHitMetadata.responseId(result))
                        .modelName(model)
                        .tokenUsage(new TokenUsage(0, 0, 0))
                        .finishReason(FinishReason.STOP)
                        .build())
                .build();
    }

    /** The {@code isCached} convention (see {@link CacheHitMetadata}) on a LangChain4j response. */
    static boolean isCached(ChatResponse response) {
        return response != null && response.aiMessage() != null
                && CacheHitMetadata.isCached(response.aiMessage().attributes());
    }
}
