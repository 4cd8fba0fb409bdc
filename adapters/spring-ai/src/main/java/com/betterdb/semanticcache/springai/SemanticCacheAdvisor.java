package com.betterdb.semanticcache.springai;

import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.ComputeResult;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.adapter.CachedCall;
import com.betterdb.semanticcache.adapter.CachingOptions;
import com.betterdb.semanticcache.adapter.RequestScope;
import com.betterdb.semanticcache.adapter.SemanticParams;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A Spring AI {@link CallAdvisor} and {@link StreamAdvisor} that answers a {@code ChatClient} request from a
 * {@link SemanticCache} when an earlier request meant the same thing, and otherwise lets the chain call the model and
 * stores the answer.
 *
 * <pre>{@code
 * ChatClient chat = ChatClient.builder(chatModel)
 *         .defaultAdvisors(SemanticCacheAdvisor.builder(cache).build())
 *         .build();
 * String answer = chat.prompt().system("You are terse.").user("What is the capital of France?").call().content();
 * }</pre>
 *
 * <p>What is matched, what is stored, what is never cached, hits, joins and failures are those of every adapter
 * (docs/adapters.md): the last user message by meaning ({@link SpringAiRequests}; media by their refs), within the
 * prompt's {@link RequestScope}: its system messages and its model, so two different system prompts never share
 * answers, and neither do two models. The model is the prompt's ({@code ChatOptions.getModel()}: a
 * {@code ChatClient} fills it from the chat model's default options), else {@link Builder#defaultModel(String)},
 * else {@code ""} (a chat model that reports no default model: such requests share answers only with each other).
 * <b>Not cached</b> (the chain is called as if the advisor were absent): requests with tool callbacks, requests whose
 * last message is not a user message, video media, requests with {@link #SKIP} set, and responses that are not a
 * complete text answer (tool calls, a finish reason other than STOP, empty text).
 *
 * <p><b>Per call</b>: {@code .advisors(a -> a.param(SemanticCacheAdvisor.CATEGORY, "faq")
 * .param(SemanticCacheAdvisor.THRESHOLD, 0.05))}.
 *
 * <p><b>A hit</b> (or a join) is a {@link ChatResponse} with one generation holding the cached text, finish reason
 * {@code STOP}, the requested model, usage of zero tokens, and the {@link CacheHitMetadata} marks in the response
 * metadata, the assistant message's properties, the generation metadata and the advisor context
 * ({@link #isCached(ChatResponse)}). <b>A miss</b> returns the chain's own response after storing its text with the
 * model that answered and its token usage.
 *
 * <p><b>Streaming</b>: a hit is one chunk with the whole cached text; a miss streams the model's chunks through as they
 * come, stores the assembled answer, then completes.
 *
 * <p><b>Order</b>: by default right after the chat-memory advisors ({@link #DEFAULT_ORDER}), so a conversation's
 * memory still records cached turns. Put it before retrieval-augmentation advisors (a lower order) to match on the
 * user's own question and skip retrieval on hits.
 */
public final class SemanticCacheAdvisor implements CallAdvisor, StreamAdvisor {

    /** Advisor parameter: the category of this call ({@code String}). */
    public static final String CATEGORY = "semantic_cache.category";
    /** Advisor parameter: the threshold of this call (a {@code Number}, cosine distance 0..2). */
    public static final String THRESHOLD = "semantic_cache.threshold";
    /** Advisor parameter: {@code true} to bypass the cache for this call. */
    public static final String SKIP = "semantic_cache.skip";

    /** Right after the chat-memory advisors. */
    public static final int DEFAULT_ORDER = Advisor.DEFAULT_CHAT_MEMORY_PRECEDENCE_ORDER + 100;

    private final SemanticCache cache;
    private final CachingOptions options;
    private final String defaultModel;
    private final int order;

    private SemanticCacheAdvisor(Builder b) {
        this.cache = b.cache;
        this.options = b.options;
        this.defaultModel = b.defaultModel;
        this.order = b.order;
    }

    public static Builder builder(SemanticCache cache) {
        return new Builder(cache);
    }

    /** Whether a response was not produced by a model call of its own (a hit or a join): no tokens spent. */
    public static boolean isCached(ChatResponse response) {
        return response != null && response.getMetadata() != null
                && Boolean.TRUE.equals(response.getMetadata().get(CacheHitMetadata.HIT));
    }

    @Override
    public String getName() {
        return "SemanticCacheAdvisor";
    }

    @Override
    public int getOrder() {
        return order;
    }

    // -------------------------------------------------------------------------------------------------- call

    @Override
    public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
        Plan plan = plan(request);
        if (plan == null) {
            return chain.nextCall(request);
        }
        return plan.readThrough(cache,
                () -> Mono.fromCallable(() -> chain.nextCall(request)).subscribeOn(Schedulers.boundedElastic()),
                r -> answerOf(r.chatResponse() == null ? List.of() : List.of(r.chatResponse()), plan.model),
                hit -> cachedResponse(request, hit, plan.model)).block();
    }

    // -------------------------------------------------------------------------------------------------- stream

    /** A stream's outcome: the chunks that went through (a miss), or one rebuilt chunk still to send. */
    private record Streamed(List<ChatClientResponse> chunks, boolean rebuilt) {
    }

    @Override
    public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
        Plan plan = plan(request);
        if (plan == null) {
            return chain.nextStream(request);
        }
        return Flux.create(sink -> {
            Disposable run = plan.readThrough(cache,
                            // chunks go through as they come; the list is the whole answer, stored on completion
                            () -> chain.nextStream(request).doOnNext(sink::next).collectList()
                                    .map(chunks -> new Streamed(chunks, false)),
                            out -> answerOf(out.chunks().stream().map(ChatClientResponse::chatResponse)
                                    .filter(Objects::nonNull).toList(), plan.model),
                            hit -> new Streamed(List.of(cachedResponse(request, hit, plan.model)), true))
                    .subscribe(out -> {
                        if (out.rebuilt()) {
                            out.chunks().forEach(sink::next);
                        }
                        sink.complete();
                    }, sink::error);
            sink.onDispose(run);
        });
    }

    // -------------------------------------------------------------------------------------------------- rules

    private record Plan(RequestScope scope, Mono<SemanticParams> params, String model, CachingOptions options) {
        <R> Mono<R> readThrough(SemanticCache cache, Supplier<Mono<R>> provider,
                                Function<? super R, Optional<Answer>> answerOf,
                                Function<? super ComputeResult, ? extends R> rebuild) {
            return CachedCall.readThrough(cache, options, scope, params, provider, answerOf, rebuild);
        }
    }

    /** The cache plan of a request, or {@code null} when it is not cached (see the class comment). */
    private Plan plan(ChatClientRequest request) {
        Map<String, Object> context = request.context();
        if (Boolean.TRUE.equals(context.get(SKIP))) {
            return null;
        }
        org.springframework.ai.chat.prompt.Prompt prompt = request.prompt();
        List<Message> messages = prompt.getInstructions();
        if (messages.isEmpty() || !(messages.get(messages.size() - 1) instanceof UserMessage last)
                || !SpringAiRequests.representable(last)) {
            return null;
        }
        if (prompt.getOptions() instanceof ToolCallingChatOptions tools && tools.getToolCallbacks() != null
                && !tools.getToolCallbacks().isEmpty()) {
            return null;
        }
        String model = SpringAiRequests.model(prompt);
        if (model == null || model.isEmpty()) {
            model = defaultModel;
        }
        CachingOptions o = options;
        if (context.get(CATEGORY) instanceof String category) {
            o = o.withCategory(category);
        }
        if (context.get(THRESHOLD) instanceof Number threshold) {
            o = o.withThreshold(threshold.doubleValue());
        }
        return new Plan(SpringAiRequests.scope(messages, model),
                SpringAiRequests.prepareSemanticParams(messages, model, o.normalizer()), model, o);
    }

    /**
     * What is stored for a response (its chunks, for a stream), or empty when it must not be: a complete text answer
     * (finish reason STOP or none) without tool calls. Model: the one that answered (the response's), else the
     * requested one; token counts when the provider reported them.
     */
    static Optional<Answer> answerOf(List<ChatResponse> responses, String requestModel) {
        StringBuilder text = new StringBuilder();
        String finish = null;
        String responseModel = null;
        Usage usage = null;
        for (ChatResponse r : responses) {
            if (r.hasToolCalls()) {
                return Optional.empty();
            }
            for (Generation g : r.getResults()) {
                if (g.getOutput() != null && g.getOutput().getText() != null) {
                    text.append(g.getOutput().getText());
                }
                String f = g.getMetadata() == null ? null : g.getMetadata().getFinishReason();
                if (f != null && !f.isEmpty()) {
                    finish = f;
                }
            }
            ChatResponseMetadata m = r.getMetadata();
            if (m != null) {
                if (m.getModel() != null && !m.getModel().isEmpty()) {
                    responseModel = m.getModel();
                }
                Usage u = m.getUsage();
                if (u != null && u.getPromptTokens() != null && u.getCompletionTokens() != null
                        && u.getPromptTokens() + u.getCompletionTokens() > 0) {
                    usage = u;
                }
            }
        }
        if (text.length() == 0 || (finish != null && !finish.equalsIgnoreCase("stop"))) {
            return Optional.empty();
        }
        String model = responseModel != null ? responseModel : requestModel;
        return Optional.of(usage == null ? new Answer(text.toString(), model, null, null)
                : new Answer(text.toString(), model, usage.getPromptTokens(), usage.getCompletionTokens()));
    }

    /** A hit (or a joined concurrent computation) as a Spring AI response, marked as such, with zero tokens used. */
    static ChatClientResponse cachedResponse(ChatClientRequest request, ComputeResult result, String model) {
        Map<String, Object> hit = CacheHitMetadata.of(result);
        AssistantMessage message = AssistantMessage.builder().content(result.response()).properties(hit).build();
        Generation generation = new Generation(message,
                ChatGenerationMetadata.builder().finishReason("STOP").metadata(hit).build());
        ChatResponseMetadata.Builder metadata = ChatResponseMetadata.builder()
                .id(CacheHitMetadata.responseId(result))
                .usage(new DefaultUsage(0, 0, 0))
                .metadata(hit);
        if (model != null && !model.isEmpty()) {
            metadata.model(model);
        }
        ChatResponse response = ChatResponse.builder().generations(List.of(generation)).metadata(metadata.build())
                .build();
        Map<String, Object> context = new HashMap<>(request.context());
        context.putAll(hit);
        return ChatClientResponse.builder().chatResponse(response).context(context).build();
    }

    // -------------------------------------------------------------------------------------------------- builder

    public static final class Builder {
        private final SemanticCache cache;
        private CachingOptions options = CachingOptions.defaults();
        private String defaultModel;
        private int order = DEFAULT_ORDER;

        private Builder(SemanticCache cache) {
            this.cache = Objects.requireNonNull(cache, "cache");
        }

        /** Category, threshold, what is matched, normalizer, read-through options. */
        public Builder options(CachingOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * The model of the scope when a prompt names none (a {@code ChatClient} puts the chat model's default options
         * into the prompt, so this matters only for a chat model that reports no default model). Without it such
         * requests have the model {@code ""}: they share answers with each other, never with ones naming a model.
         */
        public Builder defaultModel(String model) {
            this.defaultModel = model;
            return this;
        }

        /** The advisor order (lower runs first); default {@link #DEFAULT_ORDER}. */
        public Builder order(int order) {
            this.order = order;
            return this;
        }

        public SemanticCacheAdvisor build() {
            return new SemanticCacheAdvisor(this);
        }
    }
}
