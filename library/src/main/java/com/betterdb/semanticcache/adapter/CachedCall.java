package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.ComputeResult;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.prompt.Prompt;
import com.betterdb.semanticcache.telemetry.CacheMetrics;
import com.betterdb.semanticcache.telemetry.MetricNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The read-through every chat adapter runs, around {@link SemanticCache#getOrCompute}, with the client's own
 * response type {@code R}: on a miss the caller gets the provider's very response back (stored when it is a plain
 * answer), on a hit or a join a response rebuilt from the cached text. Lookup, coalescing of concurrent paraphrases,
 * fail-open and the read-through metrics are {@code getOrCompute}'s; what this adds:
 * <ul>
 *   <li>the cache is initialised on first use ({@code initialize()} is idempotent: only the first call does I/O);</li>
 *   <li>the prompt is the request's text and blocks plus its {@link RequestScope} ref, so only requests of the same
 *       scope share answers;</li>
 *   <li>a request with nothing to match (no text, no binary part) goes straight to the provider;</li>
 *   <li>when initialising the cache or reading the request (a normalizer) fails and the options fail open, the call
 *       goes to the provider without the cache, logged at WARN and counted in
 *       {@code semantic_cache_fail_open_total{operation="check"}} like a failed lookup;</li>
 *   <li><b>an index without the {@code binary_refs} attribute</b> (created by an old package version) cannot keep
 *       scopes apart: the cache is never used for such a request. Fail-open (the default): the call goes to the
 *       provider, nothing is looked up or stored, and one WARN per cache says how to fix the index. Fail-open off:
 *       the call fails with a {@link SemanticCacheUsageError}. Never a silent unscoped match;</li>
 *   <li>a provider response that must not be cached (a tool call, a truncated answer, ...) is returned to the call
 *       that got it and not stored; a call that had joined it is not given another caller's unstorable response: it
 *       calls the provider itself.</li>
 * </ul>
 * Provider errors reach the caller unchanged; nothing is stored. Usage errors (a closed cache) always fail.
 */
public final class CachedCall {

    private static final Logger log = LoggerFactory.getLogger(CachedCall.class);

    /** Caches already warned about their index lacking {@code binary_refs}: one WARN per cache. */
    private static final Set<SemanticCache> WARNED_UNSCOPABLE =
            Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private CachedCall() {
    }

    /**
     * Looks the request up in its scope; on a miss subscribes to {@code provider} once and stores what
     * {@code answerOf} makes of its response. Lazy: nothing happens before subscription.
     *
     * @param options  category, threshold, what the scope leaves out, read-through options
     * @param scope    what must be equal besides the text (see {@link RequestScope})
     * @param request  the request's text, blocks and model, as a request reader produced them
     * @param provider the provider call, made at most once per subscription and only when the cache does not answer
     * @param answerOf the answer to store for a response (text, the model that answered, token usage), or empty when
     *                 the response must not be cached: then it is returned to the caller and nothing is stored
     * @param rebuild  the provider's response type rebuilt from a result this call did not pay for: a
     *                 {@link ComputeResult.Outcome#HIT}, or a {@link ComputeResult.Outcome#JOINED} computation
     *                 (then {@link ComputeResult#entryKey()} may be {@code null}); mark it with
     *                 {@link CacheHitMetadata#of}
     */
    public static <R> Mono<R> readThrough(SemanticCache cache, CachingOptions options, RequestScope scope,
                                          Mono<SemanticParams> request, Supplier<? extends Mono<R>> provider,
                                          Function<? super R, Optional<Answer>> answerOf,
                                          Function<? super ComputeResult, ? extends R> rebuild) {
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(answerOf, "answerOf");
        Objects.requireNonNull(rebuild, "rebuild");
        GetOrComputeOptions o = options.readThrough();
        RequestScope s = options.scope(scope);
        Mono<R> direct = Mono.defer(() -> callOnce(provider));
        return cache.initialize()
                .then(request.switchIfEmpty(Mono.error(() -> new IllegalStateException("the request reader completed"
                        + " without lookup parameters"))))
                .map(p -> new Prepared(p, null))
                .onErrorResume(e -> o.failOpen() && !(e instanceof SemanticCacheUsageError),
                        e -> Mono.just(new Prepared(null, e)))
                .flatMap(p -> {
                    if (p.error != null) {
                        failedOpen(cache, p.error);
                        return direct;
                    }
                    Prompt unscoped = p.params.prompt();
                    if (unscoped.text().isEmpty() && unscoped.binaryRefs().isEmpty()) {
                        return direct; // nothing to match on
                    }
                    if (!cache.matchesBinaryRefs()) {
                        return unscopable(cache, o, direct);
                    }
                    return cached(cache, s.prompt(p.params), o, provider, answerOf, rebuild);
                });
    }

    private static <R> Mono<R> cached(SemanticCache cache, Prompt prompt, GetOrComputeOptions o,
                                      Supplier<? extends Mono<R>> provider,
                                      Function<? super R, Optional<Answer>> answerOf,
                                      Function<? super ComputeResult, ? extends R> rebuild) {
        return Mono.defer(() -> {
            AtomicReference<R> own = new AtomicReference<>();
            return cache.getOrCompute(prompt, p -> callOnce(provider).flatMap(r -> {
                        own.set(r);
                        Optional<Answer> answer = Objects.requireNonNull(answerOf.apply(r), "answerOf returned null");
                        // Not storable: leave getOrCompute through its error path (nothing is stored) and hand the
                        // response back below.
                        return answer.map(Mono::just).orElseGet(() -> Mono.error(new NotCacheable(own)));
                    }), o)
                    .<R>map(result -> result.calledLlm() ? own.get()
                            : Objects.requireNonNull(rebuild.apply(result), "rebuild returned null"))
                    // Our own response that is not to be stored goes back as it is. One that a concurrent caller got
                    // (we joined its computation) is not shared: this caller asks the provider itself.
                    .onErrorResume(NotCacheable.class, e -> e.owner == own ? Mono.just(own.get())
                            : Mono.defer(() -> callOnce(provider)));
        });
    }

    private static <R> Mono<R> unscopable(SemanticCache cache, GetOrComputeOptions o, Mono<R> direct) {
        String why = "semantic cache '" + cache.name() + "': its index has no binary_refs attribute (it was created"
                + " by an old package version), so requests for other models, system prompts or attachments cannot be"
                + " kept apart. Drop the index (FT.DROPINDEX " + cache.name() + ":idx, which keeps the entries) and"
                + " call initialize() again to recreate it";
        if (!o.failOpen()) {
            return Mono.error(new SemanticCacheUsageError(why + "."));
        }
        if (WARNED_UNSCOPABLE.add(cache)) {
            log.warn("{}; until then the adapters call the provider without the cache.", why);
        }
        return direct;
    }

    /** A lookup that could not start: logged and counted as a failed lookup. */
    private static void failedOpen(SemanticCache cache, Throwable error) {
        log.warn("semantic cache '{}': preparing the lookup failed, calling the provider without the cache: {}",
                cache.name(), error.toString());
        SemanticCacheOptions.Telemetry t = cache.options().telemetry();
        // The same series as the cache's own fail-open count: meters are registered once per name and tags.
        new CacheMetrics(t.meterRegistry(), t.metricsPrefix(), cache.name()).failOpen(MetricNames.OPERATION_CHECK);
    }

    private static <R> Mono<R> callOnce(Supplier<? extends Mono<R>> provider) {
        return Mono.defer(() -> Objects.requireNonNull(provider.get(), "the provider call returned null, not a Mono"))
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("the provider call completed without a"
                        + " response")));
    }

    private record Prepared(SemanticParams params, Throwable error) {
    }

    /** Signals a response that is returned but not stored, to the call that got it; never escapes this class. */
    private static final class NotCacheable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** The slot of the call whose provider response this is. */
        final transient AtomicReference<?> owner;

        NotCacheable(AtomicReference<?> owner) {
            super("response not cacheable", null, false, false);
            this.owner = owner;
        }
    }
}
