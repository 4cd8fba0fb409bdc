package com.betterdb.semanticcache.anthropic;

import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.adapter.ProviderReadThrough;
import com.betterdb.semanticcache.prompt.BinaryNormalizer;
import com.betterdb.semanticcache.prompt.Normalizers;
import reactor.core.publisher.Mono;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An {@link AnthropicClientAsync} with a semantic cache in front: {@code messages().create(params)} looks the request
 * up first, calls Anthropic only on a miss, and stores the answer with its model and token usage (so hits count the
 * dollars they save).
 *
 * <p><b>What is matched.</b> The last user message is matched by meaning (it is what is embedded). The requested
 * model, the system prompt ({@code system} and any system messages) and the exact set of attached images and
 * documents must be equal: they form the request's {@link com.betterdb.semanticcache.adapter.RequestScope}.
 * Conversation history, tools, {@code max_tokens} and sampling parameters are not part of what is matched.
 *
 * <p><b>What is stored.</b> Only plain answers: a message that stopped with {@code end_turn} and holds text (thinking
 * blocks are left out, any tool use makes it not storable). Anything else is returned unchanged and not stored.
 * Requests with nothing to match (no user text and no attachment) go straight to Anthropic.
 *
 * <p><b>Hits</b> are {@link Message}s rebuilt from the cached text: one text block, {@code end_turn}, the requested
 * model, usage of zero tokens, an id starting with {@code msg_}{@value CacheMarks#ID_MARK} and a
 * {@value CacheMarks#FIELD} member ({@code hit}, {@code outcome}, {@code key}, {@code similarity});
 * {@link #isCached(Message)} tells them apart. A request that arrives while a paraphrase in the same scope is at
 * Anthropic waits for it and gets the same rebuilt form ({@code outcome} {@code joined}).
 *
 * <p>Cache failures fail open as in {@link SemanticCache#getOrCompute}: the call still goes to Anthropic and the
 * failure is counted in {@code semantic_cache_fail_open_total}. Anthropic errors reach the caller; nothing is stored.
 */
public final class CachingAnthropicClient {

    private final AnthropicClientAsync client;
    private final SemanticCache cache;
    private final BinaryNormalizer normalizer;
    private final GetOrComputeOptions defaults;
    private final Messages messages = new Messages();

    private CachingAnthropicClient(Builder b) {
        this.client = b.client;
        this.cache = b.cache;
        this.normalizer = b.normalizer;
        this.defaults = b.options;
    }

    /** A caching client with the default normalizer and {@link GetOrComputeOptions#defaults()}. */
    public static CachingAnthropicClient create(AnthropicClientAsync client, SemanticCache cache) {
        return builder(client, cache).build();
    }

    public static Builder builder(AnthropicClientAsync client, SemanticCache cache) {
        return new Builder(client, cache);
    }

    /** Whether a message was served from the cache (no Anthropic call, no tokens spent). */
    public static boolean isCached(Message message) {
        return message._additionalProperties().containsKey(CacheMarks.FIELD);
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

        /** Cached {@code create}, with the client's default options. */
        public Mono<Message> create(MessageCreateParams params) {
            return create(params, defaults);
        }

        /** Cached {@code create} with per-call options (category, threshold, TTL, ...). */
        public Mono<Message> create(MessageCreateParams params, GetOrComputeOptions options) {
            Objects.requireNonNull(params, "params");
            Objects.requireNonNull(options, "options");
            Supplier<Mono<Message>> call = () -> Mono.fromFuture(() -> client.messages().create(params));
            String model = params.model().asString();
            return AnthropicMessagesAdapter.prepareSemanticParams(params, normalizer).flatMap(sp -> {
                if (sp.text().isEmpty() && sp.prompt().binaryRefs().isEmpty()) {
                    return Mono.defer(call); // nothing to match on
                }
                return ProviderReadThrough.call(cache, AnthropicMessagesAdapter.scope(params).prompt(sp), options,
                        call, CachingAnthropicClient::answer, hit -> CacheMarks.message(hit, model));
            });
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

    public static final class Builder {
        private final AnthropicClientAsync client;
        private final SemanticCache cache;
        private BinaryNormalizer normalizer = Normalizers.defaultNormalizer();
        private GetOrComputeOptions options = GetOrComputeOptions.defaults();

        private Builder(AnthropicClientAsync client, SemanticCache cache) {
            this.client = Objects.requireNonNull(client, "client");
            this.cache = Objects.requireNonNull(cache, "cache");
        }

        /** How images and documents become refs (default {@link Normalizers#defaultNormalizer()}). */
        public Builder normalizer(BinaryNormalizer normalizer) {
            this.normalizer = Objects.requireNonNull(normalizer, "normalizer");
            return this;
        }

        /** Options of calls that pass none (default {@link GetOrComputeOptions#defaults()}). */
        public Builder options(GetOrComputeOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        public CachingAnthropicClient build() {
            return new CachingAnthropicClient(this);
        }
    }
}
