package com.betterdb.semanticcache.embed.http;

import com.betterdb.semanticcache.embed.BatchEmbedFn;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.embed.EmbedPurpose;
import com.betterdb.semanticcache.embed.ProviderBuilder;
import com.betterdb.semanticcache.embed.RetryPolicy;
import com.betterdb.semanticcache.embed.support.Batches;
import com.betterdb.semanticcache.embed.support.RetryLoop;
import com.betterdb.semanticcache.embed.support.Vectors;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An embedding provider reached over HTTP with the JDK HttpClient. Both an {@link EmbedFn} and a
 * {@link BatchEmbedFn}: a batch larger than the provider's limit ({@link #maxBatchSize()}) is split into several
 * requests (at most {@code concurrency} in flight) and the vectors come back in input order; a single text is a
 * batch of one. Every request has a timeout and is retried under the {@link RetryPolicy}; a failure surfaces as an
 * {@code EmbeddingError} with the provider's name, the HTTP status and the provider's message, never the API key or
 * the texts. Nothing is sent until a text is embedded.
 *
 * <p>Without a purpose ({@link #embed(String)}, {@link #embedAll(List)}) texts are embedded as
 * {@link EmbedPurpose#QUERY}.
 */
public abstract class HttpEmbeddings implements EmbedFn, BatchEmbedFn {

    final String model;
    final String apiKey;
    final int dimensions;
    final URI endpoint;
    final PurposeMap purposes;
    final JsonHttp http;
    private final int maxBatchSize;
    private final int concurrency;

    /** @param endpoint where requests go; {@code purposes} come from the builder (null: the model has none) */
    HttpEmbeddings(Builder<?> b, String provider, int maxBatchSize, URI endpoint) {
        this.model = b.model();
        this.apiKey = b.apiKey;
        this.endpoint = endpoint;
        this.purposes = b.purposes;
        this.dimensions = b.dimensions();
        this.maxBatchSize = maxBatchSize;
        this.concurrency = b.concurrency();
        this.http = new JsonHttp(b.httpClient, b.timeout(), new RetryLoop(provider, b.retryPolicy(), b.timeout()));
    }

    @Override
    public final Mono<float[]> embed(String text) {
        return embed(text, EmbedPurpose.QUERY);
    }

    @Override
    public final Mono<float[]> embed(String text, EmbedPurpose purpose) {
        return embedAll(List.of(text), purpose).map(l -> l.get(0));
    }

    @Override
    public final Mono<List<float[]>> embedAll(List<String> texts) {
        return embedAll(texts, EmbedPurpose.QUERY);
    }

    @Override
    public final Mono<List<float[]>> embedAll(List<String> texts, EmbedPurpose purpose) {
        List<String> copy = List.copyOf(texts);
        Objects.requireNonNull(purpose, "purpose");
        return Batches.inChunks(copy, maxBatchSize, concurrency, chunk -> embedChunk(chunk, purpose));
    }

    /** One request for at most {@link #maxBatchSize()} texts. */
    abstract Mono<List<float[]>> embedChunk(List<String> texts, EmbedPurpose purpose);

    /** The vectors of one reply, checked for a common length and the requested dimensions. */
    final List<float[]> checked(List<float[]> vectors) {
        return Vectors.sameLength(vectors, dimensions);
    }

    public final String model() {
        return model;
    }

    /** Texts per request; larger batches are split. */
    public final int maxBatchSize() {
        return maxBatchSize;
    }

    /** A request body that starts with the model and the texts under {@code textsField}. */
    final Map<String, Object> body(String textsField, List<String> texts) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put(textsField, texts);
        return body;
    }

    static URI endpoint(String baseUrl, String path) {
        return URI.create(JsonHttp.stripSlash(baseUrl) + path);
    }

    static Mono<Map<String, String>> bearer(String key) {
        return Mono.just(key == null ? Map.of() : Map.of("Authorization", "Bearer " + key));
    }

    /** Settings of the HTTP providers: those of every provider, plus where and how to reach it. */
    public abstract static class Builder<B extends Builder<B>> extends ProviderBuilder<B> {
        String baseUrl;
        String apiKey;
        HttpClient httpClient;
        PurposeMap purposes;

        Builder(String defaultModel, String defaultBaseUrl, PurposeMap purposes) {
            super(defaultModel);
            this.baseUrl = defaultBaseUrl;
            this.purposes = purposes;
        }

        /** Where the API is, for a proxy, a compatible server or a test. */
        public B baseUrl(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return self();
        }

        /** The API key; when not set, the provider's environment variable. */
        public B apiKey(String apiKey) {
            this.apiKey = apiKey;
            return self();
        }

        /** The client to send with (its own connect timeout, proxy and TLS settings); a new one by default. */
        public B httpClient(HttpClient httpClient) {
            this.httpClient = httpClient;
            return self();
        }

        /** The key given, else the first environment variable set; fails naming them when none is. */
        void requireApiKey(String provider, String... envVars) {
            for (int i = 0; (apiKey == null || apiKey.isBlank()) && i < envVars.length; i++) {
                apiKey = System.getenv(envVars[i]);
            }
            if (apiKey == null || apiKey.isBlank()) {
                throw new IllegalStateException(provider + " API key missing: set " + String.join(" or ", envVars)
                        + " or call apiKey(...)");
            }
        }
    }
}
