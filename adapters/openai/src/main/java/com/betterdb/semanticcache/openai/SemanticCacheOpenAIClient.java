package com.betterdb.semanticcache.openai;

import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.adapter.CachedCall;
import com.betterdb.semanticcache.adapter.CachingOptions;
import com.betterdb.semanticcache.adapter.CachingWrapper;
import com.openai.client.OpenAIClientAsync;
import com.openai.core.JsonValue;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseOutputMessage;
import com.openai.models.responses.ResponseStatus;
import reactor.core.publisher.Mono;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An {@link OpenAIClientAsync} with a semantic cache in front: {@code chat().completions().create(params)} and
 * {@code responses().create(params)} look the request up first, call OpenAI only on a miss, and store the answer with
 * the model that answered and its token usage (so hits count the dollars they save).
 *
 * <p>What is matched, what is stored, what is never cached, hits, joins and failures are those of every adapter
 * (docs/adapters.md): the last user message by meaning ({@link OpenAIChatRequests}, {@link OpenAIResponsesRequests}),
 * within the request's {@link com.betterdb.semanticcache.adapter.RequestScope} (model, system and developer messages
 * or {@code instructions}, attachments). OpenAI's own additions: Chat requests with {@code n > 1} and Responses
 * requests that depend on state held by OpenAI ({@code previous_response_id}, {@code conversation}, {@code prompt}) or
 * run in the {@code background} go straight to OpenAI.
 *
 * <p>Hits are the SDK's own types rebuilt from the cached text (one {@code stop} choice, or one completed output
 * message; the requested model; zero usage; an id {@code chatcmpl-cache-<entry>} / {@code resp_cache-<entry>}) with
 * the {@link com.betterdb.semanticcache.adapter.CacheHitMetadata} marks as extra JSON members:
 * {@link #isCached(ChatCompletion)}. A cached {@code Response} is unknown to OpenAI, so its id cannot be used as a
 * {@code previous_response_id}. Per call: {@link #withCategory}, {@link #withThreshold}, {@link #withOptions} return
 * a view sharing the client and the cache. {@link #client()} is the wrapped client, for calls that should not be
 * cached (streaming, files, ...).
 */
public final class SemanticCacheOpenAIClient extends CachingWrapper<SemanticCacheOpenAIClient> {

    private final OpenAIClientAsync client;
    private final Chat chat = new Chat();
    private final Responses responses = new Responses();

    public SemanticCacheOpenAIClient(OpenAIClientAsync client, SemanticCache cache) {
        this(client, cache, CachingOptions.defaults());
    }

    public SemanticCacheOpenAIClient(OpenAIClientAsync client, SemanticCache cache, CachingOptions options) {
        super(cache, options);
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public SemanticCacheOpenAIClient withOptions(CachingOptions options) {
        return new SemanticCacheOpenAIClient(client, cache(), options);
    }

    /** Whether a completion was not produced by an OpenAI call of its own (a hit or a join): no tokens spent. */
    public static boolean isCached(ChatCompletion completion) {
        return marked(completion._additionalProperties());
    }

    /** Whether a response was not produced by an OpenAI call of its own (a hit or a join): no tokens spent. */
    public static boolean isCached(Response response) {
        return marked(response._additionalProperties());
    }

    /** The {@link CacheHitMetadata#HIT} mark among a response's extra JSON members. */
    private static boolean marked(Map<String, JsonValue> additionalProperties) {
        return JsonValue.from(true).equals(additionalProperties.get(CacheHitMetadata.HIT));
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

        /** Cached {@code create}. */
        public Mono<ChatCompletion> create(ChatCompletionCreateParams params) {
            Objects.requireNonNull(params, "params");
            Supplier<Mono<ChatCompletion>> call =
                    () -> Mono.fromFuture(() -> client.chat().completions().create(params));
            if (params.n().orElse(1L) > 1 || !OpenAIChatRequests.cacheable(params)) {
                return Mono.defer(call);
            }
            return CachedCall.readThrough(cache(), cachingOptions(), OpenAIChatRequests.scope(params),
                    OpenAIChatRequests.prepareSemanticParams(params, cachingOptions().normalizer()), call,
                    SemanticCacheOpenAIClient::answer,
                    hit -> CachedResponses.chatCompletion(hit, params.model().asString()));
        }
    }

    /** Mirrors {@code client.responses()}. */
    public final class Responses {
        private Responses() {
        }

        /** Cached {@code create}. */
        public Mono<Response> create(ResponseCreateParams params) {
            Objects.requireNonNull(params, "params");
            Supplier<Mono<Response>> call = () -> Mono.fromFuture(() -> client.responses().create(params));
            if (params.previousResponseId().isPresent() || params.conversation().isPresent()
                    || params.prompt().isPresent() || params.background().orElse(false)
                    || !OpenAIResponsesRequests.cacheable(params)) {
                return Mono.defer(call);
            }
            return CachedCall.readThrough(cache(), cachingOptions(), OpenAIResponsesRequests.scope(params),
                    OpenAIResponsesRequests.prepareSemanticParams(params, cachingOptions().normalizer()), call,
                    SemanticCacheOpenAIClient::answer,
                    hit -> CachedResponses.response(hit, OpenAIResponsesRequests.model(params), params));
        }
    }

    /** The answer to store: only a single, complete text choice, with the model that answered. */
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
        String model = OpenAIResponsesRequests.modelName(response.model());
        return Optional.of(response.usage()
                .map(u -> new Answer(text.toString(), model, Math.toIntExact(u.inputTokens()),
                        Math.toIntExact(u.outputTokens())))
                .orElseGet(() -> new Answer(text.toString(), model, null, null)));
    }
}
