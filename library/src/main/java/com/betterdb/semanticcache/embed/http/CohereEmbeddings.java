package com.betterdb.semanticcache.embed.http;

import com.betterdb.semanticcache.embed.EmbedPurpose;
import com.betterdb.semanticcache.embed.support.Vectors;
import com.fasterxml.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Cohere embeddings, API v2 ({@code POST {baseUrl}/embed}, float vectors). Default model {@code embed-english-v3.0}
 * (1024 dimensions), key from {@code COHERE_API_KEY} unless given, up to 96 texts per request. The purpose sets
 * {@code input_type}: {@code search_query} for lookups, {@code search_document} for stored prompts (either can be
 * changed, e.g. to {@code classification}). {@code dimensions(n)} is sent as {@code output_dimension} (embed-v4).
 */
public final class CohereEmbeddings extends HttpEmbeddings {

    public static final String DEFAULT_MODEL = "embed-english-v3.0";
    public static final String DEFAULT_BASE_URL = "https://api.cohere.com/v2";
    /** Texts per request the API accepts. */
    public static final int MAX_BATCH_SIZE = 96;
    static final String PROVIDER = "Cohere";

    private CohereEmbeddings(Builder b) {
        super(b, PROVIDER, b.maxBatchSizeOr(MAX_BATCH_SIZE), endpoint(b.baseUrl, "/embed"));
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    Mono<List<float[]>> embedChunk(List<String> texts, EmbedPurpose purpose) {
        Map<String, Object> body = body("texts", texts);
        body.put("input_type", purposes.get(purpose));
        body.put("embedding_types", List.of("float"));
        if (dimensions > 0) {
            body.put("output_dimension", dimensions);
        }
        return http.post(endpoint, bearer(apiKey), body, texts, json -> checked(read(json, texts.size())));
    }

    /** {@code embeddings.float} (typed reply), or {@code embeddings} as a plain list of vectors (v1 reply). */
    static List<float[]> read(JsonNode json, int expected) {
        JsonNode embeddings = json.get("embeddings");
        JsonNode vectors = embeddings != null && embeddings.isObject() ? embeddings.get("float") : embeddings;
        return Vectors.all(vectors, expected, "embeddings");
    }

    public static final class Builder extends HttpEmbeddings.Builder<Builder> {
        private Builder() {
            super(DEFAULT_MODEL, DEFAULT_BASE_URL, new PurposeMap("search_query", "search_document"));
        }

        /** {@code input_type} of lookups (default {@code search_query}). */
        public Builder queryInputType(String inputType) {
            purposes = purposes.withQuery(Objects.requireNonNull(inputType, "inputType"));
            return this;
        }

        /** {@code input_type} of stored prompts (default {@code search_document}). */
        public Builder documentInputType(String inputType) {
            purposes = purposes.withDocument(Objects.requireNonNull(inputType, "inputType"));
            return this;
        }

        /** @throws IllegalStateException when no API key was given and {@code COHERE_API_KEY} is not set */
        public CohereEmbeddings build() {
            requireApiKey(PROVIDER, "COHERE_API_KEY");
            return new CohereEmbeddings(this);
        }
    }
}
