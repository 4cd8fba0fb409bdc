package com.betterdb.semanticcache.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnswerQualityTest {

    private static final DemoPrompts PROMPTS = new DemoPrompts(
            List.of(List.of("capital of France?", "France's capital?"),
                    List.of("reverse a list in Python?", "Python list reversal?")),
            List.of("bake sourdough?", "capital of Spain?"));

    @Test
    void hitsAreJudgedByTheGroupOfTheStoredPrompt() {
        AnswerQuality q = new AnswerQuality(PROMPTS);
        q.stored("k:france", "capital of France?");
        q.stored("k:python", "reverse a list in Python?");
        q.stored("k:spain", "capital of Spain?");

        q.hit("France's capital?", "k:france", 0.08);          // right: same group
        q.hit("Python list reversal?", "k:python", 0.12);      // right
        q.hit("capital of Spain?", "k:france", 0.21);          // wrong: a one-off served France's answer
        q.hit("Python list reversal?", "k:france", 0.24);      // wrong: another group
        q.hit("bake sourdough?", "k:unknown", 0.3);            // the matched entry was never seen stored

        AnswerQuality.Report r = q.report(5);
        assertThat(r.hits()).isEqualTo(5);
        assertThat(r.sameGroup()).isEqualTo(2);
        assertThat(r.wrong()).isEqualTo(2);
        assertThat(r.unresolved()).isEqualTo(1);
        assertThat(r.worst()).containsExactly(
                new AnswerQuality.Hit("capital of Spain?", "capital of France?", 0.21, false),
                new AnswerQuality.Hit("Python list reversal?", "capital of France?", 0.24, false));
        assertThat(r.farthest()).extracting(AnswerQuality.Hit::distance).containsExactly(0.24, 0.21, 0.12, 0.08);
        assertThat(r.farthest()).extracting(AnswerQuality.Hit::right).containsExactly(false, false, true, true);
    }

    @Test
    void worstListIsCappedAndOrderedByDistance() {
        AnswerQuality q = new AnswerQuality(PROMPTS);
        q.stored("k:spain", "capital of Spain?");
        q.hit("reverse a list in Python?", "k:spain", 0.2);
        q.hit("capital of France?", "k:spain", 0.05);
        q.hit("bake sourdough?", "k:spain", 0.1);

        AnswerQuality.Report r = q.report(2);
        assertThat(r.wrong()).isEqualTo(3);
        assertThat(r.worst()).extracting(AnswerQuality.Hit::distance).containsExactly(0.05, 0.1);
        assertThat(r.farthest()).extracting(AnswerQuality.Hit::distance).containsExactly(0.2, 0.1);
    }

    @Test
    void noHitsNoWrongAnswers() {
        AnswerQuality.Report r = new AnswerQuality(PROMPTS).report(5);
        assertThat(r.hits()).isZero();
        assertThat(r.wrong()).isZero();
        assertThat(r.worst()).isEmpty();
        assertThat(r.farthest()).isEmpty();
    }

    @Test
    void aPromptInTwoGroupsIsRejected() {
        assertThatThrownBy(() -> new AnswerQuality(new DemoPrompts(List.of(List.of("a", "b"), List.of("b", "c")),
                List.of()))).hasMessageContaining("prompt in two groups: b");
    }

    @Test
    void theBundledPromptsHaveOneGroupEach() throws IOException {
        DemoPrompts bundled = DemoPrompts.load();
        AnswerQuality q = new AnswerQuality(bundled);
        assertThat(q.report(1).hits()).isZero();
        assertThat(bundled.size()).isEqualTo(328);
    }
}
