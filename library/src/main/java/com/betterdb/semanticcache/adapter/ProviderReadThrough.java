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
 * on a miss the provider's response is returned unchanged (and stored when it is a plain answer), on a hit a response
 * is rebuilt from the cached text. Lookup, fail-open and metrics are getOrCompute's.
 */
public final class ProviderReadThrough {

    private ProviderReadThrough() {
    }

    /**
     * @param call     the provider call, made at most once per subscription and only on a miss
     * @param answerOf the answer to store for a response, or empty when the response must not be cached (a tool
     *                 call, a truncated or refused answer): then it is returned to the caller and nothing is stored
     * @param fromHit  builds the provider's response type from a hit
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
                        return answer.map(Mono::just).orElseGet(() -> Mono.error(new NotCacheable(r)));
                    }), options)
                    .<R>map(result -> result.fromCache() ? fromHit.apply(result) : response.get())
                    .onErrorResume(NotCacheable.class, e -> Mono.just(response.get()));
        });
    }

    /** Carries a response that is returned but not stored; never escapes {@link #call}. */
    private static final class NotCacheable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotCacheable(Object response) {
            super("response not cacheable: " + response.getClass().getSimpleName(), null, false, false);
        }
    }
}
