package com.betterdb.semanticcache.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigParserTest {

    private static final RuntimeConfig BASE = new RuntimeConfig(0.10, Map.of(), Duration.ofSeconds(300));

    private static Map<String, String> hash(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void cfg01_thresholdOverridesDefault() {
        assertThat(ConfigParser.apply(BASE, hash("threshold", "0.05")).defaultThreshold()).isEqualTo(0.05);
    }

    @Test
    void cfg02_categoryThresholds() {
        RuntimeConfig r = ConfigParser.apply(BASE,
                hash("threshold", "0.10", "threshold:faq", "0.07", "threshold:support", "0.12"));
        assertThat(r.defaultThreshold()).isEqualTo(0.10);
        assertThat(r.categoryThresholds()).containsExactly(Map.entry("faq", 0.07), Map.entry("support", 0.12));
    }

    @Test
    void cfg03_emptyHashKeepsConstructorValues() {
        RuntimeConfig initial = new RuntimeConfig(0.15, Map.of("faq", 0.08), null);
        assertThat(ConfigParser.apply(initial, Map.of())).isEqualTo(initial);
        assertThat(ConfigParser.apply(initial, null)).isEqualTo(initial);
    }

    @Test
    void cfg04_nonNumericIgnored() {
        RuntimeConfig initial = new RuntimeConfig(0.20, Map.of(), null);
        assertThat(ConfigParser.apply(initial, hash("threshold", "not a number")).defaultThreshold()).isEqualTo(0.20);
    }

    @Test
    void cfg05_outOfRangeIgnored() {
        RuntimeConfig initial = new RuntimeConfig(0.20, Map.of("faq", 0.10), null);
        RuntimeConfig r = ConfigParser.apply(initial, hash("threshold", "-0.1", "threshold:faq", "2.5"));
        assertThat(r.defaultThreshold()).isEqualTo(0.20);
        assertThat(r.categoryThresholds()).containsExactly(Map.entry("faq", 0.10));
    }

    @Test
    void rangeBoundsInclusive() {
        assertThat(ConfigParser.apply(BASE, hash("threshold", "0")).defaultThreshold()).isEqualTo(0.0);
        assertThat(ConfigParser.apply(BASE, hash("threshold", "2")).defaultThreshold()).isEqualTo(2.0);
        assertThat(ConfigParser.apply(BASE, hash("threshold", "2.0000001")).defaultThreshold()).isEqualTo(0.10);
        assertThat(ConfigParser.apply(BASE, hash("threshold", "Infinity")).defaultThreshold()).isEqualTo(0.10);
    }

    @Test
    void cfg06_emptyCategoryIgnored() {
        RuntimeConfig initial = new RuntimeConfig(0.20, Map.of(), null);
        RuntimeConfig r = ConfigParser.apply(initial, hash("threshold:", "0.05"));
        assertThat(r.defaultThreshold()).isEqualTo(0.20);
        assertThat(r.categoryThresholds()).isEmpty();
    }

    @Test
    void categoryMayContainColons() {
        RuntimeConfig r = ConfigParser.apply(BASE, hash("threshold:a:b", "0.3", "threshold::x", "0.4"));
        assertThat(r.categoryThresholds()).containsExactly(Map.entry("a:b", 0.3), Map.entry(":x", 0.4));
    }

    @Test
    void otherFieldsIgnored() {
        RuntimeConfig r = ConfigParser.apply(BASE, hash("default_threshold", "0.3", "uncertainty_band", "0.1",
                "thresholds", "0.5", "Threshold", "0.5", "category_thresholds", "{\"faq\":0.2}"));
        assertThat(r).isEqualTo(BASE);
    }

    @Test
    void cfg11_removedCategoryOverrideDisappears() {
        RuntimeConfig applied = ConfigParser.apply(BASE, hash("threshold:faq", "0.07"));
        assertThat(applied.categoryThresholds()).containsEntry("faq", 0.07);
        RuntimeConfig after = ConfigParser.apply(BASE, Map.of());
        assertThat(after.categoryThresholds()).doesNotContainKey("faq");
    }

    @Test
    void removedCategoryRevertsToConstructorValue() {
        RuntimeConfig initial = new RuntimeConfig(0.1, Map.of("faq", 0.08), null);
        assertThat(ConfigParser.apply(initial, hash("threshold:faq", "0.05")).categoryThresholds())
                .containsEntry("faq", 0.05);
        assertThat(ConfigParser.apply(initial, Map.of()).categoryThresholds()).containsEntry("faq", 0.08);
    }

    @Test
    void cfg14_eachRefreshStartsFromInitial() {
        RuntimeConfig initial = new RuntimeConfig(0.25, Map.of(), null);
        assertThat(ConfigParser.apply(initial, hash("threshold", "0.10")).defaultThreshold()).isEqualTo(0.10);
        assertThat(ConfigParser.apply(initial, hash("threshold", "0.05")).defaultThreshold()).isEqualTo(0.05);
        assertThat(ConfigParser.apply(initial, Map.of()).defaultThreshold()).isEqualTo(0.25);
    }

    @Test
    void cfg15_ttlApplied() {
        assertThat(ConfigParser.apply(BASE, hash("ttl", "120")).defaultTtl()).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void cfg16_cfg17_ttlAbsentOrRemovedRevertsToInitial() {
        assertThat(ConfigParser.apply(BASE, Map.of()).defaultTtl()).isEqualTo(Duration.ofSeconds(300));
        assertThat(ConfigParser.apply(BASE, hash("ttl", "120")).defaultTtl()).isEqualTo(Duration.ofSeconds(120));
        assertThat(ConfigParser.apply(BASE, hash("threshold", "0.1")).defaultTtl()).isEqualTo(Duration.ofSeconds(300));
        RuntimeConfig noTtl = new RuntimeConfig(0.1, Map.of(), null);
        assertThat(ConfigParser.apply(noTtl, Map.of()).defaultTtl()).isNull();
        assertThat(ConfigParser.apply(noTtl, hash("ttl", "60")).defaultTtl()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void cfg18_invalidTtlsIgnored() {
        for (String v : new String[] {"0", "-1", "9", "86401", "1.5", "invalid", "", " ", "Infinity", "1e400"}) {
            assertThat(ConfigParser.apply(BASE, hash("ttl", v)).defaultTtl()).as(v).isEqualTo(Duration.ofSeconds(300));
        }
    }

    @Test
    void ttlBoundsInclusive() {
        assertThat(ConfigParser.apply(BASE, hash("ttl", "10")).defaultTtl()).isEqualTo(Duration.ofSeconds(10));
        assertThat(ConfigParser.apply(BASE, hash("ttl", "86400")).defaultTtl()).isEqualTo(Duration.ofSeconds(86400));
    }

    @Test
    void cfg19_ttlChanged() {
        assertThat(ConfigParser.apply(BASE, hash("ttl", "60")).defaultTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(ConfigParser.apply(BASE, hash("ttl", "90")).defaultTtl()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void dataFormatRow9_tsParsingEdgeCases() {
        // data-format §0 row 9 (TS): "" -> 0 accepted as threshold; ttl "120.0" and "1e2" accepted
        assertThat(ConfigParser.apply(BASE, hash("threshold", "")).defaultThreshold()).isEqualTo(0.0);
        assertThat(ConfigParser.apply(BASE, hash("threshold:faq", "")).categoryThresholds()).containsEntry("faq", 0.0);
        assertThat(ConfigParser.apply(BASE, hash("ttl", "120.0")).defaultTtl()).isEqualTo(Duration.ofSeconds(120));
        assertThat(ConfigParser.apply(BASE, hash("ttl", "1e2")).defaultTtl()).isEqualTo(Duration.ofSeconds(100));
        assertThat(ConfigParser.apply(BASE, hash("ttl", " 120 ")).defaultTtl()).isEqualTo(Duration.ofSeconds(120));
        assertThat(ConfigParser.apply(BASE, hash("ttl", "0x78")).defaultTtl()).isEqualTo(Duration.ofSeconds(120));
        assertThat(ConfigParser.apply(BASE, hash("threshold", "0x1")).defaultThreshold()).isEqualTo(1.0);
        assertThat(ConfigParser.apply(BASE, hash("threshold", " 0.2\n")).defaultThreshold()).isEqualTo(0.2);
    }

    @Test
    void monitorWrittenValues() {
        // data-format §10: Monitor writes String(number), e.g. 0.1, 0.085
        RuntimeConfig r = ConfigParser.apply(BASE, hash("threshold", "0.085", "threshold:faq", "0.1"));
        assertThat(r.defaultThreshold()).isEqualTo(0.085);
        assertThat(r.categoryThresholds()).containsEntry("faq", 0.1);
    }

    @Test
    void runtimeConfigIsImmutableAndResolvesThresholds() {
        RuntimeConfig r = ConfigParser.apply(BASE, hash("threshold:faq", "0.07"));
        assertThatThrownBy(() -> r.categoryThresholds().put("x", 1.0)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(r.thresholdFor("faq")).isEqualTo(0.07);
        assertThat(r.thresholdFor("other")).isEqualTo(0.10);
        assertThat(r.thresholdFor(null)).isEqualTo(0.10);
    }
}
