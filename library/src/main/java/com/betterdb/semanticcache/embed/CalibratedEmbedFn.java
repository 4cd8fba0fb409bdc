package com.betterdb.semanticcache.embed;

/**
 * An embedder that knows the cosine-distance threshold its model was calibrated for. A {@code SemanticCache} built
 * with no explicit {@code defaultThreshold} adopts {@link #recommendedThreshold()} when its {@code embedFn} is one
 * of these (pass the embedder itself, not a lambda around it).
 */
public interface CalibratedEmbedFn extends EmbedFn {

    /** The default threshold (cosine distance, 0..2) for caches that use this embedder. */
    double recommendedThreshold();

    /** A name of the model, for logs and reports. */
    String modelName();
}
