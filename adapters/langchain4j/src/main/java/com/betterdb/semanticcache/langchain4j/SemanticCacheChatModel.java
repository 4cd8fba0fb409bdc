package com.betterdb.semanticcache.langchain4j;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.adapter.CachedCall;
import com.betterdb.semanticcache.adapter.CachingOptions;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link ChatModel} that answers from a {@link SemanticCache} when an earlier request meant the same thing, and
 * otherwise calls the model it wraps and stores the answer. Drop-in: every {@code chat(...)} overload (and so AI
 * Services) goes through it.
 *
 * <pre>{@code
 * ChatModel model = new SemanticCacheChatModel(openAiChatModel, cache);
 * String answer = model.chat("What is the capital of France?");
 * }</pre>
 *
 * <p><b>What is matched</b>: the last user message ({@link LangChain4jRequests}; images, audio and PDFs by their
 * refs), within the request's system prompt and model ({@link com.betterdb.semanticcache.adapter.MatchScope}).
 * Earlier turns, sampling parameters and the response format are not part of the match, as in BetterDB's other
 * adapters. <b>Not cached</b> (passed straight to the wrapped model): requests offering tools, requests whose last
 * message is not a user message, video parts, and responses that are not a complete text answer (tool calls, finish
 * reason other than STOP, empty text).
 *
 * <p><b>A hit</b> is a {@link ChatResponse} whose {@code AiMessage} has the cached text and the attributes of
 * {@link com.betterdb.semanticcache.adapter.CacheHitMetadata} ({@link #isCached(ChatResponse)}), finish reason STOP
 * and a token usage of zero. <b>A miss</b> returns the wrapped model's own response, after storing its text with the
 * model and token usage it reports, so later hits count the dollars they save. A provider error reaches the caller
 * unchanged and nothing is stored. When the cache itself fails the call still goes to the model
 * ({@code semantic_cache_fail_open_total}), unless {@link CachingOptions#base()} turns fail-open off.
 *
 * <p>Blocking, like every {@code ChatModel}: do not call it on a Reactor non-blocking thread. The wrapped model runs
 * on {@code Schedulers.boundedElastic()}. Per-call category or threshold: {@link #withCategory(String)},
 * {@link #withThreshold(double)} or {@link #withOptions(CachingOptions)} return a view that shares the cache and the
 * wrapped model.
 */
public final class SemanticCacheChatModel implements ChatModel {

    private final ChatModel delegate;
    private final SemanticCache cache;
    private final CachingOptions options;

    public SemanticCacheChatModel(ChatModel delegate, SemanticCache cache) {
        this(delegate, cache, CachingOptions.defaults());
    }

    public SemanticCacheChatModel(ChatModel delegate, SemanticCache cache, CachingOptions options) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The same model with other caching options. */
    public SemanticCacheChatModel withOptions(CachingOptions options) {
        return new SemanticCacheChatModel(delegate, cache, options);
    }

    /** The same model, storing and looking up in {@code category}. */
    public SemanticCacheChatModel withCategory(String category) {
        return withOptions(options.withCategory(category));
    }

    /** The same model with a lookup threshold (cosine distance 0..2). */
    public SemanticCacheChatModel withThreshold(double threshold) {
        return withOptions(options.withThreshold(threshold));
    }

    public CachingOptions cachingOptions() {
        return options;
    }

    /** Whether a response was served from the semantic cache (by this model or the streaming one). */
    public static boolean isCached(ChatResponse response) {
        return LangChain4jCaching.isCached(response);
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions requestOptions) {
        Objects.requireNonNull(request, "request");
        LangChain4jCaching.Plan plan = LangChain4jCaching.plan(cache, options, delegate.defaultRequestParameters(),
                request);
        if (!plan.cached()) {
            return delegate.chat(request, requestOptions);
        }
        CachedCall.Outcome<ChatResponse> out = CachedCall.getOrCompute(cache, plan.prompt(), plan.options(),
                        () -> Mono.fromCallable(() -> delegate.chat(request, requestOptions))
                                .subscribeOn(Schedulers.boundedElastic()),
                        r -> LangChain4jCaching.answerOf(r, plan.model()))
                .block();
        Objects.requireNonNull(out, "no outcome");
        return out.rebuild() ? LangChain4jCaching.cachedResponse(out.result(), plan.model()) : out.response();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        return chat(request, ChatRequestOptions.EMPTY);
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return delegate.defaultRequestParameters();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return delegate.listeners();
    }

    @Override
    public ModelProvider provider() {
        return delegate.provider();
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return delegate.supportedCapabilities();
    }
}
