package com.betterdb.semanticcache.embed.http;

import com.betterdb.semanticcache.embed.EmbedPurpose;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;

/**
 * Voyage AI embeddings ({@code POST {baseUrl}/embeddings}). Default model {@code voyage-3-lite} (512 dimensions), key
 * from {@code VOYAGE_API_KEY} unless given, up to 1000 texts per request. The purpose sets {@code input_type}:
 * {@code query} for lookups, {@code document} for stored prompts (either can be changed, or set to null to send
 * none). {@code dimensions(n)} is sent as {@code output_dimension} (models that support it).
 */
public final class VoyageEmbeddings extends HttpEmbeddings {

    public static final String DEFAULT_MODEL = "voyage-3-lite";
    public static final String DEFAULT_BASE_URL = "https://api.voyageai.com/v1";
    /** Texts per request the API accepts. */
    public static final int MAX_BATCH_SIZE = 1000;
    static final String PROVIDER = "Voyage";

    private VoyageEmbeddings(Builder b) {
        super(b, PROVIDER, b.maxBatchSizeOr(MAX_BATCH_SIZE), endpoint(b.baseUrl, "/embeddings"));
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    Mono<List<float[]>> embedChunk(List<String> texts, EmbedPurpose purpose) {
        Map<String, Object> body = body("input", texts);
        String inputType = purposes.get(purpose);
        if (inputType != null) {
            body.put("input_type", inputType);
        }
        if (dimensions > 0) {
            body.put("output_dimension", dimensions);
        }
        return http.post(endpoint, bearer(apiKey), body, texts,
                json -> checked(OpenAiEmbeddings.readData(json, texts.size())));
    }

    public static final class Builder extends HttpEmbeddings.Builder<Builder> {
        private Builder() {
            super(DEFAULT_MODEL, DEFAULT_BASE_URL, new PurposeMap("query", "document"));
        }

        /** {@code input_type} of lookups (default {@code query}); null sends none. */
        public Builder queryInputType(String inputType) {
            purposes = purposes.withQuery(inputType);
            return this;
        }

        /** {@code input_type} of stored prompts (default {@code document}); null sends none. */
        public Builder documentInputType(String inputType) {
            purposes = purposes.withDocument(inputType);
            return this;
        }

        /** @throws IllegalStateException when no API key was given and {@code VOYAGE_API_KEY} is not set */
        public VoyageEmbeddings build() {
            requireApiKey(PROVIDER, "VOYAGE_API_KEY");
            return new VoyageEmbeddings(this);
        }
    }
}
