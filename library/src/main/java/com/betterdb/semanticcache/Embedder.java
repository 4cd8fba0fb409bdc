package com.betterdb.semanticcache;

import com.betterdb.semanticcache.embed.BatchEmbedFn;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.embed.EmbedPurpose;
import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.internal.Hashing;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.telemetry.CacheMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Embedding with the Valkey embedding cache in front (docs/decision-rules.md §2). One text or a chunk of texts; a chunk
 * reads the cache with one pipelined round trip and embeds only the misses.
 *
 * <p>Cache writes are sent without waiting for their reply: they go out on the store's connection ahead of the
 * search that follows, so they cost no round trip of their own and are ordered before any later read.
 */
final class Embedder {

    private static final Logger log = LoggerFactory.getLogger(Embedder.class);

    /** A vector and how long the embedding function took (0 when served from the cache). */
    record Embedded(float[] vector, long embedNanos) {
    }

    private final CacheStore store;
    private final EmbedFn embedFn;
    private final BatchEmbedFn batchEmbedFn;
    private final boolean cacheEnabled;
    private final Duration cacheTtl;
    private final CacheMetrics metrics;
    private final java.util.function.IntSupplier expectedDimension;

    Embedder(CacheStore store, EmbedFn embedFn, BatchEmbedFn batchEmbedFn, SemanticCacheOptions.EmbeddingCache cache,
             CacheMetrics metrics, java.util.function.IntSupplier expectedDimension) {
        this.expectedDimension = expectedDimension;
        this.store = store;
        this.embedFn = embedFn;
        this.batchEmbedFn = batchEmbedFn;
        this.cacheEnabled = cache.enabled();
        this.cacheTtl = cache.ttl();
        this.metrics = metrics;
    }

    Mono<Embedded> embed(String text, EmbedPurpose purpose) {
        if (!cacheEnabled || text.isEmpty()) {
            return callEmbedFn(text, purpose);
        }
        String sha = Hashing.sha256Hex(text);
        return store.getEmbeddings(List.of(sha))
                .map(list -> Arrays.asList(decodeOrNull(list.get(0))))
                .onErrorResume(e -> {
                    log.debug("embedding cache read failed, treating as a miss", e);
                    return Mono.just(Arrays.asList((float[]) null));
                })
                .flatMap(found -> {
                    float[] cached = found.get(0);
                    metrics.embeddingCache(cached != null);
                    if (cached != null) {
                        return Mono.just(new Embedded(cached, 0));
                    }
                    return callEmbedFn(text, purpose).doOnNext(e -> writeBack(Map.of(sha, e.vector())));
                });
    }

    /**
     * Embeds a chunk of texts, in order. One cache read for the chunk; misses go to the batch embedder (in slices
     * of {@code batchSize}) or to {@code embedFn} with bounded concurrency. An element whose embedding failed is an
     * {@link EmbeddingError} in its slot (the others are unaffected).
     */
    Mono<List<Object>> embedAll(List<String> texts, int batchSize, int concurrency, EmbedPurpose purpose) {
        int n = texts.size();
        List<String> shas = new ArrayList<>(n);
        for (String t : texts) {
            shas.add(cacheEnabled && !t.isEmpty() ? Hashing.sha256Hex(t) : null);
        }
        List<String> lookups = shas.stream().filter(s -> s != null).toList();
        Mono<List<byte[]>> cachedMono = lookups.isEmpty() ? Mono.just(List.of())
                : store.getEmbeddings(lookups).onErrorResume(e -> {
                    log.debug("embedding cache read failed, treating the chunk as misses", e);
                    return Mono.just(java.util.Collections.nCopies(lookups.size(), null));
                });
        return cachedMono.flatMap(cached -> {
            Object[] out = new Object[n];
            List<Integer> missing = new ArrayList<>();
            int c = 0;
            for (int i = 0; i < n; i++) {
                if (shas.get(i) == null) {
                    missing.add(i);
                    continue;
                }
                float[] v = decodeOrNull(cached.get(c++));
                metrics.embeddingCache(v != null);
                if (v != null) {
                    out[i] = v;
                } else {
                    missing.add(i);
                }
            }
            if (missing.isEmpty()) {
                return Mono.just(Arrays.asList(out));
            }
            Mono<Void> fill = batchEmbedFn != null
                    ? Flux.range(0, (missing.size() + batchSize - 1) / batchSize)
                    .concatMap(s -> {
                        List<Integer> slice = missing.subList(s * batchSize, Math.min(missing.size(), (s + 1) * batchSize));
                        return callBatch(slice.stream().map(texts::get).toList(), purpose)
                                .doOnNext(vs -> {
                                    for (int j = 0; j < slice.size(); j++) {
                                        out[slice.get(j)] = vs.get(j);
                                    }
                                })
                                .onErrorResume(e -> {
                                    for (Integer idx : slice) {
                                        out[idx] = e;
                                    }
                                    return Mono.empty();
                                });
                    }).then()
                    : Flux.fromIterable(missing)
                    .flatMap(idx -> callEmbedFn(texts.get(idx), purpose)
                            .doOnNext(e -> out[idx] = e.vector())
                            .onErrorResume(e -> {
                                out[idx] = e;
                                return Mono.empty();
                            }), concurrency)
                    .then();
            return fill.then(Mono.fromSupplier(() -> {
                Map<String, float[]> writes = new LinkedHashMap<>();
                for (Integer idx : missing) {
                    if (shas.get(idx) != null && out[idx] instanceof float[] v) {
                        writes.put(shas.get(idx), v);
                    }
                }
                writeBack(writes);
                return Arrays.asList(out);
            }));
        });
    }

    private Mono<Embedded> callEmbedFn(String text, EmbedPurpose purpose) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            Mono<float[]> call;
            try {
                call = embedFn.embed(text, purpose);
            } catch (RuntimeException e) {
                return Mono.error(new EmbeddingError(e));
            }
            if (call == null) {
                return Mono.error(new EmbeddingError(new NullPointerException("embedFn returned null")));
            }
            return call
                    .switchIfEmpty(Mono.error(() -> new IllegalStateException("embedFn completed without a vector")))
                    .onErrorMap(e -> !(e instanceof EmbeddingError), EmbeddingError::new)
                    .map(v -> {
                        long took = System.nanoTime() - start;
                        metrics.embedding(took);
                        return new Embedded(v, took);
                    });
        });
    }

    private Mono<List<float[]>> callBatch(List<String> texts, EmbedPurpose purpose) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            Mono<List<float[]>> call;
            try {
                call = batchEmbedFn.embedAll(texts, purpose);
            } catch (RuntimeException e) {
                return Mono.error(new EmbeddingError(e));
            }
            return call
                    .switchIfEmpty(Mono.error(() -> new IllegalStateException("batchEmbedFn completed without vectors")))
                    .flatMap(vs -> vs.size() == texts.size() ? Mono.just(vs)
                            : Mono.error(new IllegalStateException("batchEmbedFn returned " + vs.size()
                            + " vectors for " + texts.size() + " texts")))
                    .onErrorMap(e -> !(e instanceof EmbeddingError), EmbeddingError::new)
                    .doOnNext(vs -> metrics.embedding(System.nanoTime() - start));
        });
    }

    private void writeBack(Map<String, float[]> vectors) {
        if (!cacheEnabled || vectors.isEmpty()) {
            return;
        }
        Map<String, byte[]> bytes = new HashMap<>(vectors.size() * 2);
        vectors.forEach((sha, v) -> bytes.put(sha, Float32.encode(v)));
        store.putEmbeddings(bytes, cacheTtl)
                .subscribe(null, e -> log.debug("embedding cache write failed (ignored)", e));
    }

    /**
     * A corrupt cached value, or one whose length is not the index dimension (once known), is a miss: it is never
     * returned, and the fresh embedding overwrites it.
     */
    private float[] decodeOrNull(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        try {
            float[] v = Float32.decode(bytes);
            int dim = expectedDimension.getAsInt();
            return dim > 0 && v.length != dim ? null : v;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
