package com.betterdb.semanticcache.filter;

import com.betterdb.semanticcache.SemanticCacheUsageError;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilterEvaluatorTest {

    private static Filter.Fields fields(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return Filter.Fields.of(m);
    }

    private static boolean raw(String query, Filter.Fields f) {
        return FilterEvaluator.matches(Filter.raw(query), f);
    }

    // fixtures/valkey-search/README.md: "@model:{gpt\-4o} matches only gpt-4o"
    @Test
    void escapedTagValueMatchesUnescapedField() {
        assertThat(raw("@model:{gpt\\-4o}", fields("model", "gpt-4o"))).isTrue();
        assertThat(raw("@model:{gpt\\-4o}", fields("model", "gpt-4o-mini"))).isFalse();
        assertThat(raw("@model:{gpt\\-4o}", fields("model", "gpt"))).isFalse();
        assertThat(FilterEvaluator.matches(Filter.model("gpt-4o"), fields("model", "gpt-4o"))).isTrue();
    }

    // behaviour.md §3.3 binary filter + data-format.md §3: binary_refs is a ','-separated tag list
    @Test
    void binaryRefsTagList() {
        Filter.Fields e = fields("binary_refs", "sha256:ab12,sha256:cd34");
        assertThat(raw("@binary_refs:{sha256\\:ab12}", e)).isTrue();
        assertThat(raw("@binary_refs:{sha256\\:cd34}", e)).isTrue();
        assertThat(raw("@binary_refs:{sha256\\:ab12} @binary_refs:{sha256\\:cd34}", e)).isTrue();
        assertThat(raw("@binary_refs:{sha256\\:ab12} @binary_refs:{sha256\\:ef56}", e)).isFalse();
        assertThat(raw("@binary_refs:{sha256\\:ab12\\,sha256\\:cd34}", e)).isFalse(); // a ',' value is never a tag
        assertThat(raw("@binary_refs:{sha256\\:ab12}", fields("model", "x"))).isFalse();
    }

    // valkey-search strips indexed tags and query values: a typed value is stripped too (FilterSearchTierTest)
    @Test
    void typedTagValuesAreStrippedLikeTheIndexedTags() {
        Filter padded = Filter.category("  faq\t");
        assertThat(padded).isEqualTo(Filter.category("faq"));
        assertThat(padded.toQuery()).isEqualTo("@category:{faq}");
        assertThat(FilterEvaluator.matches(padded, fields("category", " faq "))).isTrue();
        assertThat(Filter.model("a b ").toQuery()).isEqualTo("@model:{a\\ b}");
    }

    // valkey-search 1.2.1 reads "\*" at the end of a tag value as a prefix wildcard (FilterSearchTierTest)
    @Test
    void aTagValueEndingInAStarCannotBeMatchedExactlyAndIsRejected() {
        assertThatThrownBy(() -> Filter.category("faq*"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prefix wildcard");
        assertThatThrownBy(() -> Filter.tag("model", "ok", "gpt* "))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Filter.model("g*t").toQuery()).isEqualTo("@model:{g\\*t}");
    }

    // data-format.md §4.1: TAG matching is case-insensitive (no CASESENSITIVE)
    @Test
    void tagMatchingIgnoresCase() {
        assertThat(raw("@model:{GPT\\-4O}", fields("model", "gpt-4o"))).isTrue();
        assertThat(raw("@category:{faq}", fields("category", "FAQ"))).isTrue();
        assertThat(FilterEvaluator.matches(Filter.category("Geo"), fields("category", "gEO"))).isTrue();
        assertThat(raw("@category:{faq}", fields("category", "faqs"))).isFalse();
    }

    // data-format.md §4.1: tags trimmed, empty tags discarded; a "" category is not indexed
    @Test
    void emptyAndWhitespaceTags() {
        assertThat(FilterEvaluator.matches(Filter.category(""), fields("category", ""))).isFalse();
        assertThat(FilterEvaluator.matches(Filter.category(""), fields("category", "a,,b"))).isFalse();
        assertThat(FilterEvaluator.matches(Filter.category(" "), fields("category", " "))).isFalse();
        assertThat(raw("@category:{b}", fields("category", " a , b "))).isTrue();
        assertThat(raw("@category:{a|zzz}", fields("category", " a , b "))).isTrue();
        assertThat(raw("@category:{zzz}", fields("category", ""))).isFalse();
        assertThat(raw("@category:{faq}", fields())).isFalse();
        assertThat(raw("-@category:{faq}", fields("category", ""))).isTrue(); // plain negation
    }

    @Test
    void numericRanges() {
        Filter.Fields at150 = fields("inserted_at", "150");
        assertThat(raw("@inserted_at:[150 350]", at150)).isTrue();
        assertThat(raw("@inserted_at:[(150 350]", at150)).isFalse();
        assertThat(raw("@inserted_at:[100 (150]", at150)).isFalse();
        assertThat(raw("@inserted_at:[100 150]", at150)).isTrue();
        assertThat(raw("@inserted_at:[-inf +inf]", at150)).isTrue();
        assertThat(raw("@inserted_at:[(149.999 (150.001]", at150)).isTrue();
        assertThat(raw("@inserted_at:[151 +inf]", at150)).isFalse();
        assertThat(raw("@inserted_at:[150 150]", fields("inserted_at", "1.5e2"))).isTrue();
        assertThat(raw("@temperature:[0.7 0.7]", fields("temperature", "0.7"))).isTrue();
        // absent or unparsable values never match
        assertThat(raw("@inserted_at:[-inf +inf]", fields())).isFalse();
        assertThat(raw("@inserted_at:[-inf +inf]", fields("inserted_at", "abc"))).isFalse();
        assertThat(raw("@inserted_at:[-inf +inf]", fields("inserted_at", ""))).isFalse();
        assertThat(raw("@inserted_at:[-inf +inf]", fields("inserted_at", "NaN"))).isFalse();
        assertThat(raw("@inserted_at:[-inf +inf]", fields("inserted_at", "0x10"))).isFalse();
    }

    // valkey-search integration examples: precedence negation > AND > OR
    @Test
    void booleanOperatorsAndPrecedence() {
        String q = "@genre:{comedy} @year:[2020 2024] | @rating:[4.5 +inf]";
        assertThat(raw(q, fields("genre", "comedy", "year", "2022", "rating", "4.0"))).isTrue();
        assertThat(raw(q, fields("genre", "horror", "year", "2020", "rating", "4.8"))).isTrue();
        assertThat(raw(q, fields("genre", "comedy", "year", "2015", "rating", "3.5"))).isFalse();
        String n = "-@genre:{drama} (@year:[2020 2024] | @rating:[4.5 +inf])";
        assertThat(raw(n, fields("genre", "comedy", "year", "2022", "rating", "4.0"))).isTrue();
        assertThat(raw(n, fields("genre", "drama", "year", "2021", "rating", "4.9"))).isFalse();
        assertThat(raw(n, fields("genre", "comedy", "year", "2010", "rating", "3.5"))).isFalse();
        assertThat(raw("*", fields())).isTrue();
        assertThat(FilterEvaluator.matches(Filter.all(), fields())).isTrue();
    }

    @Test
    void rawInsideTypedFilters() {
        Filter f = Filter.and(Filter.model("gpt-4o"), Filter.raw("@category:{a|b}"));
        assertThat(FilterEvaluator.matches(f, fields("model", "gpt-4o", "category", "b"))).isTrue();
        assertThat(FilterEvaluator.matches(f, fields("model", "gpt-4o", "category", "c"))).isFalse();
        assertThat(FilterEvaluator.matches(Filter.not(Filter.raw("@category:{a}")), fields("category", "a"))).isFalse();
    }

    @Test
    void unsupportedRawFailsOnEvaluationAndPrepare() {
        Filter f = Filter.and(Filter.model("x"), Filter.raw("@prompt:hello"));
        assertThatThrownBy(() -> FilterEvaluator.matches(f, fields("model", "x")))
                .isInstanceOf(SemanticCacheUsageError.class).hasMessageContaining("'@prompt:hello' at position 0");
        assertThatThrownBy(() -> FilterEvaluator.prepare(f)).isInstanceOf(SemanticCacheUsageError.class);
    }

    @Test
    void prepareReplacesRawNodes() {
        Filter p = FilterEvaluator.prepare(Filter.or(Filter.raw("@m:{x}"), Filter.not(Filter.raw("@n:[1 2]"))));
        assertThat(p).isEqualTo(Filter.or(Filter.tag("m", "x"), Filter.not(Filter.numeric("n", 1, 2))));
    }

    @Test
    void parsedRawCacheIsBounded() {
        for (int i = 0; i < FilterEvaluator.CACHE_SIZE + 50; i++) {
            raw("@n:[" + i + " " + i + "]", fields("n", Integer.toString(i)));
        }
        assertThat(FilterEvaluator.cachedCount()).isLessThanOrEqualTo(FilterEvaluator.CACHE_SIZE);
        assertThat(FilterEvaluator.parsed("@m:{x}")).isSameAs(FilterEvaluator.parsed("@m:{x}"));
    }

    // Round-trip property: parse(f.toQuery()) evaluates like f, on random typed filters and random entries.
    @Test
    void roundTripEvaluatesTheSame() {
        Random rnd = new Random(42);
        String[] tagValues = {"gpt-4o", "GPT-4o", "a b", "x,y", "sha256:ab12", "faq", "q?u`e", "ünï", "a|b", "{}", "\\"};
        String[] fieldValues = {"gpt-4o", "gpt-4o,faq", " faq ", "sha256:ab12,sha256:cd34", "a b", "x,y", "q?u`e",
                "ÜNÏ", "ünï", "a|b", "{}", "\\", "", "1", "2.5", "-3", "100", "abc"};
        String[] tagFields = {"model", "category"};
        String[] numFields = {"seed", "temperature"};
        double[] bounds = {Double.NEGATIVE_INFINITY, -3, 0, 1, 2.5, 1e-5, 100, Double.POSITIVE_INFINITY};
        int compared = 0;
        for (int i = 0; i < 400; i++) {
            Filter f = randomFilter(rnd, 3, tagValues, tagFields, numFields, bounds);
            Filter parsed = FilterParser.parse(f.toQuery());
            for (int j = 0; j < 20; j++) {
                Map<String, String> entry = new HashMap<>();
                for (String k : new String[] {"model", "category", "seed", "temperature"}) {
                    if (rnd.nextInt(5) > 0) {
                        entry.put(k, fieldValues[rnd.nextInt(fieldValues.length)]);
                    }
                }
                Filter.Fields fl = Filter.Fields.of(entry);
                assertThat(FilterEvaluator.matches(parsed, fl)).as("%s on %s", f.toQuery(), entry)
                        .isEqualTo(FilterEvaluator.matches(f, fl));
                compared++;
            }
        }
        assertThat(compared).isEqualTo(8000);
    }

    private static Filter randomFilter(Random rnd, int depth, String[] tagValues, String[] tagFields,
                                       String[] numFields, double[] bounds) {
        int kind = depth == 0 ? rnd.nextInt(2) : rnd.nextInt(5);
        switch (kind) {
            case 0: {
                List<String> vs = new ArrayList<>();
                int n = 1 + rnd.nextInt(3);
                for (int i = 0; i < n; i++) {
                    vs.add(tagValues[rnd.nextInt(tagValues.length)]);
                }
                return new Filter.Tag(tagFields[rnd.nextInt(tagFields.length)], vs);
            }
            case 1: {
                double a = bounds[rnd.nextInt(bounds.length)];
                double b = bounds[rnd.nextInt(bounds.length)];
                return Filter.numeric(numFields[rnd.nextInt(numFields.length)], Math.min(a, b), rnd.nextBoolean(),
                        Math.max(a, b), rnd.nextBoolean());
            }
            case 2:
                return Filter.not(randomFilter(rnd, depth - 1, tagValues, tagFields, numFields, bounds));
            default: {
                int n = 1 + rnd.nextInt(3);
                Filter[] parts = new Filter[n];
                for (int i = 0; i < n; i++) {
                    parts[i] = randomFilter(rnd, depth - 1, tagValues, tagFields, numFields, bounds);
                }
                return kind == 3 ? Filter.and(parts) : Filter.or(parts);
            }
        }
    }
}
