package com.betterdb.semanticcache.core;

import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.JudgeOptions;
import com.betterdb.semanticcache.analysis.JudgeVerdict;
import com.betterdb.semanticcache.analysis.JudgeVerdicts;
import com.betterdb.semanticcache.store.Bookkeeping;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.util.List;

import static com.betterdb.semanticcache.core.RecordingStore.row;
import static org.assertj.core.api.Assertions.assertThat;

/** A judge's accept or reject becomes a verdict in the lookup's bookkeeping; a timeout or an error does not. */
class JudgeVerdictRecordingTest {

    private static CacheFixture borderline() {
        CacheFixture f = CacheFixture.create(b -> b.categoryThreshold("faq", 0.1)).initialized();
        f.store.reply(row("ftchar:entry:b", 0.08, "response", "The answer is 42", "prompt", "cached q"));
        return f;
    }

    private static JudgeVerdict verdictOf(Bookkeeping b) {
        return JudgeVerdicts.parse(b.verdictMember(), b.nowMs()).orElseThrow();
    }

    @Test
    void acceptAndRejectAreRecordedWithDistanceCategoryAndThreshold() {
        CacheFixture f = borderline();
        f.cache.check("q", CheckOptions.builder().category("faq").judge(ctx -> Mono.just(true)).build()).block();
        f.store.reply(row("ftchar:entry:b", 0.09, "response", "x"));
        f.cache.check("q2", CheckOptions.builder().judge(ctx -> Mono.just(false)).build()).block();
        List<Bookkeeping> b = f.store.allBookkeeping();
        assertThat(b).hasSize(2);
        assertThat(verdictOf(b.get(0))).isEqualTo(new JudgeVerdict(0.08, true, "faq", 0.1, CacheFixture.NOW));
        assertThat(verdictOf(b.get(1))).isEqualTo(new JudgeVerdict(0.09, false, "", 0.1, CacheFixture.NOW));
        // The window members are unchanged by the verdict.
        assertThat(b.get(0).windowMember()).contains("\"result\":\"hit\"");
        assertThat(b.get(1).windowMember()).contains("\"result\":\"miss\"");
    }

    @Test
    void noVerdictWithoutAJudgeOrWhenItFailsOrTimesOut() {
        CacheFixture f = borderline();
        f.cache.check("q").block(); // uncertain hit, no judge
        f.store.reply(row("ftchar:entry:b", 0.08, "response", "x"));
        f.cache.check("q", CheckOptions.builder()
                .judge(JudgeOptions.of(ctx -> Mono.error(new RuntimeException("down")))).build()).block();
        f.store.reply(row("ftchar:entry:b", 0.08, "response", "x"));
        f.cache.check("q", CheckOptions.builder().judge(JudgeOptions.of(ctx -> Mono.error(new RuntimeException("down")))
                .withOnError(JudgeOptions.OnError.REJECT)).build()).block();
        f.store.reply(row("ftchar:entry:b", 0.02, "response", "x"));
        f.cache.check("q", CheckOptions.builder().judge(ctx -> Mono.just(false)).build()).block(); // high: no judge
        assertThat(f.store.allBookkeeping()).hasSize(4).allSatisfy(b -> assertThat(b.verdictMember()).isNull());
    }
}
