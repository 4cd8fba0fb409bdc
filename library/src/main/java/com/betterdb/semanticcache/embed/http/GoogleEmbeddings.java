package com.betterdb.semanticcache.embed.http;

import com.betterdb.semanticcache.embed.EmbedPurpose;
import com.betterdb.semanticcache.embed.support.Vectors;
import com.fasterxml.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Google text embeddings, from the Gemini API or from Vertex AI.
 *
 * <p><b>Gemini API</b> (default): {@code POST {baseUrl}/models/{model}:batchEmbedContents} with the key in
 * {@code x-goog-api-key} (from {@code GOOGLE_API_KEY}, else {@code GEMINI_API_KEY}, unless given), up to 100 texts
 * per request.
 *
 * <p><b>Vertex AI</b> ({@code vertex(project, location)}): {@code POST
 * https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:predict}
 * with an OAuth access token ({@code accessToken(...)}, e.g. from {@code gcloud auth print-access-token} or
 * google-auth-library, whose refresh may block: the supplier is called off the event loop for every request), or an
 * API key. Up to 250 texts per request, but one for {@code gemini-embedding-*} models.
 *
 * <p>Default model {@code gemini-embedding-001} (3072 dimensions; {@code dimensions(n)}, e.g. 768, asks for fewer:
 * {@code outputDimensionality}). The reference packages' default {@code text-embedding-004} was retired from the
 * Gemini API in January 2026. The purpose sets the task type: {@code RETRIEVAL_QUERY} for lookups,
 * {@code RETRIEVAL_DOCUMENT} for stored prompts (either can be changed, e.g. to {@code SEMANTIC_SIMILARITY}).
 */
public final class GoogleEmbeddings extends HttpEmbeddings {

    public static final String DEFAULT_MODEL = "gemini-embedding-001";
    public static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta";
    /** Requests per {@code batchEmbedContents} call the Gemini API accepts. */
    public static final int MAX_BATCH_SIZE = 100;
    /** Instances per {@code predict} call Vertex AI accepts for {@code text-embedding-*} models. */
    public static final int VERTEX_MAX_BATCH_SIZE = 250;
    static final String PROVIDER = "Google";

    private final boolean vertex;
    private final Mono<Map<String, String>> headers;

    private GoogleEmbeddings(Builder b, boolean vertex, String base) {
        super(b, PROVIDER, b.maxBatchSizeOr(vertex && b.model().startsWith("gemini-") ? 1
                : vertex ? VERTEX_MAX_BATCH_SIZE : MAX_BATCH_SIZE), endpoint(base, path(b, vertex)));
        this.vertex = vertex;
        if (b.accessToken != null) {
            Supplier<String> token = b.accessToken;
            this.headers = Mono.fromCallable(() -> Map.of("Authorization", "Bearer " + token.get()))
                    .subscribeOn(Schedulers.boundedElastic());
        } else {
            this.headers = Mono.just(Map.of("x-goog-api-key", b.apiKey));
        }
    }

    private static String path(Builder b, boolean vertex) {
        String model = b.model().startsWith("models/") ? b.model().substring("models/".length()) : b.model();
        return vertex ? "/projects/" + b.project + "/locations/" + b.location + "/publishers/google/models/" + model
                + ":predict" : "/models/" + model + ":batchEmbedContents";
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    Mono<List<float[]>> embedChunk(List<String> texts, EmbedPurpose purpose) {
        String taskType = purposes.get(purpose);
        return vertex ? predict(texts, taskType) : batchEmbedContents(texts, taskType);
    }

    private Mono<List<float[]>> batchEmbedContents(List<String> texts, String taskType) {
        String name = model.startsWith("models/") ? model : "models/" + model;
        List<Map<String, Object>> requests = new ArrayList<>(texts.size());
        for (String text : texts) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", name);
            r.put("content", Map.of("parts", List.of(Map.of("text", text))));
            if (taskType != null) {
                r.put("taskType", taskType);
            }
            if (dimensions > 0) {
                r.put("outputDimensionality", dimensions);
            }
            requests.add(r);
        }
        return http.post(endpoint, headers, Map.of("requests", requests), texts, json -> {
            List<float[]> out = new ArrayList<>(texts.size());
            for (JsonNode e : Vectors.array(json.get("embeddings"), texts.size(), "embeddings")) {
                out.add(Vectors.of(e.get("values")));
            }
            return checked(out);
        });
    }

    private Mono<List<float[]>> predict(List<String> texts, String taskType) {
        List<Map<String, Object>> instances = new ArrayList<>(texts.size());
        for (String text : texts) {
            Map<String, Object> i = new LinkedHashMap<>();
            i.put("content", text);
            if (taskType != null) {
                i.put("task_type", taskType);
            }
            instances.add(i);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instances", instances);
        if (dimensions > 0) {
            body.put("parameters", Map.of("outputDimensionality", dimensions));
        }
        return http.post(endpoint, headers, body, texts, json -> {
            List<float[]> out = new ArrayList<>(texts.size());
            for (JsonNode p : Vectors.array(json.get("predictions"), texts.size(), "predictions")) {
                out.add(Vectors.of(p.path("embeddings").get("values")));
            }
            return checked(out);
        });
    }

    public static final class Builder extends HttpEmbeddings.Builder<Builder> {
        private String project;
        private String location;
        private Supplier<String> accessToken;
        private boolean baseUrlSet;

        private Builder() {
            super(DEFAULT_MODEL, DEFAULT_BASE_URL, new PurposeMap("RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT"));
        }

        @Override
        public Builder baseUrl(String baseUrl) {
            baseUrlSet = true;
            return super.baseUrl(baseUrl);
        }

        /** Use Vertex AI in {@code project} and {@code location} (e.g. {@code us-central1}, or {@code global}). */
        public Builder vertex(String project, String location) {
            this.project = Objects.requireNonNull(project, "project");
            this.location = Objects.requireNonNull(location, "location");
            return this;
        }

        /** A fixed Vertex AI access token (tokens expire: prefer the supplier form for long-lived caches). */
        public Builder accessToken(String accessToken) {
            Objects.requireNonNull(accessToken, "accessToken");
            return accessToken(() -> accessToken);
        }

        /** Where to get a Vertex AI access token, asked for every request (off the event loop). */
        public Builder accessToken(Supplier<String> accessToken) {
            this.accessToken = Objects.requireNonNull(accessToken, "accessToken");
            return this;
        }

        /** Task type of lookups (default {@code RETRIEVAL_QUERY}); null sends none. */
        public Builder queryTaskType(String taskType) {
            purposes = purposes.withQuery(taskType);
            return this;
        }

        /** Task type of stored prompts (default {@code RETRIEVAL_DOCUMENT}); null sends none. */
        public Builder documentTaskType(String taskType) {
            purposes = purposes.withDocument(taskType);
            return this;
        }

        /**
         * @throws IllegalStateException for the Gemini API when no key was given and neither {@code GOOGLE_API_KEY}
         *                               nor {@code GEMINI_API_KEY} is set; for Vertex AI when neither an access
         *                               token nor a key was given
         */
        public GoogleEmbeddings build() {
            boolean vertex = project != null;
            if (vertex) {
                if (accessToken == null && (apiKey == null || apiKey.isBlank())) {
                    throw new IllegalStateException("Vertex AI credentials missing: call accessToken(...) or apiKey(...)");
                }
                String base = baseUrlSet ? baseUrl : "global".equals(location)
                        ? "https://aiplatform.googleapis.com/v1"
                        : "https://" + location + "-aiplatform.googleapis.com/v1";
                return new GoogleEmbeddings(this, true, base);
            }
            if (accessToken == null) {
                requireApiKey(PROVIDER, "GOOGLE_API_KEY", "GEMINI_API_KEY");
            }
            return new GoogleEmbeddings(this, false, baseUrl);
        }
    }
}
