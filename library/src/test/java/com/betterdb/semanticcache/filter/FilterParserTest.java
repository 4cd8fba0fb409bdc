package com.betterdb.semanticcache.filter;

import com.betterdb.semanticcache.SemanticCacheUsageError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilterParserTest {

    private static final String SUPPORTED = "only TAG (@field:{...}) and NUMERIC (@field:[min max]) clauses with"
            + " AND/OR/NOT are supported";

    // behaviour.md §3.3 examples (the filter parts of the KNN queries)
    @Test
    void behaviour33Examples() {
        assertThat(FilterParser.parse("*")).isEqualTo(Filter.all());
        assertThat(FilterParser.parse("@category:{faq}")).isEqualTo(Filter.tag("category", "faq"));
        assertThat(FilterParser.parse("(@category:{faq})")).isEqualTo(Filter.tag("category", "faq"));
        assertThat(FilterParser.parse("(@binary_refs:{img\\-1})")).isEqualTo(Filter.tag("binary_refs", "img-1"));
        assertThat(FilterParser.parse("(@category:{faq} @binary_refs:{a\\.png} @binary_refs:{b\\.png})"))
                .isEqualTo(Filter.and(Filter.tag("category", "faq"), Filter.tag("binary_refs", "a.png"),
                        Filter.tag("binary_refs", "b.png")));
    }

    // behaviour.md §3.3: the KNN part is not a filter
    @Test
    void knnPartIsRejected() {
        assertThatThrownBy(() -> FilterParser.parse("*=>[KNN 1 @embedding $vec AS __score]"))
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessage("In-memory store cannot evaluate filter construct '*=>[KNN 1 @embedding $vec AS __score]'"
                        + " at position 0: " + SUPPORTED);
        assertThatThrownBy(() -> FilterParser.parse("(@category:{faq})=>[KNN 3 @embedding $vec AS __score]"))
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessage("In-memory store cannot evaluate filter construct '=>[KNN 3 @embedding $vec AS __score]'"
                        + " at position 17: " + SUPPORTED);
    }

    // INV-01, INV-02, INV-03, behaviour.md §10.2: invalidate / invalidateByModel / invalidateByCategory forms
    @Test
    void invalidationForms() {
        assertThat(FilterParser.parse("@model:{gpt\\-4o}")).isEqualTo(Filter.model("gpt-4o"));
        assertThat(FilterParser.parse("@model:{" + TagEscaper.escape("gpt-4o") + "}")).isEqualTo(Filter.model("gpt-4o"));
        assertThat(FilterParser.parse("@category:{" + TagEscaper.escape("geography") + "}"))
                .isEqualTo(Filter.category("geography"));
        assertThat(FilterParser.parse("@category:{test}")).isEqualTo(Filter.category("test"));
        String odd = "a,b.c/d\\e f:g";
        assertThat(FilterParser.parse("@model:{" + TagEscaper.escape(odd) + "}")).isEqualTo(Filter.model(odd));
    }

    // fixtures/valkey-search/README.md: query syntax list
    @Test
    void fixturesReadmeSyntaxList() {
        assertThat(FilterParser.parse("@inserted_at:[150 350]")).isEqualTo(Filter.numeric("inserted_at", 150, 350));
        assertThat(FilterParser.parse("-@model:{x}")).isEqualTo(Filter.not(Filter.model("x")));
        assertThat(FilterParser.parse("@model:{x|y}")).isEqualTo(Filter.tag("model", "x", "y"));
    }

    // fixtures/valkey-search/README.md: text search constructs are rejected with their position
    @Test
    void textSearchIsRejected() {
        assertThatThrownBy(() -> FilterParser.parse("@prompt:hello"))
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessage("In-memory store cannot evaluate filter construct '@prompt:hello' at position 0: "
                        + SUPPORTED);
        assertThatThrownBy(() -> FilterParser.parse("(@model:{y} @prompt:hello)"))
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessage("In-memory store cannot evaluate filter construct '@prompt:hello' at position 12: "
                        + SUPPORTED);
        assertThatThrownBy(() -> FilterParser.parse("@prompt:\"hello world\""))
                .hasMessageStartingWith("In-memory store cannot evaluate filter construct '@prompt:\"hello world\"'"
                        + " at position 0");
        assertThatThrownBy(() -> FilterParser.parse("@prompt:(capital)"))
                .hasMessageStartingWith("In-memory store cannot evaluate filter construct '@prompt:(capital)' at position 0");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "hello; hello; 0",                                   // bare term
            "@model:{x} hello; hello; 11",
            "\"hello world\"; \"hello world\"; 0",               // phrase
            "@model:{x} | %fuzy%; %fuzy%; 13",                   // fuzzy
            "@model:{gpt*}; @model:{gpt*}; 0",                   // prefix tag match
            "~@model:{x}; ~@model:{x}; 0",                       // optional operator
            "@model:[1 2 3]; @model:[1 2 3]; 0",                 // three bounds
            "@model:[5]; @model:[5]; 0",
            "@1bad:{x}; @1bad:{x}; 0",
            "- @model:{x}; -; 0",
            "*x; *x; 0",
    })
    void otherConstructsAreRejected(String query, String construct, int position) {
        assertThatThrownBy(() -> FilterParser.parse(query))
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessageStartingWith("In-memory store cannot evaluate filter construct '" + construct
                        + "' at position " + position);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "(@model:{x}", "@model:{x})", "@model:{x", "@model:{}", "@model:{a||b}",
            "@n:[a 2]", "@n:[1 0x10]", "@model:{x} |", "| @model:{x}", "()", "@model:{x\\"})
    void malformedIsRejected(String query) {
        assertThatThrownBy(() -> FilterParser.parse(query)).isInstanceOf(SemanticCacheUsageError.class);
    }

    @Test
    void numericBounds() {
        assertThat(FilterParser.parse("@n:[(1 (2]")).isEqualTo(Filter.numeric("n", 1, false, 2, false));
        assertThat(FilterParser.parse("@n:[-inf (150]"))
                .isEqualTo(Filter.numeric("n", Double.NEGATIVE_INFINITY, true, 150, false));
        assertThat(FilterParser.parse("@n:[ 4.5 +inf ]"))
                .isEqualTo(Filter.numeric("n", 4.5, Double.POSITIVE_INFINITY));
        assertThat(FilterParser.parse("@n:[-1.5e3 inf]"))
                .isEqualTo(Filter.numeric("n", -1500, Double.POSITIVE_INFINITY));
        assertThat(FilterParser.parse("@n:[(-inf 1.0E-5]"))
                .isEqualTo(Filter.numeric("n", Double.NEGATIVE_INFINITY, false, 1.0E-5, true));
    }

    @Test
    void tagValuesUnescapeAndTrim() {
        assertThat(FilterParser.parse("@color:{ red | blue }")).isEqualTo(Filter.tag("color", "red", "blue"));
        assertThat(FilterParser.parse("@binary_refs:{sha256\\:ab12}")).isEqualTo(Filter.tag("binary_refs", "sha256:ab12"));
        assertThat(FilterParser.parse("@m:{hello\\ world}")).isEqualTo(Filter.tag("m", "hello world"));
        assertThat(FilterParser.parse("@m:{a\\|b}")).isEqualTo(Filter.tag("m", "a|b"));
        assertThat(FilterParser.parse("@m:{a\\}b}")).isEqualTo(Filter.tag("m", "a}b"));
        // valkey-search strips tag values at both ends, escaped spaces included
        assertThat(FilterParser.parse("@m:{\\ x\\ }")).isEqualTo(Filter.tag("m", "x"));
        assertThat(FilterParser.parse("@m:{g\\*t}")).isEqualTo(Filter.tag("m", "g*t"));
    }

    /** valkey-search 1.2.1 reads a trailing "\*" as a prefix match, like "*" (FilterSearchTierTest shows it). */
    @Test
    void anEscapedTrailingStarIsAPrefixMatchAndUnsupported() {
        assertThatThrownBy(() -> FilterParser.parse("@m:{gpt\\*}"))
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessageContaining("ending in '*'");
        assertThatThrownBy(() -> FilterParser.parse("@m:{a|gpt\\* }"))
                .isInstanceOf(SemanticCacheUsageError.class);
    }

    // valkey-search precedence: negation > AND > OR; parentheses override
    @Test
    void precedence() {
        Filter a = Filter.tag("genre", "comedy");
        Filter b = Filter.numeric("year", 2020, 2024);
        Filter c = Filter.numeric("rating", 4.5, Double.POSITIVE_INFINITY);
        assertThat(FilterParser.parse("@genre:{comedy} @year:[2020 2024] | @rating:[4.5 +inf]"))
                .isEqualTo(Filter.or(Filter.and(a, b), c));
        assertThat(FilterParser.parse("(@genre:{comedy} | @genre:{horror}) @year:[2020 2024]"))
                .isEqualTo(Filter.and(Filter.or(a, Filter.tag("genre", "horror")), b));
        assertThat(FilterParser.parse("-@genre:{drama} (@year:[2020 2024] | @rating:[4.5 +inf])"))
                .isEqualTo(Filter.and(Filter.not(Filter.tag("genre", "drama")), Filter.or(b, c)));
        assertThat(FilterParser.parse("-(@genre:{comedy} @year:[2020 2024])"))
                .isEqualTo(Filter.not(Filter.and(a, b)));
        assertThat(FilterParser.parse("--@genre:{comedy}")).isEqualTo(Filter.not(Filter.not(a)));
        assertThat(FilterParser.parse("@genre:{comedy}@year:[2020 2024]")).isEqualTo(Filter.and(a, b));
        assertThat(FilterParser.parse("((@genre:{comedy}))")).isEqualTo(a);
    }

    @Test
    void typedFiltersRoundTripStructurally() {
        List<Filter> filters = List.of(
                Filter.model("gpt-4o"),
                Filter.tag("binary_refs", "sha256:ab12", "url:https://x.y/z?a=1&b=2"),
                Filter.numeric("inserted_at", 150, false, 350, true),
                Filter.numeric("temperature", 0.7, 0.7),
                Filter.numeric("t", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
                Filter.and(Filter.model("a"), Filter.or(Filter.category("b"), Filter.not(Filter.category("c")))),
                Filter.not(Filter.or(Filter.model("x"), Filter.model("y"))),
                Filter.or(Filter.and(Filter.model("x"), Filter.category("y")), Filter.numeric("seed", 7, 7)));
        for (Filter f : filters) {
            assertThat(FilterParser.parse(f.toQuery())).as(f.toQuery()).isEqualTo(f);
        }
    }
}
