package com.betterdb.semanticcache.embed.http;

import com.fasterxml.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A local Ollama server ({@code POST {baseUrl}/api/embed}). Default model {@code nomic-embed-text} (768
 * dimensions); base URL from the option, else {@code OLLAMA_HOST}, else {@code http://localhost:11434}.
 */
public final class OllamaEmbeddings extends HttpEmbeddings {

    public static final String DEFAULT_MODEL = "nomic-embed-text";
    private static final String PROVIDER = "Ollama";

    private final String model;
    private final URI endpoint;
    private final JsonHttp http;

    private OllamaEmbeddings(Builder b) {
        this.model = b.model;
        String base = b.baseUrl != null ? b.baseUrl : System.getenv().getOrDefault("OLLAMA_HOST", "http://localhost:11434");
        if (!base.contains("://")) {
            base = "http://" + base;
        }
        this.endpoint = URI.create(JsonHttp.stripSlash(base) + "/api/embed");
        this.http = new JsonHttp(b.httpClient, b.timeout, PROVIDER);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Mono<List<float[]>> embedAll(List<String> texts) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("input", texts);
        return http.post(endpoint, Map.of(), body).map(json -> {
            JsonNode embeddings = JsonHttp.requireArray(json.get("embeddings"), texts.size(), PROVIDER);
            List<float[]> out = new ArrayList<>(texts.size());
            for (JsonNode e : embeddings) {
                out.add(JsonHttp.vector(e, PROVIDER));
            }
            return out;
        });
    }

    public static final class Builder {
        private String model = DEFAULT_MODEL;
        private String baseUrl;
        private Duration timeout = Duration.ofSeconds(60);
        private HttpClient httpClient;

        private Builder() {
        }

        public Builder model(String model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        public Builder baseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = httpClient;
            return this;
        }

        public OllamaEmbeddings build() {
            return new OllamaEmbeddings(this);
        }
    }
}
