package com.betterdb.semanticcache.anthropic;

import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.core.JsonValue;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.adapter.CachedCall;
import com.betterdb.semanticcache.adapter.CachingOptions;
import com.betterdb.semanticcache.adapter.CachingWrapper;
import reactor.core.publisher.Mono;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An {@link AnthropicClientAsync} with a semantic cache in front: {@code messages().create(params)} looks the request
 * up first, calls Anthropic only on a miss, and stores the answer with the model that answered and its token usage
 * (so hits count the dollars they save).
 *
 * <p>What is matched, what is stored, what is never cached, hits, joins and failures are those of every adapter
 * (docs/adapters.md): the last user message by meaning ({@link AnthropicMessagesRequests}), within the request's
 * {@link com.betterdb.semanticcache.adapter.RequestScope} (model, {@code system} and any system messages, attachments).
 * Only plain answers are stored: a message that stopped with {@code end_turn} and holds text (thinking blocks are
 * left out, any tool use makes it not storable).
 *
 * <p>Hits are {@link Message}s rebuilt from the cached text (one text block, {@code end_turn}, the requested model,
 * zero usage, an id {@code msg_cache-<entry>}) with the {@link com.betterdb.semanticcache.adapter.CacheHitMetadata}
 * marks as extra JSON members: {@link #isCached(Message)}. Per call: {@link #withCategory}, {@link #withThreshold},
 * {@link #withOptions} return a view sharing the client and the cache. {@link #client()} is the wrapped client, for
 * calls that should not be cached (streaming, batches, ...).
 */
public final class SemanticCacheAnthropicClient extends CachingWrapper<SemanticCacheAnthropicClient> {

    private final AnthropicClientAsync client;
    private final Messages messages = new Messages();

    public SemanticCacheAnthropicClient(AnthropicClientAsync client, SemanticCache cache) {
        this(client, cache, CachingOptions.defaults());
    }

    public SemanticCacheAnthropicClient(AnthropicClientAsync client, SemanticCache cache, CachingOptions options) {
        super(cache, options);
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public SemanticCacheAnthropicClient withOptions(CachingOptions options) {
        return new SemanticCacheAnthropicClient(client, cache(), options);
    }

    /** Whether a message was not produced by an Anthropic call of its own (a hit or a join): no tokens spent. */
    public static boolean isCached(Message message) {
        return JsonValue.from(true).equals(message._additionalProperties().get(CacheHitMetadata.HIT));
    }

    /** The wrapped client, for calls that should not go through the cache. */
    public AnthropicClientAsync client() {
        return client;
    }

    public Messages messages() {
        return messages;
    }

    /** Mirrors {@code client.messages()}. */
    public final class Messages {
        private Messages() {
        }

        /** Cached {@code create}. */
        public Mono<Message> create(MessageCreateParams params) {
            Objects.requireNonNull(params, "params");
            Supplier<Mono<Message>> call = () -> Mono.fromFuture(() -> client.messages().create(params));
            if (!AnthropicMessagesRequests.cacheable(params)) {
                return Mono.defer(call);
            }
            return CachedCall.readThrough(cache(), cachingOptions(), AnthropicMessagesRequests.scope(params),
                    AnthropicMessagesRequests.prepareSemanticParams(params, cachingOptions().normalizer()), call,
                    SemanticCacheAnthropicClient::answer,
                    hit -> CachedResponses.message(hit, params.model().asString()));
        }
    }

    /** The answer to store: a finished text message (thinking blocks left out), nothing with tool use. */
    static Optional<Answer> answer(Message message) {
        if (!message.stopReason().map(StopReason.END_TURN::equals).orElse(false)) {
            return Optional.empty();
        }
        StringBuilder text = new StringBuilder();
        for (ContentBlock block : message.content()) {
            if (block.isText()) {
                text.append(block.asText().text());
            } else if (!block.isThinking() && !block.isRedactedThinking()) {
                return Optional.empty();
            }
        }
        if (text.length() == 0) {
            return Optional.empty();
        }
        return Optional.of(new Answer(text.toString(), message.model().asString(),
                Math.toIntExact(message.usage().inputTokens()), Math.toIntExact(message.usage().outputTokens())));
    }
}
