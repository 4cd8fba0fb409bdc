package com.betterdb.semanticcache.core;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.Confidence;
import com.betterdb.semanticcache.JudgeOptions;
import com.betterdb.semanticcache.RerankOptions;
import com.betterdb.semanticcache.store.Bookkeeping;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static com.betterdb.semanticcache.core.RecordingStore.row;
import static org.assertj.core.api.Assertions.assertThat;

class JudgeRerankTest {

    private static CacheFixture borderline() {
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("ftchar:entry:b", 0.08, "response", "The answer is 42", "prompt", "cached q"));
        return f;
    }

    private static CheckOptions judge(JudgeOptions.JudgeFn fn) {
        return CheckOptions.builder().judge(fn).build();
    }

    @Test
    void judgeAcceptPromotesToHigh() { // JUDGE-01
        CacheFixture f = borderline();
        AtomicInteger calls = new AtomicInteger();
        CacheResult r = f.cache.check("q", judge(ctx -> {
            calls.incrementAndGet();
            return Mono.just(true);
        })).block();
        assertThat(r.hit()).isTrue();
        assertThat(r.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(r.similarity()).isEqualTo(0.08);
        assertThat(calls).hasValue(1);
        assertThat(f.counter("judge_decisions_total", "decision", "accept", "category", "none")).isEqualTo(1);
        assertThat(f.counter("requests_total", "result", "hit")).isEqualTo(1);
    }

    @Test
    void judgeRejectIsAMissWithNearestMissAtOrBelowZero() { // JUDGE-02
        CacheFixture f = borderline();
        CacheResult r = f.cache.check("q", judge(ctx -> Mono.just(false))).block();
        assertThat(r.hit()).isFalse();
        assertThat(r.similarity()).isEqualTo(0.08);
        assertThat(r.nearestMiss().similarity()).isEqualTo(0.08);
        assertThat(r.nearestMiss().deltaToThreshold()).isLessThanOrEqualTo(0);
        assertThat(r.nearestMiss().threshold()).isEqualTo(0.1);
        assertThat(r.nearestMiss().matchedKey()).isEqualTo("ftchar:entry:b");
        assertThat(f.counter("judge_decisions_total", "decision", "reject", "category", "none")).isEqualTo(1);
        Bookkeeping b = f.store.allBookkeeping().get(0);
        assertThat(b.hit()).isFalse();
        assertThat(b.windowMember()).contains("\"result\":\"miss\"").contains("\"score\":0.08");
        assertThat(b.pendingMember()).isNotNull();
    }

    @Test
    void judgeIsNotCalledForHighHitsOrMisses() { // JUDGE-03, JUDGE-04
        CacheFixture f = CacheFixture.create().initialized();
        AtomicInteger calls = new AtomicInteger();
        JudgeOptions.JudgeFn fn = ctx -> {
            calls.incrementAndGet();
            return Mono.just(false);
        };
        f.store.reply(row("k", 0.02, "response", "a"));
        assertThat(f.cache.check("q", judge(fn)).block().confidence()).isEqualTo(Confidence.HIGH);
        assertThat(f.cache.check("q", judge(fn)).block().hit()).isFalse(); // no rows
        f.store.reply(row("k", 0.5, "response", "a"));
        assertThat(f.cache.check("q", judge(fn)).block().hit()).isFalse(); // threshold miss
        assertThat(calls).hasValue(0);
    }

    @Test
    void judgeErrorFollowsOnError() { // JUDGE-05, JUDGE-06
        CacheFixture f = borderline();
        JudgeOptions failing = JudgeOptions.of(ctx -> Mono.error(new RuntimeException("llm down")));
        CacheResult accepted = f.cache.check("q", CheckOptions.builder().judge(failing).build()).block();
        assertThat(accepted.hit()).isTrue();
        assertThat(accepted.confidence()).isEqualTo(Confidence.UNCERTAIN);
        f.store.reply(row("ftchar:entry:b", 0.08, "response", "x"));
        CacheResult rejected = f.cache.check("q", CheckOptions.builder()
                .judge(failing.withOnError(JudgeOptions.OnError.REJECT)).build()).block();
        assertThat(rejected.hit()).isFalse();
        assertThat(f.counter("judge_decisions_total", "decision", "error_accept", "category", "none")).isEqualTo(1);
        assertThat(f.counter("judge_decisions_total", "decision", "error_reject", "category", "none")).isEqualTo(1);
        assertThat(f.counter("requests_total", "result", "uncertain_hit")).isEqualTo(1);
    }

    @Test
    void judgeThatNeverAnswersTimesOut() { // JUDGE-07, JUDGE-08 (virtual time)
        CacheFixture f = borderline();
        JudgeOptions never = JudgeOptions.of(ctx -> Mono.never()).withTimeout(Duration.ofMillis(50));
        StepVerifier.withVirtualTime(() -> f.cache.check("q", CheckOptions.builder().judge(never).build()))
                .thenAwait(Duration.ofMillis(50))
                .assertNext(r -> {
                    assertThat(r.hit()).isTrue();
                    assertThat(r.confidence()).isEqualTo(Confidence.UNCERTAIN);
                })
                .verifyComplete();
        f.store.reply(row("ftchar:entry:b", 0.08, "response", "x"));
        StepVerifier.withVirtualTime(() -> f.cache.check("q", CheckOptions.builder()
                        .judge(never.withOnError(JudgeOptions.OnError.REJECT)).build()))
                .thenAwait(Duration.ofSeconds(1))
                .assertNext(r -> assertThat(r.hit()).isFalse())
                .verifyComplete();
        assertThat(f.counter("judge_decisions_total", "decision", "timeout_accept", "category", "none")).isEqualTo(1);
        assertThat(f.counter("judge_decisions_total", "decision", "timeout_reject", "category", "none")).isEqualTo(1);
    }

    @Test
    void judgeSeesTheSpecifiedContext() { // JUDGE-11
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("k", 0.08, "response", "The answer is 42"));
        List<JudgeOptions.Context> seen = new ArrayList<>();
        f.cache.check("What is the answer?", CheckOptions.builder().category("trivia").judge(ctx -> {
            seen.add(ctx);
            return Mono.just(true);
        }).build()).block();
        assertThat(seen).containsExactly(new JudgeOptions.Context("What is the answer?", "The answer is 42", 0.08, 0.1,
                "trivia", ""));
    }

    @Test
    void rerankPicksACandidate() { // RR-01, RR-04
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("k0", 0.01, "response", "Short", "prompt", "stored prompt text"),
                row("k1", 0.02, "response", "Longer answer", "prompt", "p1"),
                row("k2", 0.03, "response", "The longest and most detailed answer", "prompt", "p2"));
        List<List<RerankOptions.Candidate>> offered = new ArrayList<>();
        CacheResult r = f.cache.check("q", CheckOptions.builder().rerank(3, (query, cands) -> {
            offered.add(cands);
            int best = 0;
            for (int i = 1; i < cands.size(); i++) {
                if (cands.get(i).response().length() > cands.get(best).response().length()) {
                    best = i;
                }
            }
            return Mono.just(best);
        }).build()).block();
        assertThat(f.store.searches.get(0).k()).isEqualTo(3);
        assertThat(r.response()).isEqualTo("The longest and most detailed answer");
        assertThat(r.matchedKey()).isEqualTo("k2");
        assertThat(r.similarity()).isEqualTo(0.03);
        assertThat(offered.get(0).get(0)).isEqualTo(new RerankOptions.Candidate("Short", 0.01, "stored prompt text"));
    }

    @Test
    void rerankRejectionAndOutOfRangeAreBareMisses() { // RR-02, RR-03
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("k0", 0.01, "response", "a"));
        assertThat(f.cache.check("q", CheckOptions.builder().rerank(1, (q, c) -> Mono.just(-1)).build()).block())
                .isEqualTo(CacheResult.miss());
        f.store.reply(row("k0", 0.01, "response", "a"));
        assertThat(f.cache.check("q", CheckOptions.builder().rerank(1, (q, c) -> Mono.just(c.size())).build()).block())
                .isEqualTo(CacheResult.miss());
        // Window member uses the top-1 score.
        assertThat(f.store.allBookkeeping().get(0).windowMember()).contains("\"score\":0.01").contains("miss");
    }

    @Test
    void judgeRunsOnTheRerankedWinner() { // JUDGE-09, JUDGE-10
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("k0", 0.08, "response", "Response zero"), row("k1", 0.09, "response", "Response one"),
                row("k2", 0.07, "response", "Response two"));
        List<JudgeOptions.Context> seen = new ArrayList<>();
        CacheResult r = f.cache.check("q", CheckOptions.builder().rerank(3, (q, c) -> Mono.just(1)).judge(ctx -> {
            seen.add(ctx);
            return Mono.just(false);
        }).build()).block();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).response()).isEqualTo("Response one");
        assertThat(seen.get(0).similarity()).isEqualTo(0.09);
        assertThat(r.hit()).isFalse();
        assertThat(r.nearestMiss().deltaToThreshold()).isLessThanOrEqualTo(0);
    }

    @Test
    void staleModelEviction() { // STALE-01, STALE-02, STALE-03
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("ftchar:entry:s", 0.01, "response", "Answer", "model", "gpt-4o"));
        CacheResult evicted = f.cache.check("q", CheckOptions.builder().staleAfterModelChange("gpt-4o-mini").build())
                .block();
        assertThat(evicted).isEqualTo(CacheResult.miss());
        Bookkeeping b = f.store.allBookkeeping().get(0);
        assertThat(b.deleteKey()).isEqualTo("ftchar:entry:s");
        assertThat(b.hit()).isFalse();
        assertThat(b.windowMember()).contains("miss");
        assertThat(f.counter("stale_model_evictions_total")).isEqualTo(1);

        f.store.reply(row("ftchar:entry:s", 0.01, "response", "Answer", "model", "gpt-4o"));
        assertThat(f.cache.check("q", CheckOptions.builder().staleAfterModelChange("gpt-4o").build()).block()
                .response()).isEqualTo("Answer");
        f.store.reply(row("ftchar:entry:s", 0.01, "response", "Answer", "model", "gpt-4o"));
        CheckOptions off = new CheckOptions(null, "", null, 1, false, "gpt-4o-mini", null, null);
        assertThat(f.cache.check("q", off).block().hit()).isTrue();
        f.store.reply(row("ftchar:entry:s", 0.01, "response", "Answer", "model", ""));
        assertThat(f.cache.check("q", CheckOptions.builder().staleAfterModelChange("x").build()).block().hit()).isTrue();
    }
}
