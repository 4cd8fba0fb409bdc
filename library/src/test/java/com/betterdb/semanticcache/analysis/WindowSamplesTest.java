package com.betterdb.semanticcache.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WindowSamplesTest {

    @Test
    void parsesTsForm() {
        // data-format §0 row 1 / §8 TS example
        Optional<WindowSample> s = WindowSamples.parse(
                "{\"score\":0.08,\"result\":\"hit\",\"category\":\"faq\",\"_n\":0.41,\"cost_saved_micros\":1500}", 1234.0);
        assertThat(s).contains(new WindowSample(0.08, true, "faq", 1500L, 1234.0));
    }

    @Test
    void parsesTsFormWithNullCost() {
        Optional<WindowSample> s = WindowSamples.parse(
                "{\"score\":0.05,\"result\":\"miss\",\"category\":\"\",\"_n\":0.8435100630164059,\"cost_saved_micros\":null}", 5.0);
        assertThat(s).contains(new WindowSample(0.05, false, "", null, 5.0));
        assertThat(s.get().result()).isEqualTo("miss");
    }

    @Test
    void parsesPyForm() {
        // data-format §0 row 1: ", " separators, _n UUID string, no cost key
        Optional<WindowSample> s = WindowSamples.parse(
                "{\"score\": 0.05, \"result\": \"miss\", \"category\": \"\", \"_n\": \"c8c434e2-49dd-4e5a-abc1-ad96691f5ec8\"}", 7.0);
        assertThat(s).contains(new WindowSample(0.05, false, "", null, 7.0));
    }

    @Test
    void integerScoreIsANumber() {
        assertThat(WindowSamples.parse("{\"score\":0,\"result\":\"hit\"}", 0)).get()
                .extracting(WindowSample::score).isEqualTo(0.0);
    }

    @Test
    void rejectsInvalidMembers() {
        // TE-06: non-numeric score, other result, invalid JSON are ignored
        assertThat(WindowSamples.parse("{\"score\":\"0.1\",\"result\":\"hit\"}", 0)).isEmpty();
        assertThat(WindowSamples.parse("{\"score\":null,\"result\":\"hit\"}", 0)).isEmpty();
        assertThat(WindowSamples.parse("{\"result\":\"hit\"}", 0)).isEmpty();
        assertThat(WindowSamples.parse("{\"score\":0.1,\"result\":\"maybe\"}", 0)).isEmpty();
        assertThat(WindowSamples.parse("{\"score\":0.1,\"result\":\"HIT\"}", 0)).isEmpty();
        assertThat(WindowSamples.parse("{\"score\":0.1}", 0)).isEmpty();
        assertThat(WindowSamples.parse("not json", 0)).isEmpty();
        assertThat(WindowSamples.parse("{\"score\":0.1,\"result\":\"hit\"", 0)).isEmpty();
        assertThat(WindowSamples.parse("{\"score\":0.1,\"result\":\"hit\"} x", 0)).isEmpty();
        assertThat(WindowSamples.parse("[0.1,\"hit\"]", 0)).isEmpty();
        assertThat(WindowSamples.parse("null", 0)).isEmpty();
        assertThat(WindowSamples.parse("", 0)).isEmpty();
        assertThat(WindowSamples.parse(null, 0)).isEmpty();
        assertThat(WindowSamples.parse("{\"score\":NaN,\"result\":\"hit\"}", 0)).isEmpty();
    }

    @Test
    void nonStringCategoryDefaultsToEmpty() {
        assertThat(WindowSamples.parse("{\"score\":0.1,\"result\":\"hit\",\"category\":5}", 0)).get()
                .extracting(WindowSample::category).isEqualTo("");
        assertThat(WindowSamples.parse("{\"score\":0.1,\"result\":\"hit\",\"category\":null}", 0)).get()
                .extracting(WindowSample::category).isEqualTo("");
    }

    @Test
    void nonIntegerCostIsNull() {
        assertThat(WindowSamples.parse("{\"score\":0.1,\"result\":\"hit\",\"cost_saved_micros\":\"12\"}", 0)).get()
                .extracting(WindowSample::costSavedMicros).isNull();
        assertThat(WindowSamples.parse("{\"score\":0.1,\"result\":\"hit\",\"cost_saved_micros\":1.5}", 0)).get()
                .extracting(WindowSample::costSavedMicros).isNull();
        assertThat(WindowSamples.parse("{\"score\":0.1,\"result\":\"hit\",\"cost_saved_micros\":0}", 0)).get()
                .extracting(WindowSample::costSavedMicros).isEqualTo(0L);
    }

    @Test
    void categoriesOfMembersCollectsFromAnyJsonObject() {
        List<String> cats = WindowSamples.categoriesOfMembers(List.of(
                "{\"score\":\"bad\",\"result\":\"hit\",\"category\":\"b\"}",
                "garbage",
                "{\"score\":0.1,\"result\":\"hit\",\"category\":\"a\"}",
                "{\"score\":0.1,\"result\":\"miss\",\"category\":\"\"}",
                "{\"score\": 0.1, \"result\": \"miss\", \"category\": \"b\"}"));
        assertThat(cats).containsExactly("b", "a");
    }
}
