package com.betterdb.semanticcache.langchain4j;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.adapter.CachedCall;
import com.betterdb.semanticcache.adapter.CachingOptions;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The streaming counterpart of {@link SemanticCacheChatModel}: the same matching, caching rules and hit response.
 *
 * <ul>
 *   <li><b>Hit</b>: the cached text is replayed through the handler as one partial response, then
 *       {@code onCompleteResponse} with the rebuilt response (marked as cached, zero tokens). The wrapped model is not
 *       called.</li>
 *   <li><b>Miss</b>: the wrapped model streams straight through to the handler (partial responses, thinking, tool
 *       calls as they come); its completed response is stored, then handed to {@code onCompleteResponse} (so an
 *       entry exists once the handler completes).</li>
 *   <li><b>Error</b>: the wrapped model's error goes to {@code onError}; nothing is stored.</li>
 * </ul>
 * {@code chat} returns at once; the handler is called from the threads of the cache and of the wrapped model.
 */
public final class SemanticCacheStreamingChatModel implements StreamingChatModel {

    private final StreamingChatModel delegate;
    private final SemanticCache cache;
    private final CachingOptions options;

    public SemanticCacheStreamingChatModel(StreamingChatModel delegate, SemanticCache cache) {
        this(delegate, cache, CachingOptions.defaults());
    }

    public SemanticCacheStreamingChatModel(StreamingChatModel delegate, SemanticCache cache, CachingOptions options) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The same model with other caching options. */
    public SemanticCacheStreamingChatModel withOptions(CachingOptions options) {
        return new SemanticCacheStreamingChatModel(delegate, cache, options);
    }

    /** The same model, storing and looking up in {@code category}. */
    public SemanticCacheStreamingChatModel withCategory(String category) {
        return withOptions(options.withCategory(category));
    }

    /** The same model with a lookup threshold (cosine distance 0..2). */
    public SemanticCacheStreamingChatModel withThreshold(double threshold) {
        return withOptions(options.withThreshold(threshold));
    }

    public CachingOptions cachingOptions() {
        return options;
    }

    @Override
    public void chat(ChatRequest request, ChatRequestOptions requestOptions, StreamingChatResponseHandler handler) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "handler");
        LangChain4jCaching.Plan plan = LangChain4jCaching.plan(cache, options, delegate.defaultRequestParameters(),
                request);
        if (!plan.cached()) {
            delegate.chat(request, requestOptions, handler);
            return;
        }
        CachedCall.getOrCompute(cache, plan.prompt(), plan.options(),
                        () -> Mono.<ChatResponse>create(sink ->
                                delegate.chat(request, requestOptions, new PassThrough(handler) {
                                    @Override
                                    public void onCompleteResponse(ChatResponse response) {
                                        sink.success(response);
                                    }

                                    @Override
                                    public void onError(Throwable error) {
                                        sink.error(error);
                                    }
                                })),
                        r -> LangChain4jCaching.answerOf(r, plan.model()))
                .subscribe(out -> {
                    if (out.rebuild()) {
                        ChatResponse cached = LangChain4jCaching.cachedResponse(out.result(), plan.model());
                        handler.onPartialResponse(cached.aiMessage().text());
                        handler.onCompleteResponse(cached);
                    } else {
                        handler.onCompleteResponse(out.response());
                    }
                }, handler::onError);
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        chat(request, ChatRequestOptions.EMPTY, handler);
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

    /** Forwards every intermediate callback of the wrapped model to the caller's handler. */
    private abstract static class PassThrough implements StreamingChatResponseHandler {
        private final StreamingChatResponseHandler target;

        PassThrough(StreamingChatResponseHandler target) {
            this.target = target;
        }

        @Override
        public void onPartialResponse(String partialResponse) {
            target.onPartialResponse(partialResponse);
        }

        @Override
        public void onPartialResponse(PartialResponse partialResponse, PartialResponseContext context) {
            target.onPartialResponse(partialResponse, context);
        }

        @Override
        public void onPartialThinking(PartialThinking partialThinking) {
            target.onPartialThinking(partialThinking);
        }

        @Override
        public void onPartialThinking(PartialThinking partialThinking, PartialThinkingContext context) {
            target.onPartialThinking(partialThinking, context);
        }

        @Override
        public void onPartialToolCall(PartialToolCall partialToolCall) {
            target.onPartialToolCall(partialToolCall);
        }

        @Override
        public void onPartialToolCall(PartialToolCall partialToolCall, PartialToolCallContext context) {
            target.onPartialToolCall(partialToolCall, context);
        }

        @Override
        public void onCompleteToolCall(CompleteToolCall completeToolCall) {
            target.onCompleteToolCall(completeToolCall);
        }

        @Override
        public void onUnmappedRawEvent(Object event) {
            target.onUnmappedRawEvent(event);
        }
    }
}
