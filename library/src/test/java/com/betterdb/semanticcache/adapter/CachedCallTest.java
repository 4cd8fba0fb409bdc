package com.betterdb.semanticcache.adapter;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.CacheEntry;
import com.betterdb.semanticcache.ComputeResult;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.CacheStoreFactory;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.store.IndexDescriptor;
import com.betterdb.semanticcache.testing.ForwardingCacheStore;
import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The read-through every chat adapter runs: the provider's own response on a miss, a rebuilt one on a hit or a join,
 * scopes kept apart, lazy initialisation, fail-open, and no unscoped matching on an index without binary_refs.
 */
class CachedCallTest {

    /** A provider's own response type: its text, whether it may be stored, and the marks of a rebuilt one. */
    record Reply(String text, boolean storable, Map<String, Object> marks) {
        Reply(String text, boolean storable) {
            this(text, storable, Map.of());
        }

        boolean cached() {
            return CacheHitMetadata.isCached(marks);
        }
    }

    private static final String Q = AdapterCacheFixture.QUESTION;
    private static final String NEAR = AdapterCacheFixture.PARAPHRASE;
    private static final RequestScope SCOPE = RequestScope.of("m", List.of());

    private AdapterCacheFixture fixture = new AdapterCacheFixture("cc");
    private final AtomicInteger calls = new AtomicInteger();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private SemanticCache raw;

    @AfterEach
    void tearDown() {
        fixture.close();
        if (raw != null) {
            raw.close();
        }
    }

    private static Optional<Answer> answerOf(Reply r) {
        return r.storable() ? Optional.of(Answer.of(r.text(), "m-2025", 3, 4)) : Optional.empty();
    }

    private static Reply rebuild(ComputeResult result) {
        return new Reply(result.response(), true, CacheHitMetadata.of(result));
    }

    private Mono<Reply> read(SemanticCache cache, CachingOptions options, RequestScope scope, SemanticParams params,
                             Supplier<Mono<Reply>> provider) {
        return CachedCall.readThrough(cache, options, scope, Mono.just(params), provider, CachedCallTest::answerOf,
                CachedCallTest::rebuild);
    }

    private Reply call(RequestScope scope, SemanticParams params, Reply providerReply) {
        return read(fixture.cache(), CachingOptions.defaults(), scope, params, () -> Mono.fromCallable(() -> {
            calls.incrementAndGet();
            return providerReply;
        })).block();
    }

    private Reply call(String text, Reply providerReply) {
        return call(SCOPE, SemanticParams.text(text, "m"), providerReply);
    }

    @Test
    void aMissReturnsTheProviderResponseItselfAndAHitIsRebuiltAndMarked() {
        Reply original = new Reply("a", true);
        assertThat(call(Q, original)).isSameAs(original);
        Reply hit = call(NEAR, new Reply("never", true));
        assertThat(hit.text()).isEqualTo("a");
        assertThat(hit.cached()).isTrue();
        assertThat(hit.marks()).containsEntry(CacheHitMetadata.OUTCOME, CacheHitMetadata.OUTCOME_HIT)
                .containsKeys(CacheHitMetadata.SIMILARITY, CacheHitMetadata.CONFIDENCE);
        assertThat((String) hit.marks().get(CacheHitMetadata.MATCHED_KEY)).startsWith("cc:entry:");
        assertThat(calls).hasValue(1);
        // The entry holds the model that answered (cost tracking), not the requested one.
        List<CacheEntry> stored = fixture.cache().entries(Filter.model("m-2025"), 0, 10).block();
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).response()).isEqualTo("a");
    }

    @Test
    void aResponseThatIsNotStorableIsReturnedAndNothingIsStored() {
        Reply toolCall = new Reply("", false);
        assertThat(call(Q, toolCall)).isSameAs(toolCall);
        assertThat(fixture.entries()).isZero();
        call(Q, toolCall);
        assertThat(calls).hasValue(2);
    }

    @Test
    void anLlmErrorReachesTheCallerAndNothingIsStored() {
        assertThatThrownBy(() -> read(fixture.cache(), CachingOptions.defaults(), SCOPE, SemanticParams.text(Q, "m"),
                () -> Mono.error(new IllegalStateException("HTTP 500"))).block()).hasMessageContaining("HTTP 500");
        assertThat(fixture.entries()).isZero();
        assertThat(fixture.failOpens()).isZero();
    }

    /**
     * A concurrent paraphrase joins the computation in flight (getOrCompute coalesces misses): it gets a rebuilt
     * reply marked as joined, never the provider's own object, and the provider is called once. The first call's
     * reply is held back until the second call has looked up and missed, so the second cannot hit a stored entry.
     */
    @Test
    void aConcurrentParaphraseJoinsTheCallInFlightAndGetsARebuiltReply() {
        Sinks.One<Reply> held = Sinks.one();
        CompletableFuture<Reply> first = async(Q, () -> {
            calls.incrementAndGet();
            return held.asMono();
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() == 1);
        CompletableFuture<Reply> second = async(NEAR, () -> Mono.just(new Reply("own", true)));
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.counter("requests_total", "result", "miss") == 2);
        Reply original = new Reply("a", true);
        held.tryEmitValue(original);
        assertThat(first.join()).isSameAs(original);
        Reply joined = second.join();
        assertThat(joined.text()).isEqualTo("a");
        assertThat(joined.cached()).isTrue(); // the isCached convention: no provider call of its own
        assertThat(joined.marks()).containsEntry(CacheHitMetadata.OUTCOME, CacheHitMetadata.OUTCOME_JOINED)
                .doesNotContainKey(CacheHitMetadata.SIMILARITY);
        assertThat(calls).hasValue(1);
    }

    /** A reply that is not to be shared (not storable) is not handed to joined callers: they call the provider. */
    @Test
    void aCallerThatJoinedANotStorableReplyCallsTheProviderItself() {
        Sinks.One<Reply> held = Sinks.one();
        CompletableFuture<Reply> first = async(Q, () -> {
            calls.incrementAndGet();
            return held.asMono();
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() == 1);
        CompletableFuture<Reply> second = async(NEAR, () -> Mono.fromCallable(() -> {
            calls.incrementAndGet();
            return new Reply("own tool call", false);
        }));
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.counter("requests_total", "result", "miss") == 2);
        held.tryEmitValue(new Reply("tool call", false));
        assertThat(first.join()).isEqualTo(new Reply("tool call", false));
        assertThat(second.join()).isEqualTo(new Reply("own tool call", false));
        assertThat(calls).hasValue(2);
        assertThat(fixture.entries()).isZero();
    }

    private CompletableFuture<Reply> async(String text, Supplier<Mono<Reply>> provider) {
        return read(fixture.cache(), CachingOptions.defaults(), SCOPE, SemanticParams.text(text, "m"), provider)
                .toFuture();
    }

    @Test
    void scopesSeparateModelsSystemPromptsAndAttachmentsButNotParaphrases() {
        SemanticParams text = SemanticParams.text(Q, "m");
        RequestScope brief = RequestScope.of("m", List.of("system:Be brief."));
        call(brief, text, new Reply("brief", true));
        assertThat(call(RequestScope.of("m", List.of("system:Be verbose.")), text, new Reply("verbose", true))
                .cached()).isFalse();
        assertThat(call(RequestScope.of("m2", List.of("system:Be brief.")), text, new Reply("m2", true)).cached())
                .isFalse();
        assertThat(call(RequestScope.of("m", List.of()), text, new Reply("none", true)).cached()).isFalse();
        SemanticParams withImage = SemanticParams.blocks(List.of(ContentBlock.text(Q),
                ContentBlock.binary(BinaryKind.IMAGE, "image/png", "sha256:img")), "m");
        assertThat(call(brief, withImage, new Reply("image", true)).cached()).isFalse();
        assertThat(calls).hasValue(5);

        Reply hit = call(brief, SemanticParams.text(NEAR, "m"), new Reply("never", true));
        assertThat(hit.text()).isEqualTo("brief");
        assertThat(hit.cached()).isTrue();
        assertThat(call(brief, withImage, new Reply("never", true)).text()).isEqualTo("image");
        assertThat(calls).hasValue(5);
    }

    @Test
    void categoryThresholdsAndLabelsStayTheCallers() {
        // A per-category threshold tighter than the paraphrase's distance (0.02) applies to an adapter's lookups in
        // that category, and the category is the metric label: the scope does not touch the category.
        SemanticCache c = raw(CacheStores.inMemory(), new AtomicInteger(), Map.of("strict", 0.01));
        CachingOptions faq = CachingOptions.builder().category("faq").build();
        CachingOptions strict = CachingOptions.builder().category("strict").build();
        read(c, faq, SCOPE, SemanticParams.text(Q, "m"), () -> Mono.just(new Reply("a", true))).block();
        List<CacheEntry> stored = c.entries(Filter.category("faq"), 0, 10).block();
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).field("category")).isEqualTo("faq");
        assertThat(read(c, faq, SCOPE, SemanticParams.text(NEAR, "m"), () -> Mono.just(new Reply("x", true)))
                .block().text()).isEqualTo("a");
        assertThat(registry.find("semantic_cache_requests_total").tags("result", "hit", "category", "faq").counter()
                .count()).isEqualTo(1);
        // The same paraphrase in the strict category: beyond its threshold, a miss.
        assertThat(read(c, strict, SCOPE, SemanticParams.text(NEAR, "m"), () -> Mono.just(new Reply("y", true)))
                .block().cached()).isFalse();
    }

    // --------------------------------------------------------------------------------------------- lifecycle

    /** The in-memory store, with {@code ensureIndex} changed by {@code change}. */
    private static CacheStoreFactory ensuringIndex(UnaryOperator<Mono<IndexDescriptor>> change) {
        return keys -> new ForwardingCacheStore() {
            private final CacheStore inner = CacheStores.inMemory().open(keys);

            @Override
            protected CacheStore delegate() {
                return inner;
            }

            @Override
            public Mono<IndexDescriptor> ensureIndex(Mono<Integer> dimensionProbe) {
                return change.apply(inner.ensureIndex(dimensionProbe));
            }
        };
    }

    private SemanticCache raw(CacheStoreFactory store, AtomicInteger probes, Map<String, Double> categoryThresholds) {
        raw = SemanticCache.create(SemanticCacheOptions.builder()
                .name("raw")
                .store(store)
                .categoryThresholds(categoryThresholds)
                .meterRegistry(registry)
                .embedFn(text -> {
                    if (text.equals("probe")) {
                        probes.incrementAndGet();
                    }
                    return Mono.just(AdapterCacheFixture.at(text.equals(Q) ? 0 : text.equals(NEAR) ? 0.02 : 0.5));
                })
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .build());
        return raw;
    }

    private Reply readRaw(SemanticCache cache, String text) {
        return read(cache, CachingOptions.defaults(), SCOPE, SemanticParams.text(text, "m"),
                () -> Mono.fromCallable(() -> {
                    calls.incrementAndGet();
                    return new Reply("r" + calls.get(), true);
                })).block();
    }

    @Test
    void theCacheIsInitialisedOnFirstUseAndOnlyOnce() { // ADP-25
        AtomicInteger probes = new AtomicInteger();
        SemanticCache c = raw(CacheStores.inMemory(), probes, Map.of());
        assertThat(probes).hasValue(0);
        assertThatThrownBy(() -> c.stats().block()).isInstanceOf(SemanticCacheUsageError.class);
        assertThat(readRaw(c, Q).cached()).isFalse();
        assertThat(c.stats().block().misses()).isEqualTo(1);
        assertThat(readRaw(c, NEAR).cached()).isTrue();
        readRaw(c, "another");
        assertThat(probes).hasValue(1);
    }

    @Test
    void aClosedCacheIsAUsageErrorNotAnOutage() {
        fixture.cache().close();
        assertThatThrownBy(() -> call(Q, new Reply("r", true))).isInstanceOf(SemanticCacheUsageError.class);
        assertThat(calls).hasValue(0);
    }

    @Test
    void aRequestWithNothingToMatchGoesStraightToTheProvider() {
        Reply r = call("", new Reply("r", true));
        assertThat(r.text()).isEqualTo("r");
        assertThat(fixture.lookups()).isZero();
        assertThat(fixture.entries()).isZero();
    }

    @Test
    void aFailedRequestReaderFailsOpenAndIsCountedUnlessFailOpenIsOff() {
        Mono<SemanticParams> broken = Mono.error(new IllegalStateException("normalizer down"));
        Reply r = CachedCall.readThrough(fixture.cache(), CachingOptions.defaults(), SCOPE, broken,
                () -> Mono.just(new Reply("r", true)), CachedCallTest::answerOf, CachedCallTest::rebuild).block();
        assertThat(r.text()).isEqualTo("r");
        assertThat(fixture.counter("fail_open_total", "operation", "check")).isEqualTo(1);
        assertThat(fixture.entries()).isZero();
        CachingOptions strict = CachingOptions.builder().base(GetOrComputeOptions.builder().failOpen(false).build())
                .build();
        assertThatThrownBy(() -> CachedCall.readThrough(fixture.cache(), strict, SCOPE, broken,
                () -> Mono.just(new Reply("r", true)), CachedCallTest::answerOf, CachedCallTest::rebuild).block())
                .hasMessageContaining("normalizer down");
    }

    @Test
    void aCacheThatCannotBeInitialisedFailsOpenAndIsCountedThenRecovers() {
        AtomicBoolean down = new AtomicBoolean();
        fixture.close();
        fixture = new AdapterCacheFixture("ccinit", ensuringIndex(
                index -> down.get() ? Mono.error(new IllegalStateException("valkey down")) : index));
        fixture.cache().flush().block(); // back to "not initialised"
        down.set(true);
        assertThat(call(Q, new Reply("r1", true)).text()).isEqualTo("r1");
        assertThat(fixture.counter("fail_open_total", "operation", "check")).isEqualTo(1);
        down.set(false);
        call(Q, new Reply("r2", true));
        assertThat(call(NEAR, new Reply("never", true)).text()).isEqualTo("r2");
        assertThat(calls).hasValue(2);
    }

    // --------------------------------------------------------------------------------- index without binary_refs

    /** An index created by an old package version: no binary_refs attribute, so refs would be stored, not matched. */
    private static CacheStoreFactory withoutBinaryRefs() {
        return ensuringIndex(index -> index.map(d -> new IndexDescriptor(d.dimension(), false)));
    }

    @Test
    void anIndexWithoutBinaryRefsIsNeverMatchedUnscopedTheCallGoesToTheProviderWithOneWarning() {
        fixture.close();
        fixture = new AdapterCacheFixture("ccold", withoutBinaryRefs());
        assertThat(fixture.cache().matchesBinaryRefs()).isFalse();
        Logger logger = (Logger) LoggerFactory.getLogger(CachedCall.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            Reply a = call(RequestScope.of("m", List.of("system:Be brief.")), SemanticParams.text(Q, "m"),
                    new Reply("brief", true));
            Reply b = call(RequestScope.of("m", List.of("system:Be verbose.")), SemanticParams.text(Q, "m"),
                    new Reply("verbose", true));
            assertThat(a.text()).isEqualTo("brief");
            assertThat(b.text()).isEqualTo("verbose");
            assertThat(b.cached()).isFalse();
            call(Q, new Reply("again", true));
        } finally {
            logger.detachAppender(logs);
        }
        assertThat(calls).hasValue(3);
        assertThat(fixture.lookups()).isZero();
        assertThat(fixture.entries()).isZero();
        assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).contains("ccold", "binary_refs", "FT.DROPINDEX"));
    }

    @Test
    void anIndexWithoutBinaryRefsFailsTheCallWhenFailOpenIsOff() {
        fixture.close();
        fixture = new AdapterCacheFixture("ccold2", withoutBinaryRefs());
        CachingOptions strict = CachingOptions.builder().base(GetOrComputeOptions.builder().failOpen(false).build())
                .build();
        assertThatThrownBy(() -> read(fixture.cache(), strict, SCOPE, SemanticParams.text(Q, "m"),
                () -> Mono.just(new Reply("r", true))).block())
                .isInstanceOf(SemanticCacheUsageError.class).hasMessageContaining("binary_refs");
        assertThat(fixture.entries()).isZero();
    }
}
