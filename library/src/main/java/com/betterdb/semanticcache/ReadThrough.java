package com.betterdb.semanticcache;

import com.betterdb.semanticcache.prompt.Prompt;
import com.betterdb.semanticcache.telemetry.CacheMetrics;
import com.betterdb.semanticcache.telemetry.MetricNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.util.Objects;
import java.util.function.Function;

/**
 * The read-through path behind {@link SemanticCache#getOrCompute}: look up, call the LLM on a miss, store its
 * answer. Lives beside the facade so that the facade only delegates; it uses the facade's own {@code check} and
 * {@code store}, so every decision rule and bookkeeping write is the one those operations apply.
 */
final class ReadThrough {

    private static final Logger log = LoggerFactory.getLogger(ReadThrough.class);

    private final SemanticCache cache;
    private final CacheMetrics metrics;

    ReadThrough(SemanticCache cache, CacheMetrics metrics) {
        this.cache = cache;
        this.metrics = metrics;
    }

    Mono<ComputeResult> getOrCompute(Prompt prompt, Function<? super Prompt, ? extends Mono<Answer>> llm,
                                     GetOrComputeOptions options) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(llm, "llm");
        GetOrComputeOptions o = options == null ? GetOrComputeOptions.defaults() : options;
        return cache.check(prompt, o.check())
                .map(Lookup::of)
                .onErrorResume(e -> {
                    if (!tolerated(o, e, MetricNames.OPERATION_CHECK)) {
                        return Mono.error(e);
                    }
                    log.warn("semantic cache '{}': lookup failed, calling the LLM without the cache: {}",
                            cache.name(), e.toString());
                    return Mono.just(new Lookup(null, e));
                })
                .flatMap(l -> {
                    if (l.result != null && l.result.hit()) {
                        metrics.readThrough(MetricNames.OUTCOME_HIT);
                        return Mono.just(new ComputeResult(ComputeResult.Outcome.HIT, l.result.response(), l.result,
                                null, l.result.matchedKey(), null));
                    }
                    return compute(prompt, llm, o, l);
                });
    }

    private Mono<ComputeResult> compute(Prompt prompt, Function<? super Prompt, ? extends Mono<Answer>> llm,
                                        GetOrComputeOptions o, Lookup lookup) {
        return Mono.defer(() -> Objects.requireNonNull(llm.apply(prompt), "the LLM function returned null"))
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("the LLM function completed without an answer")))
                .flatMap(answer -> {
                    metrics.readThrough(MetricNames.OUTCOME_COMPUTED);
                    return cache.store(prompt, answer.text(), storeOptions(o, answer))
                            .map(key -> new ComputeResult(ComputeResult.Outcome.COMPUTED, answer.text(), lookup.result,
                                    answer, key, lookup.error))
                            .onErrorResume(e -> {
                                if (!tolerated(o, e, MetricNames.OPERATION_STORE)) {
                                    return Mono.error(e);
                                }
                                log.warn("semantic cache '{}': storing the LLM answer failed: {}", cache.name(),
                                        e.toString());
                                return Mono.just(new ComputeResult(ComputeResult.Outcome.COMPUTED, answer.text(),
                                        lookup.result, answer, null, e));
                            });
                });
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

    /** A lookup's result, or the tolerated failure that replaced it. */
    private record Lookup(CacheResult result, Throwable error) {
        static Lookup of(CacheResult r) {
            return new Lookup(r, null);
        }
    }
}
