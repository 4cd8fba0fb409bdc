package com.betterdb.semanticcache.testing.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bit-exactness against fixtures/interop/test-embedder-golden.json (copied into test resources). */
class TestEmbedderTest {

    private static JsonNode golden;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = TestEmbedderTest.class.getResourceAsStream("test-embedder-golden.json")) {
            assertThat(in).as("golden resource").isNotNull();
            golden = new ObjectMapper().readTree(in);
        }
    }

    @Test
    void goldenFileIsForThisEmbedder() {
        assertThat(golden.get("embedder").asText()).isEqualTo(TestEmbedder.NAME);
        assertThat(golden.get("cases")).hasSize(33);
    }

    @TestFactory
    Stream<DynamicTest> everyGoldenVectorIsBitExact() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : golden.get("cases")) {
            int dim = c.get("dim").asInt();
            String text = c.get("text").asText();
            tests.add(DynamicTest.dynamicTest("dim " + dim + " " + text, () -> {
                float[] v = TestEmbedder.embed(text, dim);
                JsonNode expected = c.get("vector");
                assertThat(v).hasSize(expected.size());
                for (int i = 0; i < dim; i++) {
                    float e = (float) expected.get(i).asDouble();
                    assertThat(expected.get(i).asDouble()).as("golden value is a float32").isEqualTo((double) e);
                    assertThat(Float.floatToRawIntBits(v[i])).as("component %d", i)
                            .isEqualTo(Float.floatToRawIntBits(e));
                }
                assertThat(TestEmbedder.float32LeHex(v)).isEqualTo(c.get("float32le_hex").asText());
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> everyGoldenTokenTraceMatches() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : golden.get("cases")) {
            int dim = c.get("dim").asInt();
            String text = c.get("text").asText();
            tests.add(DynamicTest.dynamicTest("dim " + dim + " " + text, () -> {
                List<String> tokens = TestEmbedder.tokens(text);
                JsonNode expected = c.get("tokens");
                assertThat(tokens).hasSize(expected.size());
                for (int i = 0; i < tokens.size(); i++) {
                    JsonNode t = expected.get(i);
                    String token = tokens.get(i);
                    assertThat(token).isEqualTo(t.get("token").asText());
                    assertThat(Integer.toUnsignedLong(TestEmbedder.fnv1a32(token))).isEqualTo(t.get("fnv1a32").asLong());
                    int h = TestEmbedder.hash(token);
                    assertThat(Integer.toUnsignedLong(h)).isEqualTo(t.get("hash").asLong());
                    assertThat(Integer.remainderUnsigned(h, dim)).isEqualTo(t.get("bucket").asInt());
                    assertThat((h >>> 31) == 1 ? -1 : 1).isEqualTo(t.get("sign").asInt());
                }
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> goldenDistances() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode d : golden.get("distances")) {
            int dim = d.get("dim").asInt();
            String a = d.get("a").asText();
            String b = d.get("b").asText();
            tests.add(DynamicTest.dynamicTest("dim " + dim + " " + a + " / " + b, () -> {
                double dist = TestEmbedder.cosineDistance(TestEmbedder.embed(a, dim), TestEmbedder.embed(b, dim));
                assertThat(dist).isCloseTo(d.get("distance_f64").asDouble(), org.assertj.core.data.Offset.offset(1e-12));
            }));
        }
        return tests.stream();
    }

    // test-embedder.md "Check values"
    @Test
    void checkValues() {
        assertThat(TestEmbedder.fnv1a32("a")).isEqualTo(0xe40c292c);
        assertThat(TestEmbedder.fnv1a32("foobar")).isEqualTo(0xbf9cf968);
        assertThat(TestEmbedder.fmix32(1)).isEqualTo(0x514e28b7);
    }

    // test-embedder.md step 2 examples
    @Test
    void tokenizerExamples() {
        assertThat(TestEmbedder.tokens("What's the CAPITAL of France?"))
                .containsExactly("what", "s", "the", "capital", "of", "france");
        assertThat(TestEmbedder.tokens("héllo wörld 123")).containsExactly("h", "llo", "w", "rld", "123");
        // only A..Z are folded: a non-ASCII capital is a separator, not a letter
        assertThat(TestEmbedder.tokens("ÉCOLE")).containsExactly("cole");
        assertThat(TestEmbedder.tokens("")).isEmpty();
    }

    @Test
    void embedFnAdapterEmitsTheSameVector() {
        float[] direct = TestEmbedder.embed("Hello, World!", 8);
        StepVerifier.create(TestEmbedder.embedFn(8).embed("Hello, World!"))
                .assertNext(v -> assertThat(v).containsExactly(direct))
                .verifyComplete();
        assertThat(TestEmbedder.embed("hello", 64)).hasSize(64);
    }

    // test-embedder.md "Parameters": EMBED_DIM, default 8, integer >= 1
    @Test
    void dimensionParameter() {
        assertThat(TestEmbedder.parseDim(null)).isEqualTo(8);
        assertThat(TestEmbedder.parseDim("")).isEqualTo(8);
        assertThat(TestEmbedder.parseDim("64")).isEqualTo(64);
        assertThatThrownBy(() -> TestEmbedder.parseDim("0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TestEmbedder.parseDim("x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TestEmbedder.embed("a", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(TestEmbedder.defaultDim()).isGreaterThanOrEqualTo(1);
    }
}
