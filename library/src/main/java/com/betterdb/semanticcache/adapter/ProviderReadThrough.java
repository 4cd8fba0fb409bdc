package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.ComputeResult;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.prompt.Prompt;
import reactor.core.publisher.Mono;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link SemanticCache#getOrCompute} for a wrapper around an LLM client that returns the client's own response type:
 * on a miss the provider's response is returned unchanged (and stored when it is a plain answer); on a hit, and when
 * the call joined a concurrent computation of a paraphrase ({@link ComputeResult.Outcome#JOINED}), a response is
 * rebuilt from the text. Lookup, coalescing, fail-open and metrics are getOrCompute's.
 */
public final class ProviderReadThrough {

    private ProviderReadThrough() {
    }

    /**
     * @param call     the provider call, made at most once per subscription and only on a miss
     * @param answerOf the answer to store for a response, or empty when the response must not be cached (a tool
     *                 call, a truncated or refused answer): then it is returned to the caller and nothing is stored
     * @param fromHit  builds the provider's response type from a result whose text this call did not pay for: a
     *                 {@code HIT}, or a {@code JOINED} computation (then {@link ComputeResult#entryKey()} may be
     *                 {@code null} and {@link ComputeResult#lookup()} is the miss)
     */
    public static <R> Mono<R> call(SemanticCache cache, Prompt prompt, GetOrComputeOptions options,
                                   Supplier<? extends Mono<R>> call, Function<? super R, Optional<Answer>> answerOf,
                                   Function<? super ComputeResult, ? extends R> fromHit) {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(answerOf, "answerOf");
        Objects.requireNonNull(fromHit, "fromHit");
        return Mono.defer(() -> {
            AtomicReference<R> response = new AtomicReference<>();
            return cache.getOrCompute(prompt, p -> Mono.defer(call).flatMap(r -> {
                        response.set(r);
                        Optional<Answer> answer = answerOf.apply(r);
                        // Not storable: leave getOrCompute through its error path (nothing is stored) and hand the
                        // response back below.
                        return answer.map(Mono::just).orElseGet(() -> Mono.error(new NotCacheable(response)));
                    }), options)
                    .<R>map(result -> result.calledLlm() ? response.get() : fromHit.apply(result))
                    // Our own reply that is not to be stored goes back as it is. One that a concurrent caller got
                    // (we joined its computation) is not shared: this caller asks the provider itself.
                    .onErrorResume(NotCacheable.class, e -> e.owner == response ? Mono.just(response.get())
                            : Mono.defer(call));
        });
    }

    /** Signals a response that is returned but not stored, to the call that got it; never escapes {@link #call}. */
    private static final class NotCacheable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** The slot of the call whose provider reply this is. */
        final transient AtomicReference<?> owner;

        NotCacheable(AtomicReference<?> owner) {
            super("response not cacheable", null, false, false);
            this.owner = owner;
        }
    }
}
