package com.betterdb.semanticcache.cost;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CostTableTest {

    // cost-table.md §1: 1,971 entries
    @Test
    void bundledHas1971Entries() {
        assertThat(CostTable.bundled().size()).isEqualTo(1971);
        assertThat(CostTable.bundled().isEmpty()).isFalse();
        assertThat(CostTable.bundled()).isSameAs(CostTable.bundled());
    }

    // COST-10: non-empty map, sampled entries numeric, some key contains gpt / claude / gemini
    @Test
    void bundledTableHasWellKnownFamilies() {
        Map<String, ModelCost> m = CostTable.bundled().asMap();
        assertThat(m).isNotEmpty();
        assertThat(m.keySet()).anyMatch(k -> k.contains("gpt"));
        assertThat(m.keySet()).anyMatch(k -> k.contains("claude"));
        assertThat(m.keySet()).anyMatch(k -> k.contains("gemini"));
        // cost-table.md §2: every price is > 0 and finite; smallest is 1.3e-07
        assertThat(m.values()).allMatch(c -> c.inputPer1k() > 0 && c.outputPer1k() > 0);
        double min = m.values().stream().mapToDouble(ModelCost::inputPer1k).min().orElseThrow();
        assertThat(min).isEqualTo(1.3e-07);
    }

    // cost-table.md §4: example rows, exact doubles
    @ParameterizedTest
    @CsvSource({
            "gpt-4o, 0.0025, 0.01",
            "gpt-4o-2024-05-13, 0.005, 0.015000000000000001",
            "gpt-4o-mini, 0.00015, 0.0006",
            "gpt-4.1, 0.002, 0.008",
            "gpt-4.1-mini, 0.00039999999999999996, 0.0015999999999999999",
            "gpt-4.1-nano, 0.00009999999999999999, 0.00039999999999999996",
            "gpt-4, 0.030000000000000002, 0.060000000000000005",
            "gpt-4-turbo, 0.01, 0.030000000000000002",
            "gpt-3.5-turbo, 0.0005, 0.0015",
            "gpt-5, 0.00125, 0.01",
            "gpt-5-mini, 0.00025, 0.002",
            "gpt-5-nano, 0.000049999999999999996, 0.00039999999999999996",
            "o1, 0.015000000000000001, 0.060000000000000005",
            "o3, 0.002, 0.008",
            "o3-mini, 0.0011, 0.0044",
            "o4-mini, 0.0011, 0.0044",
            "claude-3-haiku-20240307, 0.00025, 0.00125",
            "claude-3-opus-20240229, 0.015000000000000001, 0.075",
            "claude-3-7-sonnet-20250219, 0.003, 0.015000000000000001",
            "claude-sonnet-4-20250514, 0.003, 0.015000000000000001",
            "claude-sonnet-4-5, 0.003, 0.015000000000000001",
            "claude-opus-4-1, 0.015000000000000001, 0.075",
            "claude-opus-4-5, 0.005, 0.025",
            "claude-haiku-4-5-20251001, 0.001, 0.005",
            "gemini-2.0-flash, 0.00009999999999999999, 0.00039999999999999996",
            "gemini-2.5-flash, 0.0003, 0.0025",
            "gemini-2.5-pro, 0.00125, 0.01",
            "deepseek-chat, 0.00028000000000000003, 0.00042",
            "command-r-plus, 0.0025, 0.01",
            "azure/gpt-4o, 0.0025, 0.01",
            "mistral/mistral-large-latest, 0.0005, 0.0015",
            "anthropic.claude-3-haiku-20240307-v1:0, 0.00025, 0.00125",
            "ai21.j2-mid-v1, 0.0125, 0.0125",
    })
    void exampleRowsAreExact(String model, String in, String out) {
        ModelCost c = CostTable.bundled().find(model).orElseThrow();
        assertThat(Double.doubleToRawLongBits(c.inputPer1k())).isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(in)));
        assertThat(Double.doubleToRawLongBits(c.outputPer1k())).isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(out)));
    }

    @Test
    void gpt41MiniInputIsTheInexactDouble() {
        assertThat(CostTable.bundled().find("gpt-4.1-mini").orElseThrow().inputPer1k())
                .isEqualTo(0.00039999999999999996).isNotEqualTo(0.0004);
    }

    // cost-table.md §2: notable absences; §1: exact, case-sensitive lookup
    @Test
    void lookupIsExactAndCaseSensitive() {
        CostTable t = CostTable.bundled();
        assertThat(t.find("GPT-4O")).isEmpty();
        assertThat(t.find("gpt-4o ")).isEmpty();
        assertThat(t.find("claude-3-5-sonnet-20241022")).isEmpty();
        assertThat(t.find("mistral-large-latest")).isEmpty();
        assertThat(t.find("gemini-1.5-pro")).isEmpty();
        assertThat(t.find(null)).isEmpty();
        assertThat(t.asMap().keySet()).noneMatch(k -> k.contains("embed"));
    }

    // cost-table.md §5 worked examples, TS column
    @ParameterizedTest
    @CsvSource({
            "gpt-4o, 10, 5, 75",
            "gpt-4o, 20, 5, 100",
            "gpt-4o, 25, 5, 113",
            "gpt-4o, 100, 100, 1250",
            "gpt-4o, 3, 1, 18",
            "gpt-4o-mini, 1000, 500, 450",
            "gpt-4o-mini, 1, 1, 1",
            "gpt-3.5-turbo, 1, 0, 1",
            "gpt-4.1-mini, 1000, 1000, 2000",
            "claude-sonnet-4-20250514, 1234, 567, 12207",
            "claude-opus-4-1, 500, 250, 26250",
    })
    void workedExamplesTs(String model, int in, int out, long expected) {
        assertThat(CostTable.bundled().costMicros(model, in, out)).hasValue(expected);
    }

    // cost-table.md §5 last worked example; COST-02 (user table gpt-4o = {0.005, 0.015}, 100/200 → 3500)
    @Test
    void userTableOverridesBundled() {
        CostTable t = CostTable.effective(true, Map.of("gpt-4o", new ModelCost(0.005, 0.015)));
        assertThat(t.costMicros("gpt-4o", 100, 200)).hasValue(3500);
        assertThat(t.size()).isEqualTo(1971);
        // other bundled entries survive the shallow merge
        assertThat(t.find("gpt-4o-mini")).contains(new ModelCost(0.00015, 0.0006));
        assertThat(CostTable.effective(false, Map.of("gpt-4o", new ModelCost(0.005, 0.015)))
                .costMicros("gpt-4o", 100, 200)).hasValue(3500);
    }

    // COST-01: custom table only, gpt-4o = {0.0025, 0.01}, 10/5 → 75
    @Test
    void cost01CustomTableOnly() {
        CostTable t = CostTable.effective(false, Map.of("gpt-4o", new ModelCost(0.0025, 0.01)));
        assertThat(t.size()).isEqualTo(1);
        assertThat(t.costMicros("gpt-4o", 10, 5)).hasValue(75);
        assertThat(t.costMicros("gpt-4o-mini", 10, 5)).isEmpty();
    }

    // COST-03: token counts without a model → no cost
    @Test
    void cost03NoModel() {
        assertThat(CostTable.bundled().costMicros(null, 10, 5)).isEmpty();
        assertThat(CostTable.bundled().costMicros("", 10, 5)).isEmpty();
    }

    // cost-table.md §5 preconditions: both token counts required
    @Test
    void missingTokenCountsGiveNoCost() {
        assertThat(CostTable.bundled().costMicros("gpt-4o", null, 5)).isEmpty();
        assertThat(CostTable.bundled().costMicros("gpt-4o", 10, null)).isEmpty();
        assertThat(CostTable.bundled().costMicros("no-such-model", 10, 5)).isEmpty();
        assertThat(CostTable.bundled().costMicros("gpt-4o", 0, 0)).hasValue(0);
    }

    // COST-04: useDefaultCostTable=false and no custom table → no cost
    @Test
    void cost04DisabledTable() {
        assertThat(CostTable.effective(false, null)).isSameAs(CostTable.none());
        assertThat(CostTable.effective(false, Map.of())).isSameAs(CostTable.none());
        assertThat(CostTable.none().isEmpty()).isTrue();
        assertThat(CostTable.effective(false, null).costMicros("gpt-4o", 100, 100)).isEmpty();
        assertThat(CostTable.effective(false, Map.of()).costMicros("gpt-4o", 100, 200)).isEmpty();
    }

    // COST-05: default table, gpt-4o 100/100 → 1250
    @Test
    void cost05DefaultTable() {
        assertThat(CostTable.effective(true, null)).isSameAs(CostTable.bundled());
        assertThat(CostTable.effective(true, Map.of())).isSameAs(CostTable.bundled());
        OptionalLong c = CostTable.effective(true, null).costMicros("gpt-4o", 100, 100);
        assertThat(c).hasValue(1250);
    }

    // COST-11: half rounding. TS stores 113 (PY 112) for gpt-4o 25/5; TS stores 1 (PY nothing) for gpt-3.5-turbo 1/0
    @Test
    void cost11HalfRoundsUpLikeTypeScript() {
        double exact = (25 * 0.0025) / 1000 + (5 * 0.01) / 1000;
        assertThat(exact * 1_000_000).isEqualTo(112.5); // the double really is a half
        assertThat(CostTable.bundled().costMicros("gpt-4o", 25, 5)).hasValue(113);
        assertThat(CostTable.bundled().costMicros("gpt-3.5-turbo", 1, 0)).hasValue(1);
    }

    @Test
    void ofCopiesAndIsImmutable() {
        Map<String, ModelCost> src = new HashMap<>();
        src.put("m", new ModelCost(1, 2));
        CostTable t = CostTable.of(src);
        src.put("n", new ModelCost(1, 2));
        assertThat(t.size()).isEqualTo(1);
        assertThat(t.find("n")).isEmpty();
        assertThatThrownBy(() -> t.asMap().put("x", new ModelCost(0, 0)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(CostTable.of(Map.of())).isSameAs(CostTable.none());
    }

    @Test
    void loaderRejectsMalformedTables() {
        assertThatThrownBy(() -> CostTable.load(stream("{\"x\":1}"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> CostTable.load(stream("{\"models\":{\"m\":{\"input_per_1k\":\"1\",\"output_per_1k\":1}}}")))
                .isInstanceOf(IOException.class).hasMessageContaining("'m'");
    }

    // The bundled resource is the shared data file, byte for byte (provenance kept).
    @Test
    void resourceCarriesProvenance() throws IOException {
        try (InputStream in = CostTable.class.getResourceAsStream(CostTable.RESOURCE)) {
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(json).contains("\"litellm_commit\": \"26fcbc9\"").contains("\"retrieved\": \"2026-04-21\"");
        }
        assertThat(CostTable.class.getResource("PROVENANCE.md")).isNotNull();
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
