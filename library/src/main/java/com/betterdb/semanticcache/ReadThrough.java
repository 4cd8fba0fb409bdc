package com.betterdb.semanticcache;

import com.betterdb.semanticcache.prompt.Prompt;
import com.betterdb.semanticcache.telemetry.CacheMetrics;
import com.betterdb.semanticcache.telemetry.MetricNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The read-through path behind {@link SemanticCache#getOrCompute}: look up, call the LLM on a miss, store its
 * answer; concurrent misses within the threshold of one another share one LLM call ({@link InFlightRegistry}).
 * It uses the facade's own lookup and store, so every decision rule and bookkeeping write is the one those
 * operations apply.
 */
final class ReadThrough {

    private static final Logger log = LoggerFactory.getLogger(ReadThrough.class);

    /** What one computation produced, shared by its leader and every caller that joined it. */
    record Computed(Answer answer, String entryKey, Throwable storeError) {
    }

    private final SemanticCache cache;
    private final CacheMetrics metrics;
    private final InFlightRegistry inFlight;

    ReadThrough(SemanticCache cache, CacheMetrics metrics, InFlightRegistry inFlight) {
        this.cache = cache;
        this.metrics = metrics;
        this.inFlight = inFlight;
    }

    Mono<ComputeResult> getOrCompute(Prompt prompt, Function<? super Prompt, ? extends Mono<Answer>> llm,
                                     GetOrComputeOptions options) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(llm, "llm");
        GetOrComputeOptions o = options == null ? GetOrComputeOptions.defaults() : options;
        return cache.checked(prompt, o.check())
                .map(c -> new Lookup(c, null))
                .onErrorResume(e -> {
                    if (!tolerated(o, e, MetricNames.OPERATION_CHECK)) {
                        return Mono.error(e);
                    }
                    log.warn("semantic cache '{}': lookup failed, calling the LLM without the cache: {}",
                            cache.name(), e.toString());
                    return Mono.just(new Lookup(null, e));
                })
                .flatMap(l -> {
                    CacheResult r = l.result();
                    if (r != null && r.hit()) {
                        metrics.readThrough(MetricNames.OUTCOME_HIT);
                        return Mono.just(new ComputeResult(ComputeResult.Outcome.HIT, r.response(), r, null,
                                r.matchedKey(), null));
                    }
                    if (l.checked == null || !o.coalesce() || !inFlight.enabled()) {
                        return computeAlone(prompt, llm, o, l);
                    }
                    CheckDetail c = l.checked;
                    InFlightRegistry.Claim claim = inFlight.claim(c.category(), c.filter(), c.vector(), c.joinDistance());
                    if (claim instanceof InFlightRegistry.Claim.Lead lead) {
                        lead.flight().start(computation(prompt, llm, o));
                        return lead.flight().await().map(v -> result(ComputeResult.Outcome.COMPUTED, v, l));
                    }
                    if (claim instanceof InFlightRegistry.Claim.Join join) {
                        return join(join.flight(), prompt, llm, o, l);
                    }
                    return computeAlone(prompt, llm, o, l);
                });
    }

    private Mono<ComputeResult> join(InFlightRegistry.Flight flight, Prompt prompt,
                                     Function<? super Prompt, ? extends Mono<Answer>> llm, GetOrComputeOptions o,
                                     Lookup l) {
        long start = System.nanoTime();
        Mono<Computed> wait = flight.await();
        if (o.joinTimeout() != null) {
            wait = wait.timeout(o.joinTimeout());
        }
        return wait
                .map(v -> {
                    metrics.readThrough(MetricNames.OUTCOME_JOINED);
                    metrics.joinWait(System.nanoTime() - start);
                    return result(ComputeResult.Outcome.JOINED, v, l);
                })
                // The joined computation was abandoned by all its callers, or took longer than this caller waits:
                // the normal miss path. An LLM error, in contrast, reaches every joined caller as it is.
                .onErrorResume(e -> e instanceof InFlightRegistry.FlightAbandoned || e instanceof TimeoutException,
                        e -> computeAlone(prompt, llm, o, l));
    }

    private Mono<ComputeResult> computeAlone(Prompt prompt, Function<? super Prompt, ? extends Mono<Answer>> llm,
                                             GetOrComputeOptions o, Lookup l) {
        return computation(prompt, llm, o).map(v -> result(ComputeResult.Outcome.COMPUTED, v, l));
    }

    /** One LLM call and the store of its answer (failing open when allowed). */
    private Mono<Computed> computation(Prompt prompt, Function<? super Prompt, ? extends Mono<Answer>> llm,
                                       GetOrComputeOptions o) {
        return Mono.defer(() -> Objects.requireNonNull(llm.apply(prompt), "the LLM function returned null"))
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("the LLM function completed without an answer")))
                .flatMap(answer -> {
                    metrics.readThrough(MetricNames.OUTCOME_COMPUTED);
                    return cache.store(prompt, answer.text(), storeOptions(o, answer))
                            .map(key -> new Computed(answer, key, null))
                            .onErrorResume(e -> {
                                if (!tolerated(o, e, MetricNames.OPERATION_STORE)) {
                                    return Mono.error(e);
                                }
                                log.warn("semantic cache '{}': storing the LLM answer failed: {}", cache.name(),
                                        e.toString());
                                return Mono.just(new Computed(answer, null, e));
                            });
                });
    }

    private static ComputeResult result(ComputeResult.Outcome outcome, Computed v, Lookup l) {
        Throwable cacheError = l.error != null ? l.error : v.storeError();
        return new ComputeResult(outcome, v.answer().text(), l.result(), v.answer(), v.entryKey(), cacheError);
    }

    /** Whether a cache failure is tolerated (and counted): fail-open, and not a usage error. */
    private boolean tolerated(GetOrComputeOptions o, Throwable e, String operation) {
        if (!o.failOpen() || e instanceof SemanticCacheUsageError) {
            return false;
        }
        metrics.failOpen(operation);
        return true;
    }

    /**
     * The options of the store after a computation: the category defaults to the lookup's; the answer's model and
     * token counts win over the store options' own.
     */
    static StoreOptions storeOptions(GetOrComputeOptions o, Answer answer) {
        StoreOptions s = o.store();
        String category = s.category().isEmpty() ? o.check().category() : s.category();
        String model = answer.model().isEmpty() ? s.model() : answer.model();
        Integer in = answer.inputTokens() != null ? answer.inputTokens() : s.inputTokens();
        Integer out = answer.outputTokens() != null ? answer.outputTokens() : s.outputTokens();
        return new StoreOptions(s.ttl(), category, model, s.metadata(), in, out, s.temperature(), s.topP(), s.seed(),
                s.entryId());
    }

    /** A lookup's outcome, or the tolerated failure that replaced it. */
    private record Lookup(CheckDetail checked, Throwable error) {
        CacheResult result() {
            return checked == null ? null : checked.result();
        }
    }
}
