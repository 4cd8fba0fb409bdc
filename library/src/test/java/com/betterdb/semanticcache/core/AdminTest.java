package com.betterdb.semanticcache.core;

import com.betterdb.semanticcache.CacheStats;
import com.betterdb.semanticcache.IndexInfo;
import com.betterdb.semanticcache.InvalidateResult;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.ThresholdEffectiveness;
import com.betterdb.semanticcache.ValkeyCommandError;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.IndexStats;
import com.betterdb.semanticcache.store.WindowRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Invalidation, stats, index info, threshold analysis, config refresh and discovery through the facade. */
class AdminTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void invalidatePassesTheFilterAndReportsTruncation() { // INV-01, INV-05
        CacheFixture f = CacheFixture.create().initialized();
        assertThat(f.cache.invalidate("@model:{gpt\\-4o}").block()).isEqualTo(new InvalidateResult(0, false));
        assertThat(f.store.deletes.get(0).toQuery()).isEqualTo("@model:{gpt\\-4o}");
        f.store.deleteReplies.add(1000);
        assertThat(f.cache.invalidate(Filter.model("x")).block()).isEqualTo(new InvalidateResult(1000, true));
    }

    @Test
    void invalidateByModelLoopsUntilNotTruncated() { // INV-02, INV-03, INV-05
        CacheFixture f = CacheFixture.create().initialized();
        f.store.deleteReplies.addAll(List.of(1000, 1000, 7));
        assertThat(f.cache.invalidateByModel("gpt-4o").block()).isEqualTo(2007);
        assertThat(f.store.deletes).hasSize(3).allSatisfy(d -> assertThat(d.toQuery()).isEqualTo("@model:{gpt\\-4o}"));
        assertThat(f.cache.invalidateByCategory("geography").block()).isZero();
        assertThat(f.store.deletes.get(3).toQuery()).isEqualTo("@category:{geography}");
    }

    @Test
    void statsParseTheHash() { // STATS-01, STATS-02, COST-09
        CacheFixture f = CacheFixture.create().initialized();
        assertThat(f.cache.stats().block()).isEqualTo(new CacheStats(0, 0, 0, 0.0, 0));
        f.store.stats.putAll(java.util.Map.of("hits", "10", "misses", "5", "total", "15", "cost_saved_micros", "500"));
        CacheStats s = f.cache.stats().block();
        assertThat(s.hits()).isEqualTo(10);
        assertThat(s.misses()).isEqualTo(5);
        assertThat(s.total()).isEqualTo(15);
        assertThat(s.hitRate()).isEqualTo(10.0 / 15);
        assertThat(s.costSavedMicros()).isEqualTo(500);
    }

    @Test
    void indexInfo() { // STATS-03, STATS-04, STATS-05
        CacheFixture f = CacheFixture.create().initialized();
        f.store.indexStats = new IndexStats(42, "1");
        assertThat(f.cache.indexInfo().block()).isEqualTo(new IndexInfo("ftchar:idx", 42, 3, "1"));
        f.store.indexStats = new IndexStats(0, null);
        assertThat(f.cache.indexInfo().block().indexingState()).isEqualTo("unknown");
        f.store.indexStatsError = new ValkeyCommandError("FT.INFO", new RuntimeException("connection reset"));
        assertThatThrownBy(() -> f.cache.indexInfo().block()).isInstanceOf(ValkeyCommandError.class)
                .hasMessage("Valkey command 'FT.INFO' failed: connection reset");
    }

    @Test
    void thresholdEffectivenessReadsTsAndPyMembers() {
        CacheFixture f = CacheFixture.create().initialized();
        f.store.window.add(new WindowRecord("{\"score\":0.02,\"result\":\"hit\",\"category\":\"faq\",\"_n\":0.1,"
                + "\"cost_saved_micros\":null}", 1));
        f.store.window.add(new WindowRecord("{\"score\": 0.09, \"result\": \"hit\", \"category\": \"faq\", "
                + "\"_n\": \"c8c434e2-49dd-4e5a-abc1-ad96691f5ec8\"}", 2));
        f.store.window.add(new WindowRecord("{\"score\":0.5,\"result\":\"miss\",\"category\":\"\",\"_n\":0.2,"
                + "\"cost_saved_micros\":null}", 3));
        f.store.window.add(new WindowRecord("not json", 4));
        // Not a valid sample, but TS still reports its category (with no samples).
        f.store.window.add(new WindowRecord("{\"score\":\"bad\",\"result\":\"hit\",\"category\":\"ghost\"}", 5));
        ThresholdEffectiveness all = f.cache.thresholdEffectiveness(null, 1).block();
        assertThat(all.category()).isEqualTo("all");
        assertThat(all.sampleCount()).isEqualTo(3);
        assertThat(all.hitRate()).isEqualTo(2.0 / 3);
        assertThat(all.uncertainHitRate()).isEqualTo(0.5);
        assertThat(all.recommendation()).isEqualTo(ThresholdEffectiveness.Recommendation.TIGHTEN_THRESHOLD);
        List<ThresholdEffectiveness> each = f.cache.thresholdEffectivenessAll(1).block();
        assertThat(each).extracting(ThresholdEffectiveness::category).containsExactly("all", "faq", "ghost");
        assertThat(each.get(1).sampleCount()).isEqualTo(2);
        assertThat(each.get(2).sampleCount()).isZero();
        ThresholdEffectiveness few = f.cache.thresholdEffectiveness(null, 100).block();
        assertThat(few.recommendation()).isEqualTo(ThresholdEffectiveness.Recommendation.INSUFFICIENT_DATA);
    }

    @Test
    void configIsAppliedAtInitializeAndByRefresh() { // CFG-01, CFG-02, CFG-11, CFG-14
        CacheFixture f = CacheFixture.create(b -> b.defaultThreshold(0.25)
                .configRefresh(new SemanticCacheOptions.ConfigRefresh(true, Duration.ofSeconds(30))));
        f.store.config.put("threshold", "0.1");
        f.store.config.put("threshold:faq", "0.07");
        f.initialized();
        assertThat(f.cache.currentConfig().defaultThreshold()).isEqualTo(0.1);
        assertThat(f.cache.currentConfig().categoryThresholds()).containsEntry("faq", 0.07);
        f.store.config.remove("threshold:faq");
        f.store.config.put("threshold", "0.05");
        assertThat(f.cache.refreshConfig().block()).isTrue();
        assertThat(f.cache.currentConfig().defaultThreshold()).isEqualTo(0.05);
        assertThat(f.cache.currentConfig().categoryThresholds()).doesNotContainKey("faq");
        f.cache.close();
    }

    @Test
    void configTtlAppliesToStores() { // CFG-15, CFG-16, CFG-17, CFG-18
        CacheFixture f = CacheFixture.create(b -> b.defaultTtl(Duration.ofSeconds(300))).initialized();
        f.store.config.put("ttl", "120");
        f.cache.refreshConfig().block();
        f.cache.store("q", "a").block();
        assertThat(f.store.puts.get(0).ttl()).isEqualTo(Duration.ofSeconds(120));
        for (String bad : List.of("0", "-1", "9", "86401", "1.5", "invalid")) {
            f.store.config.put("ttl", bad);
            f.cache.refreshConfig().block();
            f.cache.store("q", "a").block();
            assertThat(f.store.puts.get(f.store.puts.size() - 1).ttl()).as(bad).isEqualTo(Duration.ofSeconds(300));
        }
        f.store.config.remove("ttl");
        f.cache.refreshConfig().block();
        f.cache.store("q", "a", StoreOptions.defaults()).block();
        assertThat(f.store.puts.get(f.store.puts.size() - 1).ttl()).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void failedRefreshReturnsFalseAndKeepsValues() { // CFG-12
        CacheFixture f = CacheFixture.create().initialized();
        f.store.configError = new RuntimeException("NOAUTH");
        assertThat(f.cache.refreshConfig().block()).isFalse();
        assertThat(f.cache.currentConfig().defaultThreshold()).isEqualTo(0.1);
    }

    @Test
    void periodicRefreshRunsAndStopsOnShutdown() throws Exception { // CFG-07, CFG-10, CFG-13
        CacheFixture f = CacheFixture.create(b -> b.configRefresh(
                new SemanticCacheOptions.ConfigRefresh(true, Duration.ofMillis(1000)))).initialized();
        int afterInit = f.store.configReads.get();
        assertThat(afterInit).isEqualTo(1); // the immediate first refresh
        f.store.config.put("threshold", "0.05");
        f.store.configError = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (f.cache.currentConfig().defaultThreshold() != 0.05 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(f.cache.currentConfig().defaultThreshold()).isEqualTo(0.05);
        f.store.configError = new RuntimeException("down");
        deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (f.counter("config_refresh_failed_total") < 1 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(f.counter("config_refresh_failed_total")).isGreaterThanOrEqualTo(1);
        f.cache.shutdown().block();
        int reads = f.store.configReads.get();
        Thread.sleep(1300);
        assertThat(f.store.configReads.get()).isEqualTo(reads);
    }

    @Test
    void refreshDisabledIgnoresConfig() { // CFG-08
        CacheFixture f = CacheFixture.create(b -> b.defaultThreshold(0.2));
        f.store.config.put("threshold", "0.05");
        f.initialized();
        assertThat(f.cache.currentConfig().defaultThreshold()).isEqualTo(0.2);
        assertThat(f.store.configReads).hasValue(0);
    }

    @Test
    void invalidOptionsFailAtBuildTimeNamingTheOption() { // CFG-09 (stricter than the reference: rejected, not clamped)
        assertThatThrownBy(() -> new SemanticCacheOptions.ConfigRefresh(true, Duration.ofMillis(100)))
                .hasMessageContaining("configRefresh.interval").hasMessageContaining("100 ms");
        assertThatThrownBy(() -> SemanticCacheOptions.builder().store(k -> null).embedFn(t -> null)
                .defaultThreshold(2.5).build()).hasMessageContaining("defaultThreshold").hasMessageContaining("2.5");
        assertThatThrownBy(() -> SemanticCacheOptions.builder().store(k -> null).embedFn(t -> null)
                .categoryThreshold("faq", -0.1).build()).hasMessageContaining("categoryThresholds[faq]");
        assertThatThrownBy(() -> SemanticCacheOptions.builder().store(k -> null).embedFn(t -> null)
                .defaultTtl(Duration.ofSeconds(-1)).build()).hasMessageContaining("defaultTtl");
        assertThatThrownBy(() -> SemanticCacheOptions.builder().embedFn(t -> null).build())
                .hasMessageContaining("store");
    }

    @Test
    void discoveryRegistersMarkerProtocolAndHeartbeat() throws Exception { // DISC-06, DISC-11, DISC-17
        CacheFixture f = CacheFixture.create(b -> b.name("foo").categoryThreshold("faq", 0.08)
                .discovery(SemanticCacheOptions.Discovery.DEFAULT)).initialized();
        JsonNode marker = JSON.readTree(f.store.registryMarker);
        assertThat(marker.get("type").asText()).isEqualTo("semantic_cache");
        assertThat(marker.get("prefix").asText()).isEqualTo("foo");
        assertThat(marker.get("protocol_version").asInt()).isEqualTo(1);
        assertThat(marker.get("index_name").asText()).isEqualTo("foo:idx");
        assertThat(marker.get("category_thresholds").get("faq").asDouble()).isEqualTo(0.08);
        assertThat(f.store.protocolWrites).hasValue(1);
        assertThat(f.store.heartbeats).hasSize(1);
        f.cache.shutdown().block();
        assertThat(f.store.heartbeatDeletes).hasValue(1);
        assertThat(f.store.registryMarker).isNotNull(); // DISC-15: never deleted
    }

    @Test
    void nameCollisionFailsBeforeWriting() { // DISC-07
        CacheFixture f = CacheFixture.create(b -> b.discovery(SemanticCacheOptions.Discovery.DEFAULT));
        String existing = "{\"type\":\"agent_cache\",\"prefix\":\"ftchar\"}";
        f.store.registryMarker = existing;
        assertThatThrownBy(() -> f.cache.initialize().block())
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessage("cache name collision: 'ftchar' is already registered as type 'agent_cache' on this "
                        + "Valkey instance");
        assertThat(f.store.registryMarker).isEqualTo(existing);
        assertThat(f.store.heartbeats).isEmpty();
        assertThatThrownBy(() -> f.cache.check("q").block()).isInstanceOf(SemanticCacheUsageError.class);
    }

    @Test
    void discoveryDisabledWritesNothing() { // DISC-18
        CacheFixture f = CacheFixture.create().initialized();
        assertThat(f.store.registryMarker).isNull();
        assertThat(f.store.heartbeats).isEmpty();
        assertThat(f.store.protocolWrites).hasValue(0);
    }

    @Test
    void subSecondTtlsAreRejectedInsteadOfTruncated() {
        assertThatThrownBy(() -> StoreOptions.builder().ttl(Duration.ofMillis(500)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole number of seconds");
        assertThatThrownBy(() -> SemanticCacheOptions.builder().store(k -> null).embedFn(t -> null)
                .defaultTtl(Duration.ofMillis(1500)).build()).hasMessageContaining("defaultTtl");
        assertThatThrownBy(() -> new SemanticCacheOptions.EmbeddingCache(true, Duration.ofMillis(2500)))
                .hasMessageContaining("embeddingCache.ttl");
        assertThat(StoreOptions.builder().ttl(Duration.ZERO).build().ttl()).isEqualTo(Duration.ZERO);
    }

    @Test
    void shutdownClosesTheStoreAlsoWithoutDiscovery() {
        java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
        com.betterdb.semanticcache.SemanticCache cache = com.betterdb.semanticcache.SemanticCache.create(
                SemanticCacheOptions.builder()
                        .store(keys -> new RecordingStore(keys) {
                            @Override
                            public void close() {
                                closed.incrementAndGet();
                            }
                        })
                        .embedFn(t -> reactor.core.publisher.Mono.just(new float[3]))
                        .discovery(SemanticCacheOptions.Discovery.disabled())
                        .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                        .build());
        cache.close();
        cache.close();
        assertThat(closed).hasValue(1);
    }
}
