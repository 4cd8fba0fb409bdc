package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.GetOrComputeOptions;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.BinarySource;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Normalizers;
import com.betterdb.semanticcache.prompt.Prompt;
import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The adapter building blocks: scope refs, part conversion, and the read-through returning a provider type. */
class ProviderReadThroughTest {

    /** A provider's own response type. */
    record Reply(String text, boolean storable, boolean fromCache) {
    }

    private final AdapterCacheFixture fixture = new AdapterCacheFixture("prt").place("q", 0).place("q-near", 0.02);
    private final AtomicInteger calls = new AtomicInteger();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    private Reply call(Prompt prompt, Reply providerReply) {
        return ProviderReadThrough.call(fixture.cache(), prompt, GetOrComputeOptions.defaults(),
                () -> Mono.fromCallable(() -> {
                    calls.incrementAndGet();
                    return providerReply;
                }),
                r -> r.storable() ? Optional.of(Answer.of(r.text(), "m", 3, 4)) : Optional.empty(),
                hit -> new Reply(hit.response(), true, true)).block();
    }

    @Test
    void aMissReturnsTheProviderReplyItselfAndAHitIsRebuilt() {
        Reply original = new Reply("a", true, false);
        assertThat(call(Prompt.of("q"), original)).isSameAs(original);
        assertThat(call(Prompt.of("q-near"), new Reply("never", true, false))).isEqualTo(new Reply("a", true, true));
        assertThat(calls).hasValue(1);
    }

    @Test
    void aReplyThatIsNotStorableIsReturnedAndNothingIsStored() {
        Reply toolCall = new Reply("", false, false);
        assertThat(call(Prompt.of("q"), toolCall)).isSameAs(toolCall);
        assertThat(fixture.entries()).isZero();
        call(Prompt.of("q"), toolCall);
        assertThat(calls).hasValue(2);
    }

    /**
     * A concurrent paraphrase joins the computation in flight (getOrCompute coalesces misses): it gets a rebuilt
     * reply, never the provider's own object, and the provider is called once. The first call's provider reply is held
     * back until the second call has looked up and missed, so the second cannot hit a stored entry instead.
     */
    @Test
    void aConcurrentParaphraseJoinsTheCallInFlightAndGetsARebuiltReply() {
        Sinks.One<Reply> held = Sinks.one();
        CompletableFuture<Reply> first = ProviderReadThrough.call(fixture.cache(), Prompt.of("q"),
                GetOrComputeOptions.defaults(), () -> {
                    calls.incrementAndGet();
                    return held.asMono();
                }, r -> Optional.of(Answer.of(r.text(), "m", 3, 4)), hit -> new Reply(hit.response(), true, true))
                .toFuture();
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() == 1);
        CompletableFuture<Reply> second = call(Prompt.of("q-near"), () -> Mono.just(new Reply("own", true, false)));
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.counter("requests_total", "result", "miss") == 2);
        held.tryEmitValue(new Reply("a", true, false));
        assertThat(first.join()).isEqualTo(new Reply("a", true, false));
        assertThat(second.join()).isEqualTo(new Reply("a", true, true));
        assertThat(calls).hasValue(1);
    }

    /** A reply that is not to be shared (not storable) is not handed to joined callers: they call the provider. */
    @Test
    void aCallerThatJoinedANotStorableReplyCallsTheProviderItself() {
        Sinks.One<Reply> held = Sinks.one();
        CompletableFuture<Reply> first = ProviderReadThrough.call(fixture.cache(), Prompt.of("q"),
                GetOrComputeOptions.defaults(), () -> {
                    calls.incrementAndGet();
                    return held.asMono();
                }, r -> r.storable() ? Optional.of(Answer.of(r.text(), "m", 3, 4)) : Optional.empty(),
                hit -> new Reply(hit.response(), true, true)).toFuture();
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() == 1);
        CompletableFuture<Reply> second = call(Prompt.of("q-near"), () -> Mono.fromCallable(() -> {
            calls.incrementAndGet();
            return new Reply("own tool call", false, false);
        }));
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.counter("requests_total", "result", "miss") == 2);
        held.tryEmitValue(new Reply("tool call", false, false));
        assertThat(first.join()).isEqualTo(new Reply("tool call", false, false));
        assertThat(second.join()).isEqualTo(new Reply("own tool call", false, false));
        assertThat(calls).hasValue(2);
        assertThat(fixture.entries()).isZero();
    }

    private CompletableFuture<Reply> call(Prompt prompt, Supplier<Mono<Reply>> provider) {
        return ProviderReadThrough.call(fixture.cache(), prompt, GetOrComputeOptions.defaults(), provider,
                r -> r.storable() ? Optional.of(Answer.of(r.text(), "m", 3, 4)) : Optional.empty(),
                hit -> new Reply(hit.response(), true, true)).toFuture();
    }

    @Test
    void scopesSeparateModelsSystemPromptsAndAttachmentsButNotParaphrases() {
        SemanticParams text = SemanticParams.text("q", "m");
        RequestScope a = RequestScope.of("m", List.of("system:Be brief."));
        call(a.prompt(text), new Reply("brief", true, false));
        assertThat(call(RequestScope.of("m", List.of("system:Be verbose.")).prompt(text), new Reply("verbose", true,
                false)).fromCache()).isFalse();
        assertThat(call(RequestScope.of("m2", List.of("system:Be brief.")).prompt(text), new Reply("m2", true,
                false)).fromCache()).isFalse();
        assertThat(call(RequestScope.of("m", List.of()).prompt(text), new Reply("none", true, false)).fromCache())
                .isFalse();
        SemanticParams withImage = SemanticParams.blocks(List.of(ContentBlock.text("q"),
                ContentBlock.binary(BinaryKind.IMAGE, "image/png", "sha256:img")), "m");
        assertThat(call(a.prompt(withImage), new Reply("image", true, false)).fromCache()).isFalse();
        assertThat(calls).hasValue(5);

        Reply hit = call(a.prompt(SemanticParams.text("q-near", "m")), new Reply("never", true, false));
        assertThat(hit).isEqualTo(new Reply("brief", true, true));
        assertThat(call(a.prompt(withImage), new Reply("never", true, false)).text()).isEqualTo("image");
        assertThat(calls).hasValue(5);
    }

    @Test
    void theScopePromptKeepsTheTextAndAddsOneRef() {
        RequestScope scope = RequestScope.of("gpt-4o", List.of("system:a"));
        Prompt p = scope.prompt(SemanticParams.text("hello", "gpt-4o"));
        assertThat(p.text()).isEqualTo("hello");
        assertThat(p.binaryRefs()).singleElement().asString().startsWith(RequestScope.REF_PREFIX);
        // Field boundaries count: ("ab", []) and ("a", ["b"]) are different scopes.
        assertThat(RequestScope.of("ab", List.of()).ref(List.of()))
                .isNotEqualTo(RequestScope.of("a", List.of("b")).ref(List.of()));
        assertThat(scope.ref(List.of())).isEqualTo(RequestScope.of("gpt-4o", List.of("system:a")).ref(List.of()));
        assertThat(scope.toString()).doesNotContain("system:a");
    }

    @Test
    void partsAreConvertedInOrderAndSkippedPartsLeaveNoBlock() {
        SemanticParams p = BinaryParts.toParams(List.of("t:one", "skip", "img:https://x.test/a.png", "t:two"),
                part -> part.startsWith("t:") ? Mono.just(ContentBlock.text(part.substring(2)))
                        : part.startsWith("img:") ? BinaryParts.binary(Normalizers.defaultNormalizer(), BinaryKind.IMAGE,
                        BinaryParts.urlOrData(part.substring(4), "image/*"), "image/*", "low", null)
                        : Mono.empty(), "m").block();
        assertThat(p.text()).isEqualTo("one two");
        assertThat(p.blocks()).containsExactly(ContentBlock.text("one"),
                new ContentBlock.Binary(BinaryKind.IMAGE, "image/*", "url:https://x.test/a.png", "low", null, null),
                ContentBlock.text("two"));
        assertThat(BinaryParts.urlOrData("data:image/png;base64,AA==", "image/png"))
                .isEqualTo(new BinarySource.Base64("data:image/png;base64,AA==", "image/png"));
    }
}
