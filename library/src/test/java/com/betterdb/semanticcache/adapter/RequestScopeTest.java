package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.prompt.Prompt;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The one rule for what must be equal (the scope ref), and the options that shape it. */
class RequestScopeTest {

    private static String ref(String model, String... system) {
        return RequestScope.of(model, Arrays.asList(system)).ref(List.of());
    }

    @Test
    void theScopePromptKeepsTheTextAndAddsOneRef() {
        RequestScope scope = RequestScope.of("gpt-4o", List.of("system:a"));
        Prompt p = scope.prompt(SemanticParams.text("hello", "gpt-4o"));
        assertThat(p.text()).isEqualTo("hello");
        assertThat(p.binaryRefs()).singleElement().asString().startsWith(RequestScope.REF_PREFIX);
        // Field boundaries count: ("ab", []) and ("a", ["b"]) are different scopes, and so are ["a\nb"], ["a", "b"].
        assertThat(ref("ab")).isNotEqualTo(ref("a", "b"));
        assertThat(ref("m", "system:a\nb")).isNotEqualTo(ref("m", "system:a", "system:b"));
        assertThat(scope.ref(List.of())).isEqualTo(ref("gpt-4o", "system:a"));
        assertThat(scope.toString()).doesNotContain("system:a");
    }

    @Test
    void theSameRequestAlwaysHasTheSameScopeAndEverySystemPromptOneOfItsOwn() {
        String terse = ref("m", RequestScope.part("system", "You are terse."));
        assertThat(ref("m", RequestScope.part("system", "You are terse."))).isEqualTo(terse);
        assertThat(ref("m", RequestScope.part("system", "You are verbose."))).isNotEqualTo(terse);
        assertThat(ref("m", RequestScope.part("developer", "You are terse."))).isNotEqualTo(terse);
        // No system prompt is a scope of its own; an empty system part is no part.
        String none = ref("m");
        assertThat(none).isNotEqualTo(terse);
        assertThat(ref("m", RequestScope.part("system", ""))).isEqualTo(none);
        assertThat(RequestScope.of("m", null).ref(List.of())).isEqualTo(none);
        // A request naming no model has the model "": deterministic, and its own scope.
        assertThat(RequestScope.of(null, List.of()).model()).isEmpty();
        assertThat(ref(null)).isEqualTo(ref("")).isNotEqualTo(none);
    }

    @Test
    void attachmentsAreInTheScopeSoTheirMatchIsExact() {
        RequestScope scope = RequestScope.of("m", List.of());
        assertThat(scope.ref(List.of("sha256:img"))).isNotEqualTo(scope.ref(List.of()))
                .isNotEqualTo(scope.ref(List.of("sha256:img", "sha256:other")));
    }

    @Test
    void optionsLeaveTheModelOrTheSystemPromptOutOfTheScope() {
        RequestScope scope = RequestScope.of("gpt-4o", List.of("system:Be brief."));
        assertThat(CachingOptions.defaults().scope(scope)).isEqualTo(scope);
        assertThat(CachingOptions.builder().matchModel(false).build().scope(scope))
                .isEqualTo(RequestScope.of("", List.of("system:Be brief.")));
        assertThat(CachingOptions.builder().matchSystemPrompt(false).build().scope(scope))
                .isEqualTo(RequestScope.of("gpt-4o", List.of()));
    }

    @Test
    void optionsSetTheCallersCategoryAndThresholdAndKeepEverythingElse() {
        GetOrComputeOptions o = CachingOptions.builder().category("faq").build().readThrough();
        assertThat(o.check().category()).isEqualTo("faq");
        assertThat(o.store().category()).isEqualTo("faq");
        assertThat(o.check().threshold()).isNull(); // the cache resolves the category's threshold itself
        assertThat(o.check().filter()).isNull(); // the scope is a ref, not a filter

        GetOrComputeOptions perCall = CachingOptions.defaults().withCategory("faq").withThreshold(0.2).readThrough();
        assertThat(perCall.check().threshold()).isEqualTo(0.2);

        GetOrComputeOptions base = CachingOptions.builder().base(GetOrComputeOptions.builder().category("base")
                .failOpen(false).check(CheckOptions.builder().category("base").filter(Filter.tag("x", "y")).build())
                .build()).build().readThrough();
        assertThat(base.check().category()).isEqualTo("base");
        assertThat(base.failOpen()).isFalse();
        assertThat(base.check().filter().toQuery()).isEqualTo("@x:{y}");
        assertThat(CachingOptions.defaults().readThrough()).isEqualTo(GetOrComputeOptions.defaults());
    }
}
