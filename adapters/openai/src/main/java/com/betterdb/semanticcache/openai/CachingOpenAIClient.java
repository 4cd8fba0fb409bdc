package com.betterdb.semanticcache.openai;

import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.ComputeResult;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.adapter.ProviderReadThrough;
import com.betterdb.semanticcache.adapter.RequestScope;
import com.betterdb.semanticcache.adapter.SemanticParams;
import com.betterdb.semanticcache.prompt.BinaryNormalizer;
import com.betterdb.semanticcache.prompt.Normalizers;
import com.openai.client.OpenAIClientAsync;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseOutputMessage;
import com.openai.models.responses.ResponseStatus;
import reactor.core.publisher.Mono;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An {@link OpenAIClientAsync} with a semantic cache in front: {@code chat().completions().create(params)} and
 * {@code responses().create(params)} look the request up first, call OpenAI only on a miss, and store the answer with
 * its model and token usage (so hits count the dollars they save).
 *
 * <p><b>What is matched.</b> The last user message is matched by meaning (it is what is embedded). The requested
 * model, the system/developer messages (Responses: also {@code instructions}) and the exact set of attached images,
 * audio and files must be equal: they form the request's {@link RequestScope}. Conversation history, tools,
 * {@code response_format}/{@code text.format} and sampling parameters are not part of what is matched.
 *
 * <p><b>What is stored.</b> Only plain answers: Chat Completions with one choice that finished with {@code stop}
 * and has text content (no tool calls, no refusal); Responses that completed with only message (and reasoning)
 * output. Anything else is returned to the caller unchanged and not stored.
 *
 * <p><b>What bypasses the cache.</b> Requests with nothing to match (no user text and no attachment), Chat requests
 * with {@code n > 1}, Responses requests that depend on state held by OpenAI ({@code previous_response_id},
 * {@code conversation}, {@code prompt}) or run in the {@code background}: they go straight to OpenAI.
 *
 * <p><b>Hits</b> are the SDK's own types, rebuilt from the cached text: one {@code stop} choice (Responses: one
 * completed output message), the requested model, usage of zero tokens, an id starting with
 * {@value CacheMarks#ID_MARK}, and a {@value CacheMarks#FIELD} member ({@code hit}, {@code outcome}, {@code key},
 * {@code similarity}); {@link #isCached(ChatCompletion)} tells them apart. A cached {@code Response} is unknown to
 * OpenAI, so its id cannot be used as a {@code previous_response_id}. A request that arrives while a paraphrase in
 * the same scope is at OpenAI waits for it and gets the same rebuilt form ({@code outcome} {@code joined}).
 *
 * <p>Cache failures fail open as in {@link SemanticCache#getOrCompute}: the call still goes to OpenAI and the
 * failure is counted in {@code semantic_cache_fail_open_total}. OpenAI errors reach the caller; nothing is stored.
 */
public final class CachingOpenAIClient {

    private final OpenAIClientAsync client;
    private final SemanticCache cache;
    private final BinaryNormalizer normalizer;
    private final GetOrComputeOptions defaults;
    private final Chat chat = new Chat();
    private final Responses responses = new Responses();

    private CachingOpenAIClient(Builder b) {
        this.client = b.client;
        this.cache = b.cache;
        this.normalizer = b.normalizer;
        this.defaults = b.options;
    }

    /** A caching client with the default normalizer and {@link GetOrComputeOptions#defaults()}. */
    public static CachingOpenAIClient create(OpenAIClientAsync client, SemanticCache cache) {
        return builder(client, cache).build();
    }

    public static Builder builder(OpenAIClientAsync client, SemanticCache cache) {
        return new Builder(client, cache);
    }

    /** Whether a completion was served from the cache (no OpenAI call, no tokens spent). */
    public static boolean isCached(ChatCompletion completion) {
        return completion._additionalProperties().containsKey(CacheMarks.FIELD);
    }

    /** Whether a response was served from the cache (no OpenAI call, no tokens spent). */
    public static boolean isCached(Response response) {
        return response._additionalProperties().containsKey(CacheMarks.FIELD);
    }

    /** The wrapped client, for calls that should not go through the cache. */
    public OpenAIClientAsync client() {
        return client;
    }

    public Chat chat() {
        return chat;
    }

    public Responses responses() {
        return responses;
    }

    /** Mirrors {@code client.chat()}. */
    public final class Chat {
        private final Completions completions = new Completions();

        private Chat() {
        }

        public Completions completions() {
            return completions;
        }
    }

    /** Mirrors {@code client.chat().completions()}. */
    public final class Completions {
        private Completions() {
        }

        /** Cached {@code create}, with the client's default options. */
        public Mono<ChatCompletion> create(ChatCompletionCreateParams params) {
            return create(params, defaults);
        }

        /** Cached {@code create} with per-call options (category, threshold, TTL, ...). */
        public Mono<ChatCompletion> create(ChatCompletionCreateParams params, GetOrComputeOptions options) {
            Objects.requireNonNull(params, "params");
            Supplier<Mono<ChatCompletion>> call = () -> Mono.fromFuture(() -> client.chat().completions().create(params));
            if (params.n().orElse(1L) > 1) {
                return Mono.defer(call);
            }
            return cached(OpenAIChatAdapter.prepareSemanticParams(params, normalizer), OpenAIChatAdapter.scope(params),
                    options, call, CachingOpenAIClient::answer,
                    hit -> CacheMarks.chatCompletion(hit, params.model().asString()));
        }
    }

    /** Mirrors {@code client.responses()}. */
    public final class Responses {
        private Responses() {
        }

        /** Cached {@code create}, with the client's default options. */
        public Mono<Response> create(ResponseCreateParams params) {
            return create(params, defaults);
        }

        /** Cached {@code create} with per-call options (category, threshold, TTL, ...). */
        public Mono<Response> create(ResponseCreateParams params, GetOrComputeOptions options) {
            Objects.requireNonNull(params, "params");
            Supplier<Mono<Response>> call = () -> Mono.fromFuture(() -> client.responses().create(params));
            if (params.previousResponseId().isPresent() || params.conversation().isPresent()
                    || params.prompt().isPresent() || params.background().orElse(false)) {
                return Mono.defer(call);
            }
            return cached(OpenAIResponsesAdapter.prepareSemanticParams(params, normalizer),
                    OpenAIResponsesAdapter.scope(params), options, call, CachingOpenAIClient::answer,
                    hit -> CacheMarks.response(hit, OpenAIResponsesAdapter.model(params), params));
        }
    }

    private <R> Mono<R> cached(Mono<SemanticParams> semantic, RequestScope scope, GetOrComputeOptions options,
                               Supplier<Mono<R>> call, Function<R, Optional<Answer>> answerOf,
                               Function<ComputeResult, R> fromHit) {
        GetOrComputeOptions o = Objects.requireNonNull(options, "options");
        return semantic.flatMap(sp -> {
            if (sp.text().isEmpty() && sp.prompt().binaryRefs().isEmpty()) {
                return Mono.defer(call); // nothing to match on
            }
            return ProviderReadThrough.call(cache, scope.prompt(sp), o, call, answerOf, fromHit);
        });
    }

    /** The answer to store: only a single, complete text choice. */
    static Optional<Answer> answer(ChatCompletion completion) {
        if (completion.choices().size() != 1) {
            return Optional.empty();
        }
        ChatCompletion.Choice choice = completion.choices().get(0);
        ChatCompletionMessage message = choice.message();
        if (!ChatCompletion.Choice.FinishReason.STOP.equals(choice.finishReason())
                || message.toolCalls().map(t -> !t.isEmpty()).orElse(false)
                || message.refusal().isPresent()) {
            return Optional.empty();
        }
        return message.content().filter(text -> !text.isEmpty()).map(text -> completion.usage()
                .map(u -> new Answer(text, completion.model(), Math.toIntExact(u.promptTokens()),
                        Math.toIntExact(u.completionTokens())))
                .orElseGet(() -> new Answer(text, completion.model(), null, null)));
    }

    /** The answer to store: a completed response whose output is text messages (reasoning items allowed). */
    static Optional<Answer> answer(Response response) {
        if (!response.status().map(ResponseStatus.COMPLETED::equals).orElse(false)) {
            return Optional.empty();
        }
        StringBuilder text = new StringBuilder();
        for (ResponseOutputItem item : response.output()) {
            if (item.isReasoning()) {
                continue;
            }
            if (!item.isMessage()) {
                return Optional.empty();
            }
            for (ResponseOutputMessage.Content c : item.asMessage().content()) {
                if (!c.isOutputText()) {
                    return Optional.empty();
                }
                text.append(c.asOutputText().text());
            }
        }
        if (text.length() == 0) {
            return Optional.empty();
        }
        String model = OpenAIResponsesAdapter.modelName(response.model());
        return Optional.of(response.usage()
                .map(u -> new Answer(text.toString(), model, Math.toIntExact(u.inputTokens()),
                        Math.toIntExact(u.outputTokens())))
                .orElseGet(() -> new Answer(text.toString(), model, null, null)));
    }

    public static final class Builder {
        private final OpenAIClientAsync client;
        private final SemanticCache cache;
        private BinaryNormalizer normalizer = Normalizers.defaultNormalizer();
        private GetOrComputeOptions options = GetOrComputeOptions.defaults();

        private Builder(OpenAIClientAsync client, SemanticCache cache) {
            this.client = Objects.requireNonNull(client, "client");
            this.cache = Objects.requireNonNull(cache, "cache");
        }

        /** How images, audio and files become refs (default {@link Normalizers#defaultNormalizer()}). */
        public Builder normalizer(BinaryNormalizer normalizer) {
            this.normalizer = Objects.requireNonNull(normalizer, "normalizer");
            return this;
        }

        /** Options of calls that pass none (default {@link GetOrComputeOptions#defaults()}). */
        public Builder options(GetOrComputeOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        public CachingOpenAIClient build() {
            return new CachingOpenAIClient(this);
        }
    }
}
