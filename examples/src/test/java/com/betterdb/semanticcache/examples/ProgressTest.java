package com.betterdb.semanticcache.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void withoutATerminalItPrintsOneLinePerTenthAndNoCarriageReturns() {
        Progress p = new Progress(out, 200, false);
        for (int done = 0; done <= 200; done++) {
            p.update(done, done / 2);
            p.update(done, done / 2); // polled repeatedly: no repeated lines
        }
        p.finish();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("\r");
        assertThat(text.lines()).hasSize(10);
        assertThat(text.lines().findFirst()).hasValue(" 10%  20/200 answered, hits 10, misses 10");
        assertThat(text.lines().reduce((a, b) -> b)).hasValue("100%  200/200 answered, hits 100, misses 100");
    }

    @Test
    void aJumpOverSeveralTenthsPrintsOneLine() {
        Progress p = new Progress(out, 10, false);
        p.update(0, 0);
        p.update(7, 3);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(" 70%  7/10 answered, hits 3, misses 4"
                + System.lineSeparator());
    }

    @Test
    void onATerminalItRedrawsOneLine() {
        Progress p = new Progress(out, 4, true);
        p.update(1, 0);
        p.update(4, 2);
        p.finish();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("\r[" + "#".repeat(10) + ".".repeat(30) + "] 1/4 answered");
        assertThat(text).contains("\r[" + "#".repeat(40) + "] 4/4 answered, hits 2, misses 2");
        assertThat(text.chars().filter(c -> c == '\n').count()).as("one line, ended by finish()").isEqualTo(1);
        assertThat(text).endsWith(System.lineSeparator());
    }
}
