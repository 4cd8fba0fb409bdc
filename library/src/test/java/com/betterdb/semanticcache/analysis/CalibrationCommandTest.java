package com.betterdb.semanticcache.analysis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CalibrationCommandTest {

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run run(InputStream stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CalibrationCommand.run(args, stdin, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run run(String... args) {
        return run(InputStream.nullInputStream(), args);
    }

    /** {@link CalibrationTest#handMade()} as TSV lines with a header. */
    private Path handMadeTsv() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("distance\tlabel");
        for (Calibration.LabelledDistance p : CalibrationTest.handMade()) {
            lines.add(p.distance() + "\t" + (p.match() ? "1" : "0"));
        }
        Path f = dir.resolve("pairs.tsv");
        Files.write(f, lines);
        return f;
    }

    @Test
    void tsvOfDistancesReportsEachTargetAndBestF1() throws IOException {
        Run r = run(handMadeTsv().toString(), "--target-precision", "0.97", "--target-precision", "1",
                "--bootstrap", "100");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("pairs: 205, matching: 100 (48.8%)")
                .contains("precision >= 0.970: threshold 0.0700  precision 0.972  recall 0.700")
                .contains("precision >= 1.000: threshold 0.0500  precision 1.000  recall 0.500")
                .contains("best F1: threshold 0.1000")
                .contains("95% bootstrap (");
    }

    @Test
    void jsonlFromStandardInputWithPromptPairsOrDistances() {
        String jsonl = """
                {"distance": 0.01, "label": true}
                {"distance": 0.02, "accepted": "yes"}
                # a comment
                {"distance": 0.5, "match": false}
                """;
        Run r = run(new ByteArrayInputStream(jsonl.getBytes(StandardCharsets.UTF_8)), "-", "--format", "jsonl",
                "--target-precision", "1.0", "--bootstrap", "0");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("pairs: 3, matching: 2")
                .contains("precision >= 1.000: threshold 0.0200  precision 1.000  recall 1.000")
                .doesNotContain("bootstrap (");
    }

    @Test
    void badInputIsAClearErrorWithExitCode2() throws IOException {
        Path bad = dir.resolve("bad.tsv");
        Files.writeString(bad, "0.1\ttrue\n0.2\tmaybe\n");
        Run r = run(bad.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("bad.tsv line 2").contains("label");

        Path mixed = dir.resolve("mixed.tsv");
        Files.writeString(mixed, "0.1\ttrue\nWhat is X?\tTell me X\tfalse\n");
        assertThat(run(mixed.toString()).err()).contains("mixes distance pairs and prompt pairs");

        assertThat(run().err()).contains("no input file");
        assertThat(run("x.tsv", "--target-precision", "1.5").err()).contains("(0, 1]");
        assertThat(run(dir.resolve("missing.tsv").toString()).code()).isEqualTo(2);
        Path empty = dir.resolve("empty.jsonl");
        Files.writeString(empty, "\n");
        assertThat(run(empty.toString()).err()).contains("no labelled pairs");
    }

    @Test
    void aHeaderIsSkippedEvenWhenItsLabelColumnIsNamedLikeALabel() throws IOException {
        Path f = dir.resolve("named.tsv");
        Files.writeString(f, "distance\taccepted\n0.01\ttrue\n0.5\tfalse\n");
        Run r = run(f.toString(), "--bootstrap", "0");
        assertThat(r.out()).contains("pairs: 2, matching: 1");
    }

    @Test
    void promptPairsAreEmbeddedWithTheNamedLocalModel() throws IOException {
        Path f = dir.resolve("prompts.tsv");
        Files.writeString(f, String.join("\n", "prompt\tcached_prompt\taccepted",
                "Which city is France's capital?\tWhat is the capital of France?\tyes",
                "How can I reverse a Python list?\tHow do I reverse a list in Python?\tyes",
                "What is the capital of Germany?\tWhat is the capital of France?\tno",
                "How do I bake sourdough bread?\tWhat is the capital of France?\tno") + "\n");
        Run r = run(f.toString(), "--target-precision", "1", "--bootstrap", "0", "--model", "bge-small-en-v1.5-q");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("embedding 4 prompt pairs with bge-small-en-v1.5-q")
                .contains("pairs: 4, matching: 2")
                .containsPattern("precision >= 1.000: threshold 0\\.0\\d+  precision 1.000  recall 1.000");
        assertThat(run(f.toString(), "--model", "word2vec").err()).contains("unknown local model 'word2vec'");
    }

    @Test
    void anUnreachableTargetIsSaidPlainly() throws IOException {
        Path f = dir.resolve("neg.tsv");
        Files.writeString(f, "0.01\tfalse\n0.02\ttrue\n");
        Run r = run(f.toString(), "--target-precision", "0.9", "--bootstrap", "0");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("precision >= 0.900: no threshold reaches this precision");
    }

    @Test
    void labelsAreReadLeniently() {
        assertThat(CalibrationCommand.parseLabel("Accepted")).isTrue();
        assertThat(CalibrationCommand.parseLabel("0")).isFalse();
        assertThat(CalibrationCommand.parseLabel("reject")).isFalse();
        assertThat(CalibrationCommand.parseLabel("label")).isNull();
    }
}
