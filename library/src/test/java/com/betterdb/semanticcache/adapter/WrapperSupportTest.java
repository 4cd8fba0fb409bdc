package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Normalizers;
import com.betterdb.semanticcache.prompt.Prompt;
import com.betterdb.semanticcache.store.CacheStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The helpers every caching wrapper shares: binary parts, the match scope, and getOrCompute with the client's type. */
class WrapperSupportTest {

    private SemanticCache cache;

    @AfterEach
    void close() {
        if (cache != null) {
            cache.close();
        }
    }

    private SemanticCache cache(Map<String, Double> categoryThresholds) {
        SemanticCache c = uninitialized(categoryThresholds);
        c.initialize().block();
        return c;
    }

    private SemanticCache uninitialized(Map<String, Double> categoryThresholds) {
        cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name("ws")
                .store(CacheStores.inMemory())
                .embedFn(text -> Mono.just(new float[]{1, text.length()}))
                .categoryThresholds(categoryThresholds)
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .build());
        return cache;
    }

    // --------------------------------------------------------------------------------------------- ContentParts

    @Test
    void aDataUrlIsBase64WithItsMediaTypeAndAnyOtherUrlAUrlSource() {
        byte[] png = "png-bytes".getBytes(StandardCharsets.UTF_8);
        String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
        ContentBlock.Binary b = (ContentBlock.Binary) ContentParts.url(BinaryKind.IMAGE, dataUrl, "image/*", "low", null,
                Normalizers.defaultNormalizer()).block();
        assertThat(b.mediaType()).isEqualTo("image/png");
        assertThat(b.ref()).isEqualTo(Normalizers.hashBytes(png));
        assertThat(b.detail()).isEqualTo("low");

        ContentBlock.Binary u = (ContentBlock.Binary) ContentParts.url(BinaryKind.IMAGE, "https://example.com/img.png",
                "image/*", null, null, Normalizers.defaultNormalizer()).block();
        assertThat(u.mediaType()).isEqualTo("image/*");
        assertThat(u.ref()).isEqualTo("url:https://example.com/img.png");
    }

    @Test
    void inlineDataKeepsItsMediaTypeElseTheDefault() {
        String b64 = Base64.getEncoder().encodeToString("pdf".getBytes(StandardCharsets.UTF_8));
        ContentBlock.Binary d = (ContentBlock.Binary) ContentParts.base64(BinaryKind.DOCUMENT, b64, null,
                "application/pdf", null, "a.pdf", Normalizers.defaultNormalizer()).block();
        assertThat(d.kind()).isEqualTo(BinaryKind.DOCUMENT);
        assertThat(d.mediaType()).isEqualTo("application/pdf");
        assertThat(d.filename()).isEqualTo("a.pdf");
        assertThat(d.ref()).isEqualTo(Normalizers.hashBase64(b64));
        ContentBlock.Binary a = (ContentBlock.Binary) ContentParts.bytes(BinaryKind.AUDIO, new byte[]{1, 2}, "audio/wav",
                "audio/*", null, null, Normalizers.defaultNormalizer()).block();
        assertThat(a.mediaType()).isEqualTo("audio/wav");
        assertThat(a.ref()).isEqualTo(Normalizers.hashBytes(new byte[]{1, 2}));
    }

    @Test
    void paramsKeepThePartsInMessageOrder() {
        SemanticParams p = ContentParts.params(List.of(Mono.just(ContentBlock.text("What is in this image?")),
                ContentParts.url(BinaryKind.IMAGE, "https://example.com/img.png", "image/*", null, null,
                        ref -> Mono.just("sha256:imagehash"))), "gpt-4o").block();
        assertThat(p.text()).isEqualTo("What is in this image?");
        assertThat(p.blocks()).hasSize(2);
        assertThat(((ContentBlock.Binary) p.blocks().get(1)).ref()).isEqualTo("sha256:imagehash");
        assertThat(p.model()).isEqualTo("gpt-4o");
    }

    // --------------------------------------------------------------------------------------------- MatchScope

    @Test
    void theSystemHashSeparatesSystemPromptsAndIsAbsentWithoutOne() {
        String a = MatchScope.systemHash(List.of("You are terse."));
        assertThat(a).startsWith("sys-").hasSize(4 + 16);
        assertThat(MatchScope.systemHash(List.of("You are terse."))).isEqualTo(a);
        assertThat(MatchScope.systemHash(List.of("You are verbose."))).isNotEqualTo(a);
        assertThat(MatchScope.systemHash(List.of("a\nb"))).isNotEqualTo(MatchScope.systemHash(List.of("a", "b")));
        String none = MatchScope.systemHash(List.of());
        assertThat(none).startsWith("sys-").isNotEqualTo(a);
        assertThat(MatchScope.systemHash(List.of(""))).isEqualTo(none);
        assertThat(MatchScope.systemHash(null)).isEqualTo(none);
        assertThat(MatchScope.category("faq", a)).isEqualTo("faq:" + a);
        assertThat(MatchScope.category("", a)).isEqualTo(a);
        assertThat(MatchScope.category("faq", null)).isEqualTo("faq");
    }

    @Test
    void optionsScopeTheCategoryFilterTheModelAndKeepTheCategoryThreshold() {
        SemanticCache c = cache(Map.of("faq", 0.05));
        String sys = MatchScope.systemHash(List.of("be brief"));
        GetOrComputeOptions o = MatchScope.options(c, GetOrComputeOptions.defaults(), "faq", null, "gpt-4o", sys);
        assertThat(o.check().category()).isEqualTo("faq:" + sys);
        assertThat(o.store().category()).isEqualTo("faq:" + sys);
        assertThat(o.check().threshold()).isEqualTo(0.05);
        assertThat(o.check().filter().toQuery()).isEqualTo(
                Filter.and(Filter.category("faq:" + sys), Filter.model("gpt-4o")).toQuery());
        assertThat(o.store().model()).isEqualTo("gpt-4o");

        GetOrComputeOptions perCall = MatchScope.options(c, GetOrComputeOptions.defaults(), "faq", 0.2, null, sys);
        assertThat(perCall.check().threshold()).isEqualTo(0.2);
        assertThat(perCall.check().filter().toQuery()).isEqualTo(Filter.category("faq:" + sys).toQuery());

        GetOrComputeOptions plain = MatchScope.options(c, GetOrComputeOptions.builder().category("base").build(), null,
                null, null, null);
        assertThat(plain.check().category()).isEqualTo("base");
        assertThat(plain.check().threshold()).isNull();
        GetOrComputeOptions unscoped = MatchScope.options(c, GetOrComputeOptions.defaults(), null, null, null, null);
        assertThat(unscoped.check().filter()).isNull();

        GetOrComputeOptions combined = MatchScope.options(c, GetOrComputeOptions.builder()
                .check(com.betterdb.semanticcache.CheckOptions.builder().filter(Filter.tag("x", "y")).build()).build(),
                null, null, "m", null);
        assertThat(combined.check().filter().toQuery()).contains("@x:{y}").contains("@model:{m}");
    }

    // --------------------------------------------------------------------------------------------- CachedCall

    @Test
    void aMissReturnsTheClientsOwnResponseAndAHitNone() {
        SemanticCache c = cache(Map.of());
        AtomicInteger calls = new AtomicInteger();
        Object response = new Object();
        CachedCall.Outcome<Object> first = CachedCall.getOrCompute(c, Mono.just(Prompt.of("hello")),
                GetOrComputeOptions.defaults(), () -> Mono.fromCallable(() -> {
                    calls.incrementAndGet();
                    return response;
                }), r -> Answer.of("hi there")).block();
        assertThat(first.response()).isSameAs(response);
        assertThat(first.hit()).isFalse();
        assertThat(first.result().entryKey()).startsWith("ws:entry:");

        CachedCall.Outcome<Object> second = CachedCall.getOrCompute(c, Mono.just(Prompt.of("hello")),
                GetOrComputeOptions.defaults(), () -> Mono.error(new AssertionError("not called")),
                r -> Answer.of("never")).block();
        assertThat(second.hit()).isTrue();
        assertThat(second.response()).isNull();
        assertThat(second.result().response()).isEqualTo("hi there");
        assertThat(calls).hasValue(1);
    }

    @Test
    void theCacheIsInitialisedOnFirstUse() { // ADP-25: lazily, by the first call, then reused
        SemanticCache c = uninitialized(Map.of());
        assertThatThrownBy(() -> c.stats().block()).isInstanceOf(com.betterdb.semanticcache.SemanticCacheUsageError.class);
        CachedCall.getOrCompute(c, Mono.just(Prompt.of("hello")), GetOrComputeOptions.defaults(),
                () -> Mono.just("r"), Answer::of).block();
        assertThat(c.stats().block().misses()).isEqualTo(1);
        CachedCall.Outcome<String> again = CachedCall.getOrCompute(c, Mono.just(Prompt.of("hello")),
                GetOrComputeOptions.defaults(), () -> Mono.just("never"), Answer::of).block();
        assertThat(again.hit()).isTrue();
    }

    @Test
    void aClosedCacheIsAUsageErrorNotAnOutage() {
        SemanticCache c = cache(Map.of());
        c.close();
        assertThatThrownBy(() -> CachedCall.getOrCompute(c, Mono.just(Prompt.of("hello")),
                GetOrComputeOptions.defaults(), () -> Mono.just("r"), Answer::of).block())
                .isInstanceOf(com.betterdb.semanticcache.SemanticCacheUsageError.class);
    }

    @Test
    void aResponseThatIsNotCacheableIsReturnedAndNotStored() {
        SemanticCache c = cache(Map.of());
        CachedCall.Outcome<String> out = CachedCall.getOrCompute(c, Mono.just(Prompt.of("hello")),
                GetOrComputeOptions.defaults(), () -> Mono.just("tool call"), r -> null).block();
        assertThat(out.response()).isEqualTo("tool call");
        assertThat(out.result()).isNull();
        assertThat(c.check("hello").block().hit()).isFalse();
    }

    @Test
    void anEmptyPromptGoesStraightToTheLlm() {
        SemanticCache c = cache(Map.of());
        CachedCall.Outcome<String> out = CachedCall.getOrCompute(c, Mono.just(Prompt.of("")),
                GetOrComputeOptions.defaults(), () -> Mono.just("r"), r -> Answer.of(r)).block();
        assertThat(out.response()).isEqualTo("r");
        assertThat(out.result()).isNull();
        assertThat(c.stats().block().total()).isZero();
    }

    @Test
    void aFailedPromptFailsOpenUnlessFailOpenIsOff() {
        SemanticCache c = cache(Map.of());
        Mono<Prompt> broken = Mono.error(new IllegalStateException("normalizer down"));
        CachedCall.Outcome<String> out = CachedCall.getOrCompute(c, broken, GetOrComputeOptions.defaults(),
                () -> Mono.just("r"), Answer::of).block();
        assertThat(out.response()).isEqualTo("r");
        assertThat(out.result()).isNull();
        assertThatThrownBy(() -> CachedCall.getOrCompute(c, broken,
                GetOrComputeOptions.builder().failOpen(false).build(), () -> Mono.just("r"), Answer::of).block())
                .hasMessageContaining("normalizer down");
    }

    @Test
    void anLlmErrorReachesTheCallerAndNothingIsStored() {
        SemanticCache c = cache(Map.of());
        assertThatThrownBy(() -> CachedCall.getOrCompute(c, Mono.just(Prompt.of("hello")),
                GetOrComputeOptions.defaults(), () -> Mono.<String>error(new IllegalStateException("HTTP 500")),
                Answer::of).block()).hasMessageContaining("HTTP 500");
        assertThat(c.check("hello").block().hit()).isFalse();
    }
}
