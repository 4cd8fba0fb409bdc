package com.betterdb.semanticcache.embed.local;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;

/**
 * The only class that touches langchain4j: loaded (and the ~90 MB ONNX model with it) on the first embedding, once
 * per JVM, after {@link LocalEmbedder#create()} has checked that the artifact is on the class path.
 */
final class MiniLmModel {

    private MiniLmModel() {
    }

    /** Initialization-on-demand holder: the JVM guarantees one thread-safe, lazy construction. */
    private static final class Holder {
        static final AllMiniLmL6V2EmbeddingModel MODEL = new AllMiniLmL6V2EmbeddingModel();
    }

    /** One blocking ONNX inference. Thread-safe (ONNX Runtime sessions allow concurrent runs). */
    static float[] embed(String text) {
        return Holder.MODEL.embed(text).content().vector();
    }

    /** Forces the model load (blocking). */
    static void load() {
        Holder.MODEL.getClass();
    }
}
