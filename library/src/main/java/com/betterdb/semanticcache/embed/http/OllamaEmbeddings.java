package com.betterdb.semanticcache.embed.http;

import com.betterdb.semanticcache.embed.EmbedPurpose;
import com.betterdb.semanticcache.embed.support.Vectors;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An Ollama server ({@code POST {baseUrl}/api/embed}). Default model {@code nomic-embed-text} (768 dimensions); base
 * URL from the option, else {@code OLLAMA_HOST}, else {@code http://localhost:11434}; timeout 60 s. No key by default
 * (set {@code apiKey} for a server behind bearer auth). The API has no batch limit; batches are split at 512 texts to
 * bound the request size. The purpose is ignored.
 */
public final class OllamaEmbeddings extends HttpEmbeddings {

    public static final String DEFAULT_MODEL = "nomic-embed-text";
    /** Texts per request by default (the server sets no limit). */
    public static final int MAX_BATCH_SIZE = 512;
    static final String PROVIDER = "Ollama";

    private OllamaEmbeddings(Builder b) {
        super(b, PROVIDER, b.maxBatchSizeOr(MAX_BATCH_SIZE), endpoint(baseUrl(b.baseUrl), "/api/embed"));
    }

    private static String baseUrl(String option) {
        String base = option != null ? option : System.getenv().getOrDefault("OLLAMA_HOST", "http://localhost:11434");
        return base.contains("://") ? base : "http://" + base;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    Mono<List<float[]>> embedChunk(List<String> texts, EmbedPurpose purpose) {
        Map<String, Object> body = body("input", texts);
        if (dimensions > 0) {
            body.put("dimensions", dimensions);
        }
        return http.post(endpoint, bearer(apiKey), body, texts,
                json -> checked(Vectors.all(json.get("embeddings"), texts.size(), "embeddings")));
    }

    public static final class Builder extends HttpEmbeddings.Builder<Builder> {
        private Builder() {
            super(DEFAULT_MODEL, null, null);
            timeout(Duration.ofSeconds(60));
        }

        public OllamaEmbeddings build() {
            return new OllamaEmbeddings(this);
        }
    }
}
