package com.betterdb.semanticcache.langchain4j;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.adapter.CachingOptions;
import com.betterdb.semanticcache.adapter.CachingWrapper;
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
 * <p>What is matched, what is stored, what is never cached, hits, joins and failures are those of every adapter
 * (docs/adapters.md): the last user message by meaning ({@link LangChain4jRequests}; images, audio and PDFs by their
 * refs), within the request's {@link com.betterdb.semanticcache.adapter.RequestScope}: the system messages and the
 * model, read with the wrapped model's default parameters applied (so its default model name is the one in the scope;
 * a model without one has the model {@code ""}). Not cached (passed straight to the wrapped model): requests offering
 * tools, requests whose last message is not a user message, video parts, and responses that are not a complete text
 * answer (tool calls, finish reason other than STOP, empty text).
 *
 * <p><b>A hit</b> is a {@link ChatResponse} whose {@code AiMessage} has the cached text and the
 * {@link com.betterdb.semanticcache.adapter.CacheHitMetadata} marks as attributes ({@link #isCached(ChatResponse)}),
 * finish reason STOP, the requested model and a token usage of zero. <b>A miss</b> returns the wrapped model's own
 * response, after storing its text with the model that answered and its token usage.
 *
 * <p>Blocking, like every {@code ChatModel}: do not call it on a Reactor non-blocking thread. The wrapped model runs
 * on {@code Schedulers.boundedElastic()}. Per-call category or threshold: {@link #withCategory(String)},
 * {@link #withThreshold(double)} or {@link #withOptions(CachingOptions)} return a view that shares the cache and the
 * wrapped model.
 */
public final class SemanticCacheChatModel extends CachingWrapper<SemanticCacheChatModel> implements ChatModel {

    private final ChatModel delegate;

    public SemanticCacheChatModel(ChatModel delegate, SemanticCache cache) {
        this(delegate, cache, CachingOptions.defaults());
    }

    public SemanticCacheChatModel(ChatModel delegate, SemanticCache cache, CachingOptions options) {
        super(cache, options);
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public SemanticCacheChatModel withOptions(CachingOptions options) {
        return new SemanticCacheChatModel(delegate, cache(), options);
    }

    /**
     * Whether a response was not produced by a model call of its own (a hit or a join, by this model or the
     * streaming one): no tokens spent.
     */
    public static boolean isCached(ChatResponse response) {
        return LangChain4jCaching.isCached(response);
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions requestOptions) {
        Objects.requireNonNull(request, "request");
        LangChain4jCaching.Plan plan = LangChain4jCaching.plan(cachingOptions(), delegate.defaultRequestParameters(),
                request);
        if (plan == null) {
            return delegate.chat(request, requestOptions);
        }
        return LangChain4jCaching.readThrough(cache(), cachingOptions(), plan,
                        () -> Mono.fromCallable(() -> delegate.chat(request, requestOptions))
                                .subscribeOn(Schedulers.boundedElastic()))
                .block();
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
