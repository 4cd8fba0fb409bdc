package com.betterdb.semanticcache.readthrough;

import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.ComputeResult;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.JudgeOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.CacheStores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * In-flight coalescing of {@code getOrCompute} misses. The LLM is a set of sinks the test completes by hand, so
 * "concurrent" means "while the first call's LLM answer is still pending", deterministically. Vectors are 2-d and
 * hand-made: "q", "q-near" (0.02 from q) and "q-far" (0.3 from q); threshold 0.1, band 0.05.
 */
class CoalescingTest {

    private final Map<String, float[]> vectors = new HashMap<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** One pending LLM answer per call, in call order. */
    private final List<Sinks.One<Answer>> llmCalls = new CopyOnWriteArrayList<>();
    private final List<String> llmPrompts = new CopyOnWriteArrayList<>();
    private final AtomicBoolean llmCancelled = new AtomicBoolean();
    private SemanticCache cache;

    private static float[] at(double d) {
        double cos = 1 - d;
        return new float[]{(float) cos, (float) Math.sqrt(1 - cos * cos)};
    }

    @BeforeEach
    void setUp() {
        vectors.put("probe", at(0));
        vectors.put("q", at(0));
        vectors.put("q-near", at(0.02));
        vectors.put("q-band", at(0.07)); // inside the uncertainty band [0.05, 0.1]
        vectors.put("q-far", at(0.3));
        cache = build(SemanticCacheOptions.Coalescing.DEFAULT);
    }

    private SemanticCache build(SemanticCacheOptions.Coalescing coalescing) {
        SemanticCache c = SemanticCache.create(SemanticCacheOptions.builder()
                .name("co")
                .store(CacheStores.inMemory())
                .embedFn(text -> Mono.justOrEmpty(vectors.get(text))
                        .switchIfEmpty(Mono.error(new IllegalArgumentException("no vector"))))
                .coalescing(coalescing)
                .meterRegistry(registry)
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .build());
        c.initialize().block();
        return c;
    }

    @AfterEach
    void tearDown() {
        cache.close();
    }

    private Mono<Answer> llm(com.betterdb.semanticcache.prompt.Prompt p) {
        return Mono.defer(() -> {
            Sinks.One<Answer> sink = Sinks.one();
            llmPrompts.add(p.text());
            llmCalls.add(sink);
            return sink.asMono().doOnCancel(() -> llmCancelled.set(true));
        });
    }

    private Mono<ComputeResult> call(String prompt) {
        return cache.getOrCompute(prompt, this::llm);
    }

    private Mono<ComputeResult> call(String prompt, GetOrComputeOptions o) {
        return cache.getOrCompute(prompt, this::llm, o);
    }

    /** Subscribes and returns a holder of the result (or error), so several calls can be pending at once. */
    private static Pending start(Mono<ComputeResult> call) {
        Pending p = new Pending();
        p.subscription = call.subscribeOn(Schedulers.boundedElastic()).subscribe(p.result::set, p.error::set);
        return p;
    }

    private static org.awaitility.core.ConditionFactory waitAtMost10s() {
        return await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    private static final class Pending {
        final AtomicReference<ComputeResult> result = new AtomicReference<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        Disposable subscription;

        ComputeResult awaitResult() {
            waitAtMost10s().until(() -> result.get() != null || error.get() != null);
            assertThat(error.get()).isNull();
            return result.get();
        }

        Throwable awaitError() {
            waitAtMost10s().until(() -> result.get() != null || error.get() != null);
            assertThat(result.get()).isNull();
            return error.get();
        }
    }

    private void awaitLlmCalls(int n) {
        waitAtMost10s().until(() -> llmCalls.size() >= n);
    }

    /** Gives a pending joiner time to register before the leader completes; the assertions do not depend on it. */
    private void awaitJoined(int waitingCalls) {
        waitAtMost10s().until(() -> registry.find("semantic_cache_requests_total")
                .tags("result", "miss").counters().stream().mapToDouble(c -> c.count()).sum() >= waitingCalls);
    }

    private double counter(String name, String... tags) {
        var c = registry.find("semantic_cache_" + name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aParaphraseThatMissesWhileTheFirstIsComputedJoinsIt() {
        Pending first = start(call("q"));
        awaitLlmCalls(1);
        Pending second = start(call("q-near"));
        awaitJoined(2);
        llmCalls.get(0).tryEmitValue(Answer.of("Paris", "gpt-4o", 10, 5));

        ComputeResult a = first.awaitResult();
        ComputeResult b = second.awaitResult();
        assertThat(a.outcome()).isEqualTo(ComputeResult.Outcome.COMPUTED);
        assertThat(b.outcome()).isEqualTo(ComputeResult.Outcome.JOINED);
        assertThat(b.calledLlm()).isFalse();
        assertThat(b.response()).isEqualTo("Paris");
        assertThat(b.entryKey()).isEqualTo(a.entryKey()).isNotNull();
        assertThat(llmCalls).hasSize(1);
        assertThat(llmPrompts).containsExactly("q");
        assertThat(counter("read_through_total", "outcome", "joined")).isEqualTo(1);
        assertThat(counter("read_through_total", "outcome", "computed")).isEqualTo(1);
        assertThat(registry.find("semantic_cache_read_through_join_wait_seconds").timer().count()).isEqualTo(1);
    }

    @Test
    void manyConcurrentParaphrasesMakeOneLlmCall() {
        Pending first = start(call("q"));
        awaitLlmCalls(1);
        List<Pending> rest = Flux.range(0, 20).map(i -> start(call(i % 2 == 0 ? "q" : "q-near"))).collectList().block();
        awaitJoined(21);
        llmCalls.get(0).tryEmitValue(Answer.of("Paris"));
        first.awaitResult();
        for (Pending p : rest) {
            assertThat(p.awaitResult().outcome()).isEqualTo(ComputeResult.Outcome.JOINED);
        }
        assertThat(llmCalls).hasSize(1);
    }

    @Test
    void noJoinAcrossCategoriesFiltersOrBeyondTheThreshold() {
        Pending first = start(call("q", GetOrComputeOptions.builder().category("geo").build()));
        awaitLlmCalls(1);
        Pending otherCategory = start(call("q-near", GetOrComputeOptions.builder().category("history").build()));
        awaitLlmCalls(2);
        Pending otherFilter = start(call("q-near", GetOrComputeOptions.builder().category("geo")
                .check(CheckOptions.builder().category("geo").filter(Filter.tag("model", "m2")).build()).build()));
        awaitLlmCalls(3);
        Pending far = start(call("q-far", GetOrComputeOptions.builder().category("geo").build()));
        awaitLlmCalls(4);
        llmCalls.forEach(s -> s.tryEmitValue(Answer.of("a")));
        assertThat(List.of(first, otherCategory, otherFilter, far))
                .allSatisfy(p -> assertThat(p.awaitResult().outcome()).isEqualTo(ComputeResult.Outcome.COMPUTED));
        assertThat(llmPrompts).containsExactly("q", "q-near", "q-near", "q-far");
    }

    @Test
    void withAJudgeOnlyDistancesServedWithoutTheJudgeJoin() {
        GetOrComputeOptions judged = GetOrComputeOptions.builder()
                .check(CheckOptions.builder().judge(JudgeOptions.of(ctx -> Mono.just(true))).build()).build();
        Pending first = start(call("q", judged));
        awaitLlmCalls(1);
        // 0.07 is within the threshold but in the band where a hit would need the judge: no join.
        Pending band = start(call("q-band", judged));
        awaitLlmCalls(2);
        Pending near = start(call("q-near", judged));
        awaitJoined(3);
        llmCalls.forEach(s -> s.tryEmitValue(Answer.of("a")));
        assertThat(band.awaitResult().outcome()).isEqualTo(ComputeResult.Outcome.COMPUTED);
        assertThat(near.awaitResult().outcome()).isEqualTo(ComputeResult.Outcome.JOINED);
        first.awaitResult();
        assertThat(llmCalls).hasSize(2);
    }

    @Test
    void anLlmErrorFailsEveryJoinedCallWithTheSameErrorAndStoresNothing() {
        Pending first = start(call("q"));
        awaitLlmCalls(1);
        Pending second = start(call("q-near"));
        awaitJoined(2);
        IllegalStateException boom = new IllegalStateException("provider 503");
        llmCalls.get(0).tryEmitError(boom);
        assertThat(first.awaitError()).isSameAs(boom);
        assertThat(second.awaitError()).isSameAs(boom);
        assertThat(cache.indexInfo().block().numDocs()).isZero();
        // The failed flight is forgotten: the next paraphrase computes again.
        Pending retry = start(call("q-near"));
        awaitLlmCalls(2);
        llmCalls.get(1).tryEmitValue(Answer.of("ok"));
        assertThat(retry.awaitResult().outcome()).isEqualTo(ComputeResult.Outcome.COMPUTED);
    }

    @Test
    void cancellingTheFirstCallerDoesNotCancelTheJoinedOnes() {
        Pending first = start(call("q"));
        awaitLlmCalls(1);
        Pending second = start(call("q-near"));
        awaitJoined(2);
        first.subscription.dispose();
        assertThat(llmCancelled).isFalse();
        llmCalls.get(0).tryEmitValue(Answer.of("Paris"));
        ComputeResult b = second.awaitResult();
        assertThat(b.outcome()).isEqualTo(ComputeResult.Outcome.JOINED);
        assertThat(b.response()).isEqualTo("Paris");
        // The computation completed and stored its answer although its first caller left.
        waitAtMost10s().until(() -> cache.indexInfo().block().numDocs() == 1);
    }

    @Test
    void whenEveryCallerCancelsTheLlmCallIsCancelled() {
        Pending first = start(call("q"));
        awaitLlmCalls(1);
        first.subscription.dispose();
        waitAtMost10s().untilTrue(llmCancelled);
        // Nothing is left to join: the next paraphrase computes.
        Pending next = start(call("q-near"));
        awaitLlmCalls(2);
        llmCalls.get(1).tryEmitValue(Answer.of("a"));
        assertThat(next.awaitResult().outcome()).isEqualTo(ComputeResult.Outcome.COMPUTED);
    }

    @Test
    void aJoinerThatWaitsLongerThanItsTimeoutComputesItself() {
        Pending first = start(call("q"));
        awaitLlmCalls(1);
        Pending impatient = start(call("q-near", GetOrComputeOptions.builder()
                .joinTimeout(Duration.ofMillis(50)).build()));
        awaitLlmCalls(2);
        llmCalls.get(1).tryEmitValue(Answer.of("own answer"));
        ComputeResult r = impatient.awaitResult();
        assertThat(r.outcome()).isEqualTo(ComputeResult.Outcome.COMPUTED);
        assertThat(r.response()).isEqualTo("own answer");
        llmCalls.get(0).tryEmitValue(Answer.of("first answer"));
        assertThat(first.awaitResult().response()).isEqualTo("first answer");
    }

    @Test
    void coalescingCanBeTurnedOffPerCallAndPerCache() {
        Pending first = start(call("q"));
        awaitLlmCalls(1);
        Pending alone = start(call("q-near", GetOrComputeOptions.builder().coalesce(false).build()));
        awaitLlmCalls(2);
        llmCalls.forEach(s -> s.tryEmitValue(Answer.of("a")));
        assertThat(alone.awaitResult().outcome()).isEqualTo(ComputeResult.Outcome.COMPUTED);
        first.awaitResult();

        cache.close();
        cache = build(SemanticCacheOptions.Coalescing.disabled());
        llmCalls.clear();
        Pending x = start(call("q"));
        awaitLlmCalls(1);
        Pending y = start(call("q-near"));
        awaitLlmCalls(2);
        llmCalls.forEach(s -> s.tryEmitValue(Answer.of("a")));
        assertThat(x.awaitResult().outcome()).isEqualTo(ComputeResult.Outcome.COMPUTED);
        assertThat(y.awaitResult().outcome()).isEqualTo(ComputeResult.Outcome.COMPUTED);
    }

    @Test
    void aFullRegistryLetsNewMissesComputeAlone() {
        cache.close();
        cache = build(new SemanticCacheOptions.Coalescing(true, 1, Duration.ofMinutes(5)));
        vectors.put("other", new float[]{-1f, 0f});
        Pending first = start(call("q"));
        awaitLlmCalls(1);
        Pending unrelated = start(call("other")); // the registry's one slot is taken: computes, not joinable
        awaitLlmCalls(2);
        Pending paraphraseOfOther = start(call("other"));
        awaitLlmCalls(3);
        Pending paraphraseOfFirst = start(call("q-near")); // the registered flight is still joinable
        awaitJoined(4);
        llmCalls.forEach(s -> s.tryEmitValue(Answer.of("a")));
        assertThat(paraphraseOfOther.awaitResult().outcome()).isEqualTo(ComputeResult.Outcome.COMPUTED);
        assertThat(paraphraseOfFirst.awaitResult().outcome()).isEqualTo(ComputeResult.Outcome.JOINED);
        unrelated.awaitResult();
        first.awaitResult();
        assertThat(llmCalls).hasSize(3);
    }

    @Test
    void joinTimeoutMustBePositive() {
        assertThatThrownBy(() -> GetOrComputeOptions.builder().joinTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("joinTimeout");
    }
}
