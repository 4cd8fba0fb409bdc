package com.betterdb.semanticcache.readthrough;

import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.ComputeResult;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.cost.ModelCost;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import com.betterdb.semanticcache.testing.ForwardingCacheStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code getOrCompute} over the in-memory store with hand-made 2-d vectors: "q" and "q-near" are 0.02 apart (a hit
 * at the default threshold 0.1), "q-far" is 0.3 away (a miss).
 */
class GetOrComputeTest {

    private final Map<String, float[]> vectors = new HashMap<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** When set, the store's KNN and entry writes fail, as a Valkey outage would. */
    private final AtomicBoolean storeDown = new AtomicBoolean();
    private final AtomicInteger llmCalls = new AtomicInteger();
    private SemanticCache cache;

    private static float[] at(double d) {
        double cos = 1 - d;
        return new float[]{(float) cos, (float) Math.sqrt(1 - cos * cos)};
    }

    private SemanticCache cache() {
        vectors.put("probe", at(0));
        vectors.put("q", at(0));
        vectors.put("q-near", at(0.02));
        vectors.put("q-far", at(0.3));
        var memory = CacheStores.inMemory();
        cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name("rt")
                .store(keys -> new FlakyStore(memory.open(keys)))
                .embedFn(text -> Mono.justOrEmpty(vectors.get(text))
                        .switchIfEmpty(Mono.error(new IllegalArgumentException("no vector"))))
                .modelCost("m-cost", new ModelCost(1.0, 2.0))
                .meterRegistry(registry)
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .build());
        cache.initialize().block();
        return cache;
    }

    @AfterEach
    void tearDown() {
        if (cache != null) {
            cache.close();
        }
    }

    private Mono<Answer> llm(String text) {
        return Mono.fromCallable(() -> {
            llmCalls.incrementAndGet();
            return Answer.of(text, "m-cost", 1000, 500);
        });
    }

    private double counter(String name, String... tags) {
        var c = registry.find("semantic_cache_" + name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void missCallsTheLlmOnceAndStoresWithModelAndTokensThenAParaphraseHits() {
        SemanticCache c = cache();
        ComputeResult first = c.getOrCompute("q", p -> llm("answer to " + p.text())).block();
        assertThat(first.outcome()).isEqualTo(ComputeResult.Outcome.COMPUTED);
        assertThat(first.response()).isEqualTo("answer to q");
        assertThat(first.answer().inputTokens()).isEqualTo(1000);
        assertThat(first.entryKey()).startsWith("rt:entry:");
        assertThat(first.lookup().hit()).isFalse();
        assertThat(first.cacheError()).isNull();

        ComputeResult second = c.getOrCompute("q-near", p -> llm("never")).block();
        assertThat(second.outcome()).isEqualTo(ComputeResult.Outcome.HIT);
        assertThat(second.fromCache()).isTrue();
        assertThat(second.response()).isEqualTo("answer to q");
        assertThat(second.entryKey()).isEqualTo(first.entryKey());
        assertThat(second.answer()).isNull();
        // The entry carries the cost of the answer's model and tokens: 1000 * $1/1k + 500 * $2/1k = $2.
        assertThat(second.lookup().costSaved()).isEqualTo(2.0);
        assertThat(llmCalls).hasValue(1);
        assertThat(counter("read_through_total", "outcome", "computed")).isEqualTo(1);
        assertThat(counter("read_through_total", "outcome", "hit")).isEqualTo(1);
    }

    @Test
    void theLlmIsCalledOnlyOnSubscription() {
        SemanticCache c = cache();
        Mono<ComputeResult> call = c.getOrCompute("q", p -> llm("a"));
        assertThat(llmCalls).hasValue(0);
        call.block();
        assertThat(llmCalls).hasValue(1);
    }

    @Test
    void aFarPromptMissesAndComputesAgain() {
        SemanticCache c = cache();
        c.getOrCompute("q", p -> llm("a")).block();
        ComputeResult far = c.getOrCompute("q-far", p -> llm("b")).block();
        assertThat(far.outcome()).isEqualTo(ComputeResult.Outcome.COMPUTED);
        assertThat(far.lookup().similarity()).isGreaterThan(0.1);
        assertThat(llmCalls).hasValue(2);
    }

    @Test
    void categoryOfTheLookupIsTheStoreCategory() {
        SemanticCache c = cache();
        c.getOrCompute("q", p -> llm("a"), GetOrComputeOptions.builder().category("geo").build()).block();
        // Another category does not see the entry (the store wrote category "geo").
        ComputeResult other = c.getOrCompute("q-near", p -> llm("b"),
                GetOrComputeOptions.builder().check(CheckOptions.builder()
                        .filter(Filter.tag("category", "other")).build()).build()).block();
        assertThat(other.outcome()).isEqualTo(ComputeResult.Outcome.COMPUTED);
        ComputeResult same = c.getOrCompute("q-near", p -> llm("c"),
                GetOrComputeOptions.builder().check(CheckOptions.builder()
                        .filter(Filter.tag("category", "geo")).build()).build()).block();
        assertThat(same.outcome()).isEqualTo(ComputeResult.Outcome.HIT);
        assertThat(same.response()).isEqualTo("a");
    }

    @Test
    void anLlmErrorReachesTheCallerAndNothingIsStored() {
        SemanticCache c = cache();
        assertThatThrownBy(() -> c.getOrCompute("q", p -> Mono.error(new IllegalStateException("provider 503")))
                .block()).hasMessageContaining("provider 503");
        assertThat(c.indexInfo().block().numDocs()).isZero();
        assertThatThrownBy(() -> c.getOrCompute("q", p -> Mono.empty()).block())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("without an answer");
    }

    @Test
    void aCacheOutageFailsOpenToTheLlmAndIsCounted() {
        SemanticCache c = cache();
        storeDown.set(true);
        ComputeResult r = c.getOrCompute("q", p -> llm("from the llm")).block();
        assertThat(r.outcome()).isEqualTo(ComputeResult.Outcome.COMPUTED);
        assertThat(r.response()).isEqualTo("from the llm");
        assertThat(r.lookup()).isNull();
        assertThat(r.entryKey()).isNull();
        assertThat(r.cacheError()).hasMessageContaining("valkey down");
        assertThat(llmCalls).hasValue(1);
        assertThat(counter("fail_open_total", "operation", "check")).isEqualTo(1);
        assertThat(counter("fail_open_total", "operation", "store")).isEqualTo(1);
    }

    @Test
    void withoutFailOpenACacheOutageFailsTheCall() {
        SemanticCache c = cache();
        storeDown.set(true);
        assertThatThrownBy(() -> c.getOrCompute("q", p -> llm("x"),
                GetOrComputeOptions.builder().failOpen(false).build()).block())
                .hasMessageContaining("valkey down");
        assertThat(llmCalls).hasValue(0);
    }

    @Test
    void usageErrorsAreNeverSwallowed() {
        var memory = CacheStores.inMemory();
        cache = SemanticCache.create(SemanticCacheOptions.builder().name("rt").store(memory)
                .embedFn(text -> Mono.just(at(0)))
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled()).build());
        // Not initialised: a programming error, not an outage.
        assertThatThrownBy(() -> cache.getOrCompute("q", p -> llm("x")).block())
                .isInstanceOf(SemanticCacheUsageError.class);
        assertThat(llmCalls).hasValue(0);
    }

    /** The in-memory store, with KNN and entry writes failing while {@link #storeDown} is set. */
    private final class FlakyStore extends ForwardingCacheStore {
        private final CacheStore delegate;

        FlakyStore(CacheStore delegate) {
            this.delegate = delegate;
        }

        @Override
        protected CacheStore delegate() {
            return delegate;
        }

        @Override
        public Mono<List<Candidate>> knn(float[] vector, int k, Filter filter) {
            return storeDown.get() ? Mono.error(new IllegalStateException("valkey down")) : delegate.knn(vector, k, filter);
        }

        @Override
        public Mono<Void> putEntry(String key, EntryRecord entry, Duration ttl) {
            return storeDown.get() ? Mono.error(new IllegalStateException("valkey down"))
                    : delegate.putEntry(key, entry, ttl);
        }
    }
}
