package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.ComputeResult;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.prompt.Prompt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link SemanticCache#getOrCompute} for a wrapper around an LLM client, where the call yields the client's own
 * response type {@code R}: on a miss the caller gets that very response back (not a copy rebuilt from its text), and
 * a response that must not be cached (a tool call, a truncated or filtered answer, no text) is returned without
 * being stored. Check, call, store, fail-open and the read-through metrics are {@code getOrCompute}'s.
 */
public final class CachedCall {

    private static final Logger log = LoggerFactory.getLogger(CachedCall.class);

    private CachedCall() {
    }

    /**
     * What a wrapped call produced. Exactly one of two cases: the client's own {@code response} (this call ran the
     * LLM), or none, and then the wrapper rebuilds a response of its type from {@code result}: a cache hit, or a
     * concurrent computation of a paraphrase that this call joined ({@link ComputeResult.Outcome#JOINED}).
     *
     * @param response the client's response when this call ran the LLM; {@code null} on a hit or a join
     * @param result   the read-through result; {@code null} when the cache was not used: the prompt was empty, the
     *                 response was not cacheable, or preparing the lookup failed and the call went to the LLM without
     *                 the cache
     */
    public record Outcome<R>(R response, ComputeResult result) {

        /** Served from the cache. */
        public boolean hit() {
            return result != null && result.fromCache();
        }

        /** No response of the client's own: rebuild one from {@link #result()} (a hit or a join). */
        public boolean rebuild() {
            return response == null && result != null;
        }
    }

    /**
     * Looks {@code prompt} up; on a miss subscribes to {@code call} once and stores what {@code answerOf} makes of
     * its response ({@code null} = return it without storing). A prompt with no text and no binary part is never
     * looked up: the call goes straight to the LLM. The cache is initialised on first use ({@code initialize()} is
     * idempotent: only the first call does I/O). When initialising or {@code prompt} itself fails (Valkey down, a
     * normalizer error) and the options fail open, the call goes to the LLM without the cache (logged at WARN).
     */
    public static <R> Mono<Outcome<R>> getOrCompute(SemanticCache cache, Mono<Prompt> prompt,
                                                    GetOrComputeOptions options, Supplier<? extends Mono<R>> call,
                                                    Function<? super R, Answer> answerOf) {
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(answerOf, "answerOf");
        GetOrComputeOptions o = options == null ? GetOrComputeOptions.defaults() : options;
        Mono<Outcome<R>> direct = Mono.defer(() -> callOnce(call)).map(r -> new Outcome<>(r, null));
        return cache.initialize()
                .then(prompt)
                .map(p -> new PromptOrError(p, null))
                .onErrorResume(e -> o.failOpen() && !(e instanceof SemanticCacheUsageError),
                        e -> Mono.just(new PromptOrError(null, e)))
                .flatMap(p -> {
                    if (p.error != null) {
                        log.warn("semantic cache '{}': preparing the lookup failed, calling the LLM without the cache: {}",
                                cache.name(), p.error.toString());
                        return direct;
                    }
                    if (p.prompt.text().isEmpty() && p.prompt.binaryRefs().isEmpty()) {
                        return direct;
                    }
                    return readThrough(cache, p.prompt, o, call, answerOf);
                });
    }

    private static <R> Mono<Outcome<R>> readThrough(SemanticCache cache, Prompt prompt, GetOrComputeOptions o,
                                                    Supplier<? extends Mono<R>> call,
                                                    Function<? super R, Answer> answerOf) {
        return Mono.defer(() -> {
            AtomicReference<R> computed = new AtomicReference<>();
            return cache.getOrCompute(prompt, p -> callOnce(call).flatMap(r -> {
                        computed.set(r);
                        Answer a = answerOf.apply(r);
                        return a == null ? Mono.<Answer>error(new NotCacheable(r)) : Mono.just(a);
                    }), o)
                    .map(res -> new Outcome<>(res.calledLlm() ? computed.get() : null, res))
                    .onErrorResume(NotCacheable.class, e -> {
                        @SuppressWarnings("unchecked")
                        R r = (R) e.response;
                        return Mono.just(new Outcome<>(r, null));
                    });
        });
    }

    private static <R> Mono<R> callOnce(Supplier<? extends Mono<R>> call) {
        return Mono.defer(() -> Objects.requireNonNull(call.get(), "the LLM call returned null instead of a Mono"))
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("the LLM call completed without a response")));
    }

    private record PromptOrError(Prompt prompt, Throwable error) {
    }

    /** Carries a response that must not be stored past getOrCompute, which then stores nothing. */
    private static final class NotCacheable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Object response;

        NotCacheable(Object response) {
            super("response not cacheable", null, false, false);
            this.response = response;
        }
    }
}
