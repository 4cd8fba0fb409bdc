package com.betterdb.semanticcache.embed.local;

import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

/**
 * Each local model, loaded through langchain4j's public {@code OnnxEmbeddingModel}, reproduces its published
 * behaviour:
 * <ul>
 *   <li>"hello world": the first five components of the reference vectors in Qdrant fastembed's test suite
 *       ({@code CANONICAL_VECTOR_VALUES}: all-MiniLM-L6-v2 and BAAI/bge-small-en-v1.5, float32 models);</li>
 *   <li>"I love sentence transformers.": components 0, 1, 382, 383 computed by the sentence-transformers Python
 *       library, as published in langchain4j's tests of these artifacts (1% for float32, 18% for int8 there);</li>
 *   <li>"hi" vs "hello": relevance score ((1 + cos) / 2) above langchain4j's published bounds (0.95 for bge, 0.9 for
 *       MiniLM).</li>
 * </ul>
 * The int8 models are quantisations of those float32 models, so their values are compared with looser bounds.
 */
class LocalModelsTest {

    private static final Map<LocalModel, LocalEmbedder> EMBEDDERS = new EnumMap<>(LocalModel.class);

    private static LocalEmbedder embedder(LocalModel m) {
        return EMBEDDERS.computeIfAbsent(m, LocalEmbedder::create);
    }

    @AfterAll
    static void close() {
        EMBEDDERS.values().forEach(LocalEmbedder::close);
    }

    private static float[] embed(LocalModel m, String text) {
        return embedder(m).embed(text).block();
    }

    private static double relevance(LocalModel m, String a, String b) {
        return (2 - TestEmbedder.cosineDistance(embed(m, a), embed(m, b))) / 2;
    }

    static final double[] FASTEMBED_MINILM_HELLO_WORLD = {-0.034478, 0.03102, 0.00673, 0.02611, -0.039362};
    static final double[] FASTEMBED_BGE_SMALL_HELLO_WORLD = {0.01522374, -0.02271799, 0.00860278, -0.07424029,
            0.00386434};
    static final float[] SENTENCE_TRANSFORMERS_MINILM = {-0.0803190097f, -0.0171345081f, 0.0478825271f,
            -0.0561899580f};

    @Test
    void allMiniLmL6V2MatchesSentenceTransformersAndFastembed() {
        float[] hello = embed(LocalModel.ALL_MINILM_L6_V2, "hello world");
        for (int i = 0; i < 5; i++) {
            assertThat((double) hello[i]).as("component %d", i).isCloseTo(FASTEMBED_MINILM_HELLO_WORLD[i], within(1e-5));
        }
        float[] v = embed(LocalModel.ALL_MINILM_L6_V2, "I love sentence transformers.");
        assertThat(v[0]).isCloseTo(SENTENCE_TRANSFORMERS_MINILM[0], withPercentage(1));
        assertThat(v[1]).isCloseTo(SENTENCE_TRANSFORMERS_MINILM[1], withPercentage(1));
        assertThat(v[382]).isCloseTo(SENTENCE_TRANSFORMERS_MINILM[2], withPercentage(1));
        assertThat(v[383]).isCloseTo(SENTENCE_TRANSFORMERS_MINILM[3], withPercentage(1));
        assertThat(relevance(LocalModel.ALL_MINILM_L6_V2, "hi", "hello")).isGreaterThan(0.9);
    }

    @Test
    void allMiniLmL6V2Int8IsCloseToItsFloatModel() {
        float[] v = embed(LocalModel.ALL_MINILM_L6_V2_Q, "I love sentence transformers.");
        assertThat(v[0]).isCloseTo(SENTENCE_TRANSFORMERS_MINILM[0], withPercentage(18));
        assertThat(v[1]).isCloseTo(SENTENCE_TRANSFORMERS_MINILM[1], withPercentage(18));
        assertThat(v[382]).isCloseTo(SENTENCE_TRANSFORMERS_MINILM[2], withPercentage(18));
        assertThat(v[383]).isCloseTo(SENTENCE_TRANSFORMERS_MINILM[3], withPercentage(18));
        assertThat(relevance(LocalModel.ALL_MINILM_L6_V2_Q, "hi", "hello")).isGreaterThan(0.9);
        // Measured 0.003-0.02 between the int8 and float32 vectors of a sentence; unrelated sentences are ~0.8 apart.
        for (String s : List.of("I love sentence transformers.", "What is the capital of France?", "hello world")) {
            assertThat(TestEmbedder.cosineDistance(embed(LocalModel.ALL_MINILM_L6_V2_Q, s),
                    embed(LocalModel.ALL_MINILM_L6_V2, s))).as(s).isLessThan(0.05);
        }
    }

    @Test
    void bgeSmallEnV15Int8MatchesThePublishedFloatVectorsWithinQuantisation() {
        float[] hello = embed(LocalModel.BGE_SMALL_EN_V15_Q, "hello world");
        // int8 vs the float32 reference: measured differences up to 0.005 per component (components ~0.01-0.07).
        for (int i = 0; i < 5; i++) {
            assertThat((double) hello[i]).as("component %d", i)
                    .isCloseTo(FASTEMBED_BGE_SMALL_HELLO_WORLD[i], within(0.0075));
        }
        assertThat(relevance(LocalModel.BGE_SMALL_EN_V15_Q, "hi", "hello")).isGreaterThan(0.95);
        // CLS pooling, not mean: a mean-pooled bge vector would not match the reference this closely. The models'
        // distances differ, which is why a cache keeps one model.
        double bge = TestEmbedder.cosineDistance(embed(LocalModel.BGE_SMALL_EN_V15_Q, "What is the capital of France?"),
                embed(LocalModel.BGE_SMALL_EN_V15_Q, "Which city is France's capital?"));
        double miniLm = TestEmbedder.cosineDistance(embed(LocalModel.ALL_MINILM_L6_V2, "What is the capital of France?"),
                embed(LocalModel.ALL_MINILM_L6_V2, "Which city is France's capital?"));
        assertThat(bge).isCloseTo(0.0485, within(0.01));
        assertThat(miniLm).isCloseTo(0.0655, within(0.01));
    }

    static List<String> texts() {
        List<String> t = new ArrayList<>(List.of("What is the capital of France?", "hi", "Which city is France's capital?",
                "How do I bake sourdough bread?", "A man is playing a guitar.", "Kafka partitions and consumer groups",
                "x", "The quick brown fox jumps over the lazy dog near the riverbank at dawn."));
        t.add("hello ".repeat(600)); // longer than 510 tokens: embedded alone, split and averaged as langchain4j does
        return t;
    }

    @Test
    void float32BatchesGiveTheSameVectorsAsOneTextPerRun() {
        try (LocalEmbedder batched = LocalEmbedder.builder().model(LocalModel.ALL_MINILM_L6_V2).batchSize(4).build()) {
            assertThat(LocalModel.ALL_MINILM_L6_V2.exactInBatches()).isTrue();
            try (LocalEmbedder byDefault = LocalEmbedder.create(LocalModel.ALL_MINILM_L6_V2)) {
                assertThat(byDefault.batchSize()).isEqualTo(32);
            }
            List<String> texts = texts();
            List<float[]> vectors = batched.embedAll(texts).block();
            assertThat(vectors).hasSize(texts.size());
            for (int i = 0; i < texts.size(); i++) {
                float[] single = embed(LocalModel.ALL_MINILM_L6_V2, texts.get(i));
                assertThat(vectors.get(i)).as("text %d", i).containsExactly(single, within(2e-6f));
            }
        }
    }

    @Test
    void int8BatchesAreCloseButNotExactWhichIsWhyTheyAreOptIn() {
        assertThat(LocalModel.BGE_SMALL_EN_V15_Q.exactInBatches()).isFalse();
        try (LocalEmbedder batched = LocalEmbedder.builder().model(LocalModel.BGE_SMALL_EN_V15_Q).batchSize(8).build()) {
            List<String> texts = texts();
            List<float[]> vectors = batched.embedAll(texts).block();
            double worst = 0;
            for (int i = 0; i < texts.size(); i++) {
                worst = Math.max(worst, TestEmbedder.cosineDistance(vectors.get(i),
                        embed(LocalModel.BGE_SMALL_EN_V15_Q, texts.get(i))));
            }
            // Measured up to ~0.006 (bge) and ~0.011 (MiniLM int8) on STS-B sentences in batches of 16.
            assertThat(worst).isLessThan(0.02);
        }
    }
}
