package com.betterdb.semanticcache.core;

import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.JudgeOptions;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static com.betterdb.semanticcache.core.RecordingStore.row;
import static org.assertj.core.api.Assertions.assertThat;

/** Meter names as Prometheus exposes them (so the TypeScript package's dashboards work) and observations. */
class TelemetryTest {

    @Test
    void prometheusSeriesMatchTheTypeScriptPackage() {
        PrometheusMeterRegistry prom = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CacheFixture f = CacheFixture.create(b -> b.meterRegistry(prom)).initialized();
        f.store.reply(row("k", 0.02, "response", "a", "cost_micros", "500"));
        f.cache.check("q", CheckOptions.builder().category("faq").build()).block();
        f.store.reply(row("k", 0.08, "response", "a"));
        f.cache.check("q", CheckOptions.builder().judge(JudgeOptions.of(ctx -> Mono.just(true))).build()).block();
        f.cache.check("q").block();
        String text = prom.scrape();
        assertThat(text)
                .contains("semantic_cache_requests_total{cache_name=\"ftchar\",category=\"faq\",result=\"hit\"} 1.0")
                .contains("semantic_cache_requests_total{cache_name=\"ftchar\",category=\"none\",result=\"miss\"} 1.0")
                .contains("semantic_cache_cost_saved_total{cache_name=\"ftchar\",category=\"faq\"} 5.0E-4")
                .contains("semantic_cache_judge_decisions_total{cache_name=\"ftchar\",category=\"none\",decision=\"accept\"} 1.0")
                .contains("semantic_cache_similarity_score_count{cache_name=\"ftchar\",category=\"faq\"} 1")
                .contains("semantic_cache_similarity_score_sum{cache_name=\"ftchar\",category=\"faq\"} 0.02")
                .doesNotContain("semantic_cache_requests_total_total");
        // Every bucket boundary of api.md is exposed under the reference names.
        for (String le : new String[]{"0.02", "0.05", "0.08", "0.1", "0.12", "0.15", "0.2", "0.3", "0.5", "1.0", "2.0"}) {
            assertThat(text).contains("semantic_cache_similarity_score_bucket{cache_name=\"ftchar\",category=\"faq\",le=\""
                    + le + "\"}");
        }
        for (String le : new String[]{"0.001", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0"}) {
            assertThat(text).contains("semantic_cache_operation_duration_seconds_bucket{cache_name=\"ftchar\","
                    + "operation=\"check\",le=\"" + le + "\"}");
        }
        for (String le : new String[]{"0.05", "0.1", "0.25", "0.5", "1.0", "2.0", "5.0"}) {
            assertThat(text).contains("semantic_cache_judge_duration_seconds_bucket{cache_name=\"ftchar\","
                    + "category=\"none\",decision=\"accept\",le=\"" + le + "\"}");
        }
        // Help texts of the reference package.
        assertThat(text).contains("# HELP semantic_cache_requests_total Total number of semantic cache requests");
    }

    @Test
    void metricsPrefixIsConfigurable() {
        PrometheusMeterRegistry prom = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CacheFixture f = CacheFixture.create(b -> b.telemetry(new com.betterdb.semanticcache.SemanticCacheOptions.Telemetry(
                null, "llm_cache", prom, null))).initialized();
        f.cache.check("q").block();
        assertThat(prom.scrape()).contains("llm_cache_requests_total{cache_name=\"ftchar\",category=\"none\",result=\"miss\"} 1.0");
    }

    @Test
    void eachOperationIsObservedWithTheSpecAttributes() {
        TestObservationRegistry observations = TestObservationRegistry.create();
        CacheFixture f = CacheFixture.create(b -> b.observationRegistry(observations)).initialized();
        f.store.reply(row("ftchar:entry:1", 0.02, "response", "a"));
        f.cache.check("q", CheckOptions.builder().category("faq").build()).block();
        f.cache.store("q", "a").block();
        TestObservationRegistryAssert.assertThat(observations)
                .hasObservationWithNameEqualTo("semantic_cache.initialize").that().hasBeenStopped();
        TestObservationRegistryAssert.assertThat(observations)
                .hasObservationWithNameEqualTo("semantic_cache.check").that()
                .hasLowCardinalityKeyValue("otel.scope.name", "@betterdb/semantic-cache")
                .hasLowCardinalityKeyValue("cache.name", "ftchar")
                .hasHighCardinalityKeyValue("cache.hit", "true")
                .hasHighCardinalityKeyValue("cache.matched_key", "ftchar:entry:1")
                .hasHighCardinalityKeyValue("cache.confidence", "high")
                .hasHighCardinalityKeyValue("cache.category", "faq")
                .hasHighCardinalityKeyValueWithKey("embedding_latency_ms")
                .hasHighCardinalityKeyValueWithKey("search_latency_ms")
                .hasBeenStopped();
        TestObservationRegistryAssert.assertThat(observations)
                .hasObservationWithNameEqualTo("semantic_cache.store").that()
                .hasHighCardinalityKeyValue("cache.ttl", "-1")
                .hasHighCardinalityKeyValue("cache.model", "none")
                .hasHighCardinalityKeyValueWithKey("cache.key");
    }

    @Test
    void failedOperationIsObservedAsError() {
        TestObservationRegistry observations = TestObservationRegistry.create();
        CacheFixture f = CacheFixture.create(b -> b.observationRegistry(observations)).initialized();
        f.store.replyError(new IllegalStateException("search down"));
        try {
            f.cache.check("q").block();
        } catch (IllegalStateException expected) {
            // asserted below
        }
        TestObservationRegistryAssert.assertThat(observations)
                .hasObservationWithNameEqualTo("semantic_cache.check").that()
                .hasError()
                .hasBeenStopped();
    }
}
