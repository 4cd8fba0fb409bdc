package com.betterdb.semanticcache.embed.local;

import dev.langchain4j.model.embedding.onnx.OnnxEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One loaded model: langchain4j's public {@link OnnxEmbeddingModel} built from the model's ONNX and tokenizer files,
 * once per JVM and model, on first use. The files are class-path resources of the model's artifact; the public
 * constructor takes file paths, so resources inside a jar are copied to a private temporary directory, loaded, and
 * deleted again (ONNX Runtime keeps the model in memory).
 *
 * <p>The padded-batch path ({@link BatchEncoder}) is a second ONNX session, created only when a batch of more than
 * one text is embedded with a batch size above 1.
 */
final class OnnxModel {

    /** Guarded by itself: loads happen one at a time. */
    private static final Map<LocalModel, OnnxModel> LOADED = new EnumMap<>(LocalModel.class);
    private static final Map<LocalModel, OnnxModel> READY = new java.util.concurrent.ConcurrentHashMap<>();

    private final LocalModel model;
    private final OnnxEmbeddingModel single;
    private volatile BatchEncoder batch;

    private OnnxModel(LocalModel model, OnnxEmbeddingModel single) {
        this.model = model;
        this.single = single;
    }

    /** The loaded model (blocking on the first call for that model: about 1 s and the model's size in memory). */
    static OnnxModel get(LocalModel model) {
        OnnxModel loaded = READY.get(model);
        if (loaded != null) {
            return loaded; // the hot path: no lock once a model is loaded
        }
        synchronized (LOADED) {
            OnnxModel m = LOADED.get(model);
            if (m == null) {
                m = new OnnxModel(model, load(model));
                LOADED.put(model, m);
                READY.put(model, m);
            }
            return m;
        }
    }

    /** One blocking inference, exactly as langchain4j computes it. Thread-safe. */
    float[] embed(String text) {
        return single.embed(text).content().vector();
    }

    /**
     * Vectors of {@code texts} (in order), the texts padded into tensors of at most {@code batchSize} rows. A text
     * longer than the model's 510 tokens is embedded alone (langchain4j splits and averages it).
     */
    List<float[]> embedBatch(List<String> texts, int batchSize) {
        BatchEncoder b = batch;
        if (b == null) {
            synchronized (this) {
                b = batch;
                if (b == null) {
                    b = new BatchEncoder(model, readResource(model.onnxResource()),
                            readResource(model.tokenizerResource()));
                    batch = b;
                }
            }
        }
        return b.embed(texts, batchSize, this::embed);
    }

    private static OnnxEmbeddingModel load(LocalModel model) {
        Path tempDir = null;
        try {
            ModelFile onnx = materialise(model.onnxResource(), tempDir);
            tempDir = onnx.tempDir();
            ModelFile tokenizer = materialise(model.tokenizerResource(), tempDir);
            tempDir = tokenizer.tempDir();
            PoolingMode pooling = model.pooling() == LocalModel.Pooling.CLS ? PoolingMode.CLS : PoolingMode.MEAN;
            // A direct executor: this class never calls embedAll on it, so no pool is needed.
            return new OnnxEmbeddingModel(onnx.path(), tokenizer.path(), pooling, Runnable::run);
        } catch (IOException e) {
            throw new UncheckedIOException("loading the local model " + model.id() + " failed", e);
        } finally {
            deleteQuietly(tempDir);
        }
    }

    /** A file on disk for a resource; {@code tempDir} is the directory created for copies, or {@code null}. */
    private record ModelFile(Path path, Path tempDir) {
    }

    private static ModelFile materialise(String resource, Path tempDir) throws IOException {
        URL url = resourceUrl(resource);
        if ("file".equals(url.getProtocol())) {
            try {
                return new ModelFile(Path.of(url.toURI()), tempDir);
            } catch (URISyntaxException | IllegalArgumentException e) {
                // fall through to a copy
            }
        }
        Path dir = tempDir != null ? tempDir : Files.createTempDirectory("semantic-cache-onnx-");
        Path target = dir.resolve(resource);
        try (InputStream in = url.openStream()) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return new ModelFile(target, dir);
    }

    static URL resourceUrl(String resource) {
        URL url = OnnxModel.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException("class-path resource " + resource + " not found");
        }
        return url;
    }

    private static byte[] readResource(String resource) {
        try (InputStream in = resourceUrl(resource).openStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource + " failed", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            dir.toFile().deleteOnExit();
        }
    }
}
