package com.betterdb.semanticcache.langchain4j;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.adapter.CachingOptions;
import com.betterdb.semanticcache.adapter.CachingWrapper;
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
 *   <li><b>Hit</b> (or join): the cached text is replayed through the handler as one partial response, then
 *       {@code onCompleteResponse} with the rebuilt response (marked, zero tokens:
 *       {@link SemanticCacheChatModel#isCached}). The wrapped model is not called.</li>
 *   <li><b>Miss</b>: the wrapped model streams straight through to the handler (partial responses, thinking, tool
 *       calls as they come); its completed response is stored, then handed to {@code onCompleteResponse} (so an
 *       entry exists once the handler completes).</li>
 *   <li><b>Error</b>: the wrapped model's error goes to {@code onError}; nothing is stored.</li>
 * </ul>
 * {@code chat} returns at once; the handler is called from the threads of the cache and of the wrapped model.
 */
public final class SemanticCacheStreamingChatModel extends CachingWrapper<SemanticCacheStreamingChatModel>
        implements StreamingChatModel {

    private final StreamingChatModel delegate;

    public SemanticCacheStreamingChatModel(StreamingChatModel delegate, SemanticCache cache) {
        this(delegate, cache, CachingOptions.defaults());
    }

    public SemanticCacheStreamingChatModel(StreamingChatModel delegate, SemanticCache cache, CachingOptions options) {
        super(cache, options);
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public SemanticCacheStreamingChatModel withOptions(CachingOptions options) {
        return new SemanticCacheStreamingChatModel(delegate, cache(), options);
    }

    @Override
    public void chat(ChatRequest request, ChatRequestOptions requestOptions, StreamingChatResponseHandler handler) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "handler");
        LangChain4jCaching.Plan plan = LangChain4jCaching.plan(cachingOptions(), delegate.defaultRequestParameters(),
                request);
        if (plan == null) {
            delegate.chat(request, requestOptions, handler);
            return;
        }
        LangChain4jCaching.readThrough(cache(), cachingOptions(), plan,
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
                                })))
                .subscribe(response -> {
                    if (LangChain4jCaching.isCached(response)) {
                        handler.onPartialResponse(response.aiMessage().text()); // the model's own streamed already
                    }
                    handler.onCompleteResponse(response);
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
