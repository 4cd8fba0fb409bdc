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
 * OpenAI embeddings ({@code POST {baseUrl}/embeddings}), also usable with OpenAI-compatible servers. Default model
 * {@code text-embedding-3-small} (1536 dimensions), key from {@code OPENAI_API_KEY} unless given. One request per
 * call; {@link #embedAll} sends the whole list as one request. Nothing is sent until the cache embeds a text.
 */
public final class OpenAiEmbeddings extends HttpEmbeddings {

    public static final String DEFAULT_MODEL = "text-embedding-3-small";
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";
    private static final String PROVIDER = "OpenAI";

    private final String model;
    private final URI endpoint;
    private final Map<String, String> headers;
    private final Integer dimensions;
    private final JsonHttp http;

    private OpenAiEmbeddings(Builder b) {
        this.model = b.model;
        this.endpoint = URI.create(JsonHttp.stripSlash(b.baseUrl) + "/embeddings");
        this.headers = Map.of("Authorization", "Bearer " + b.apiKey);
        this.dimensions = b.dimensions;
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
        if (dimensions != null) {
            body.put("dimensions", dimensions);
        }
        return http.post(endpoint, headers, body).map(json -> {
            JsonNode data = JsonHttp.requireArray(json.get("data"), texts.size(), PROVIDER);
            float[][] out = new float[texts.size()][];
            for (int i = 0; i < data.size(); i++) {
                JsonNode item = data.get(i);
                int index = item.path("index").asInt(i);
                if (index < 0 || index >= out.length) {
                    throw new IllegalStateException("OpenAI API returned embedding index " + index);
                }
                out[index] = JsonHttp.vector(item.get("embedding"), PROVIDER);
            }
            return new ArrayList<>(List.of(out));
        });
    }

    public static final class Builder {
        private String model = DEFAULT_MODEL;
        private String baseUrl = DEFAULT_BASE_URL;
        private String apiKey = System.getenv("OPENAI_API_KEY");
        private Integer dimensions;
        private Duration timeout = Duration.ofSeconds(30);
        private HttpClient httpClient;

        private Builder() {
        }

        public Builder model(String model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        public Builder baseUrl(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** Shorter vectors ({@code text-embedding-3-*} only). */
        public Builder dimensions(int dimensions) {
            this.dimensions = dimensions;
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

        /** @throws IllegalStateException when no API key was given and {@code OPENAI_API_KEY} is not set */
        public OpenAiEmbeddings build() {
            if (apiKey == null || apiKey.isBlank()) {
                throw new IllegalStateException("OpenAI API key missing: set OPENAI_API_KEY or call apiKey(...)");
            }
            return new OpenAiEmbeddings(this);
        }
    }
}
