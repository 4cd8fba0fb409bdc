package com.betterdb.semanticcache.core;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.Confidence;
import com.betterdb.semanticcache.EmbeddingError;
import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Prompt;
import com.betterdb.semanticcache.store.Bookkeeping;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;

import static com.betterdb.semanticcache.core.RecordingStore.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void existingIndexIsUsedWithoutProbing() { // INIT-01, INIT-02
        CacheFixture f = CacheFixture.create().initialized();
        assertThat(f.embedded).isEmpty();
        assertThat(f.store.createdIndexes).hasValue(0);
    }

    @Test
    void missingIndexIsCreatedWithTheProbeDimension() { // INIT-03, INIT-05
        CacheFixture f = CacheFixture.withEmbedder(t -> Mono.just(new float[5]), b -> {
        }, false).initialized();
        assertThat(f.embedded).containsExactly("probe");
        assertThat(f.store.createdIndexes).hasValue(1);
        assertThat(f.store.existingIndex.dimension()).isEqualTo(5);
    }

    @Test
    void probeFailureIsAnEmbeddingError() { // INIT-04
        CacheFixture f = CacheFixture.withEmbedder(t -> Mono.error(new RuntimeException("provider down")), b -> {
        }, false);
        assertThatThrownBy(() -> f.cache.initialize().block())
                .isInstanceOf(EmbeddingError.class)
                .hasMessage("embedFn failed: provider down");
    }

    @Test
    void initializeIsIdempotentAndSharedByConcurrentCallers() { // INIT-11
        CacheFixture f = CacheFixture.withEmbedder(t -> Mono.just(new float[3]).delayElement(Duration.ofMillis(50)),
                b -> {
                }, false);
        Mono.when(f.cache.initialize(), f.cache.initialize(), f.cache.initialize()).block();
        f.cache.initialize().block();
        assertThat(f.embedded).containsExactly("probe");
        assertThat(f.store.createdIndexes).hasValue(1);
    }

    @Test
    void failedInitializeIsRetriedByTheNextCall() {
        int[] calls = {0};
        CacheFixture f = CacheFixture.withEmbedder(t -> calls[0]++ == 0 ? Mono.error(new RuntimeException("flaky"))
                : Mono.just(new float[3]), b -> {
        }, false);
        assertThatThrownBy(() -> f.cache.initialize().block()).isInstanceOf(EmbeddingError.class);
        f.cache.initialize().block();
        assertThat(f.store.createdIndexes).hasValue(1);
    }

    @Test
    void checkBeforeInitializeIsAUsageError() { // INIT-12
        CacheFixture f = CacheFixture.create();
        assertThatThrownBy(() -> f.cache.check("hello").block())
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessageContaining("initialize()")
                .hasMessageContaining("check()");
        assertThatThrownBy(() -> f.cache.store("q", "a").block())
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessageContaining("initialize()");
    }

    @Test
    void noRowsIsABareMissWithoutWindowEntry() { // CHECK-07
        CacheFixture f = CacheFixture.create().initialized();
        CacheResult r = f.cache.check("hello").block();
        assertThat(r).isEqualTo(CacheResult.miss());
        assertThat(r.similarity()).isNull();
        assertThat(r.nearestMiss()).isNull();
        Bookkeeping b = f.store.allBookkeeping().get(0);
        assertThat(b.hit()).isFalse();
        assertThat(b.windowMember()).isNull();
        assertThat(b.pendingMember()).isNull();
        assertThat(f.store.recordCalls).hasSize(1);
        assertThat(f.counter("requests_total", "result", "miss", "category", "none")).isEqualTo(1);
    }

    @Test
    void closeRowIsAHighConfidenceHit() { // CHECK-08, CHECK-10
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("ftchar:entry:1", 0.01, "response", "world", "prompt", "hello"));
        CacheResult r = f.cache.check("hello").block();
        assertThat(r.hit()).isTrue();
        assertThat(r.response()).isEqualTo("world");
        assertThat(r.similarity()).isEqualTo(0.01);
        assertThat(r.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(r.matchedKey()).isEqualTo("ftchar:entry:1");
        assertThat(r.costSaved()).isNull(); // COST-08
        assertThat(f.counter("requests_total", "result", "hit", "category", "none")).isEqualTo(1);
    }

    @Test
    void rowAboveThresholdIsAMissWithNearestMiss() throws Exception { // CHECK-09
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("ftchar:entry:1", 0.01, "response", "world"));
        CacheResult r = f.cache.check("hello", CheckOptions.builder().threshold(0.005).build()).block();
        assertThat(r.hit()).isFalse();
        assertThat(r.confidence()).isEqualTo(Confidence.MISS);
        assertThat(r.similarity()).isEqualTo(0.01);
        assertThat(r.nearestMiss().similarity()).isEqualTo(0.01);
        assertThat(r.nearestMiss().deltaToThreshold()).isEqualTo(0.01 - 0.005);
        assertThat(r.nearestMiss().matchedKey()).isNull();
        Bookkeeping b = f.store.allBookkeeping().get(0);
        JsonNode member = JSON.readTree(b.windowMember());
        assertThat(member.get("score").asDouble()).isEqualTo(0.01);
        assertThat(member.get("result").asText()).isEqualTo("miss");
        assertThat(member.get("cost_saved_micros").isNull()).isTrue();
        JsonNode pending = JSON.readTree(b.pendingMember());
        assertThat(pending.get("correlationId").asText()).isEqualTo("2cf24dba5fb0a30e"); // sha256("hello")[0..16)
        assertThat(pending.get("similarityMember").asText()).isEqualTo(b.windowMember());
    }

    @Test
    void uncertaintyBandBoundaries() { // CHECK-11, CHECK-12, CHECK-13
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("k1", 0.09, "response", "a"));
        assertThat(f.cache.check("q").block().confidence()).isEqualTo(Confidence.UNCERTAIN);
        f.store.reply(row("k2", 0.1, "response", "a"));
        CacheResult atThreshold = f.cache.check("q").block();
        assertThat(atThreshold.hit()).isTrue();
        assertThat(atThreshold.confidence()).isEqualTo(Confidence.UNCERTAIN);
        f.store.reply(row("k3", 0.05, "response", "a"));
        assertThat(f.cache.check("q").block().confidence()).isEqualTo(Confidence.UNCERTAIN);
        f.store.reply(row("k4", 0.0499, "response", "a"));
        assertThat(f.cache.check("q").block().confidence()).isEqualTo(Confidence.HIGH);
        f.store.reply(row("k5", 0.1000001, "response", "a"));
        assertThat(f.cache.check("q").block().hit()).isFalse();
        assertThat(f.counter("requests_total", "result", "uncertain_hit", "category", "none")).isEqualTo(3);
    }

    @Test
    void unparsableScoreIsAMissWithoutWindowEntry() {
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("k1", Double.NaN, "response", "a"));
        CacheResult r = f.cache.check("q").block();
        assertThat(r).isEqualTo(CacheResult.miss());
        assertThat(f.store.allBookkeeping().get(0).windowMember()).isNull();
    }

    @Test
    void thresholdResolutionPerCallThenCategoryThenDefault() { // CHECK-14
        CacheFixture f = CacheFixture.create(b -> b.defaultThreshold(0.1).categoryThreshold("faq", 0.02)).initialized();
        f.store.reply(row("k", 0.05, "response", "a"));
        assertThat(f.cache.check("q", CheckOptions.builder().category("faq").build()).block().hit()).isFalse();
        f.store.reply(row("k", 0.05, "response", "a"));
        assertThat(f.cache.check("q", CheckOptions.builder().category("other").build()).block().hit()).isTrue();
        f.store.reply(row("k", 0.05, "response", "a"));
        assertThat(f.cache.check("q", CheckOptions.builder().category("faq").threshold(0.06).build()).block().hit())
                .isTrue();
        f.store.reply(row("k", 0.0, "response", "a"));
        // A per-call threshold of 0 is valid and wins.
        assertThat(f.cache.check("q", CheckOptions.builder().threshold(0).build()).block().hit()).isTrue();
        f.store.reply(row("k", 0.01, "response", "a"));
        assertThat(f.cache.check("q", CheckOptions.builder().threshold(0).build()).block().hit()).isFalse();
        assertThat(f.counter("requests_total", "result", "miss", "category", "faq")).isEqualTo(1);
    }

    @Test
    void searchUsesKAndComposedFilter() { // CHECK-01, CHECK-02, CHECK-04, CHECK-05
        CacheFixture f = CacheFixture.create().initialized();
        f.cache.check("hello").block();
        assertThat(f.store.searches.get(0).k()).isEqualTo(1);
        assertThat(f.store.searches.get(0).filter()).isEqualTo(Filter.all());
        assertThat(f.store.searches.get(0).vector()).containsExactly(0.1f, 0.2f, 0.3f);

        f.cache.check("hello", CheckOptions.builder().filter(Filter.category("faq")).k(3).build()).block();
        assertThat(f.store.searches.get(1).k()).isEqualTo(3);
        assertThat(f.store.searches.get(1).filter().toQuery()).isEqualTo("@category:{faq}");

        Prompt multi = Prompt.of(ContentBlock.text("compare"), ContentBlock.binary(BinaryKind.IMAGE, "image/png", "b.png"),
                ContentBlock.binary(BinaryKind.IMAGE, "image/png", "a.png"));
        f.cache.check(multi, CheckOptions.builder().filter(Filter.category("faq")).build()).block();
        assertThat(f.store.searches.get(2).filter().toQuery())
                .isEqualTo("@category:{faq} @binary_refs:{a\\.png} @binary_refs:{b\\.png}");
        assertThat(f.embedded.get(2)).isEqualTo("compare");
    }

    @Test
    void binaryRefsAreIgnoredWhenTheIndexLacksTheAttribute() { // CHECK-05
        CacheFixture f = CacheFixture.create();
        f.store.existingIndex = new com.betterdb.semanticcache.store.IndexDescriptor(3, false);
        f.initialized();
        f.cache.check(Prompt.of(ContentBlock.text("what is this image"),
                ContentBlock.binary(BinaryKind.IMAGE, "image/png", "img-1")), null).block();
        assertThat(f.store.searches.get(0).filter()).isEqualTo(Filter.all());
    }

    @Test
    void hitRefreshesTtlOnlyWithADefaultTtl() { // CHECK-18
        CacheFixture withTtl = CacheFixture.create(b -> b.defaultTtl(Duration.ofSeconds(300))).initialized();
        withTtl.store.reply(row("ftchar:entry:x", 0.01, "response", "a"));
        withTtl.cache.check("q").block();
        Bookkeeping b = withTtl.store.allBookkeeping().get(0);
        assertThat(b.expireKey()).isEqualTo("ftchar:entry:x");
        assertThat(b.expireTtl()).isEqualTo(Duration.ofSeconds(300));

        CacheFixture without = CacheFixture.create().initialized();
        without.store.reply(row("ftchar:entry:x", 0.01, "response", "a"));
        without.cache.check("q").block();
        assertThat(without.store.allBookkeeping().get(0).expireKey()).isNull();
    }

    @Test
    void hitCountsCostSaved() throws Exception { // COST-06, COST-07, WIN-01
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("k", 0.02, "response", "a", "cost_micros", "500"));
        CacheResult r = f.cache.check("q", CheckOptions.builder().category("faq").build()).block();
        assertThat(r.costSaved()).isEqualTo(0.0005);
        Bookkeeping b = f.store.allBookkeeping().get(0);
        assertThat(b.costMicros()).isEqualTo(500);
        JsonNode member = JSON.readTree(b.windowMember());
        assertThat(member.get("result").asText()).isEqualTo("hit");
        assertThat(member.get("cost_saved_micros").asLong()).isEqualTo(500);
        assertThat(member.get("category").asText()).isEqualTo("faq");
        assertThat(f.registry.find("semantic_cache_cost_saved_total").tags("category", "faq").counter().count())
                .isEqualTo(0.0005);
        assertThat(f.cache.stats().block().costSavedMicros()).isEqualTo(500);
    }

    @Test
    void zeroCostIsUsableAndGarbageIsNot() {
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("k", 0.02, "response", "a", "cost_micros", "0"));
        assertThat(f.cache.check("q").block().costSaved()).isEqualTo(0.0);
        f.store.reply(row("k", 0.02, "response", "a", "cost_micros", "abc"));
        assertThat(f.cache.check("q").block().costSaved()).isNull();
        f.store.reply(row("k", 0.02, "response", "a", "cost_micros", "-5"));
        assertThat(f.cache.check("q").block().costSaved()).isNull();
    }

    @Test
    void windowMemberHasTheTypeScriptShape() throws Exception {
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("k", 0.05, "response", "a"));
        f.cache.check("q", CheckOptions.builder().category("c\"x").build()).block();
        String member = f.store.allBookkeeping().get(0).windowMember();
        assertThat(member).matches("\\{\"score\":0\\.05,\"result\":\"hit\",\"category\":\"c\\\\\"x\",\"_n\":0\\.\\d+,"
                + "\"cost_saved_micros\":null}");
        assertThat(f.store.allBookkeeping().get(0).nowMs()).isEqualTo(CacheFixture.NOW);
    }

    @Test
    void contentBlocksAreReturnedOnHit() { // STORE-12
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("k", 0.01, "response", "The answer is 42",
                "content_blocks", "[{\"type\":\"text\",\"text\":\"The answer is 42\"}]"));
        CacheResult r = f.cache.check("q").block();
        assertThat(r.contentBlocks()).containsExactly(ContentBlock.text("The answer is 42"));

        f.store.reply(row("k", 0.01, "response", "x", "content_blocks", "not json"));
        assertThat(f.cache.check("q").block().contentBlocks()).isNull();
    }

    @Test
    void dimensionMismatchIsAUsageError() {
        CacheFixture f = CacheFixture.withEmbedder(t -> Mono.just(new float[4]), b -> {
        }, false);
        f.store.existingIndex = new com.betterdb.semanticcache.store.IndexDescriptor(3, true);
        f.initialized();
        assertThatThrownBy(() -> f.cache.check("q").block())
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessage("Embedding dimension mismatch: index expects 3, embedFn returned 4. Call flush() then "
                        + "initialize() to rebuild.");
        assertThat(f.store.searches).isEmpty();
    }

    @Test
    void embeddingFailureIsAnEmbeddingError() {
        CacheFixture f = CacheFixture.withEmbedder(t -> t.equals("bad") ? Mono.error(new IllegalStateException("quota"))
                : Mono.just(new float[3]), b -> {
        }, true).initialized();
        assertThatThrownBy(() -> f.cache.check("bad").block())
                .isInstanceOf(EmbeddingError.class)
                .hasMessage("embedFn failed: quota")
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(f.store.recordCalls).isEmpty();
    }

    @Test
    void similarityHistogramObservesTopScore() {
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("k", 0.07, "response", "a"));
        f.cache.check("q").block();
        var summary = f.registry.find("semantic_cache_similarity_score").tags("category", "none").summary();
        assertThat(summary.count()).isEqualTo(1);
        assertThat(summary.totalAmount()).isEqualTo(0.07);
        assertThat(f.registry.find("semantic_cache_operation_duration_seconds").tags("operation", "check").timer()
                .count()).isEqualTo(1);
    }

    @Test
    void flushMakesTheCacheUnusableUntilReinitialised() { // FLUSH-03, FLUSH-04
        CacheFixture f = CacheFixture.create().initialized();
        f.cache.flush().block();
        assertThat(f.store.flushes).hasValue(1);
        assertThatThrownBy(() -> f.cache.check("q").block()).isInstanceOf(SemanticCacheUsageError.class)
                .hasMessageContaining("initialize()");
        f.store.existingIndex = new com.betterdb.semanticcache.store.IndexDescriptor(3, true);
        f.cache.initialize().block();
        assertThat(f.cache.check("q").block().hit()).isFalse();
    }

    @Test
    void operationsDuringFlushGetAClearUsageError() {
        CacheFixture f = CacheFixture.create().initialized();
        reactor.core.publisher.Sinks.Empty<Void> gate = reactor.core.publisher.Sinks.empty();
        f.store.flushGate = gate.asMono();
        var flushing = f.cache.flush().toFuture();
        assertThatThrownBy(() -> f.cache.check("q").block())
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessageContaining("flush() is in progress");
        assertThatThrownBy(() -> f.cache.store("q", "a").block())
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessageContaining("flush() is in progress");
        gate.tryEmitEmpty();
        flushing.join();
        assertThat(f.store.flushes).hasValue(1);
        assertThatThrownBy(() -> f.cache.check("q").block())
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessageContaining("must be called before");
    }
}
