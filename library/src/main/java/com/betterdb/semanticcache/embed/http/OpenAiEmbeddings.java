package com.betterdb.semanticcache.embed.http;

import com.betterdb.semanticcache.embed.EmbedPurpose;
import com.betterdb.semanticcache.embed.support.MalformedReply;
import com.betterdb.semanticcache.embed.support.Vectors;
import com.fasterxml.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * OpenAI embeddings ({@code POST {baseUrl}/embeddings}), also usable with OpenAI-compatible servers. Default model
 * {@code text-embedding-3-small} (1536 dimensions; {@code dimensions(n)} asks for fewer), key from
 * {@code OPENAI_API_KEY} unless given, up to 2048 texts per request. The purpose is ignored: OpenAI models embed
 * queries and documents alike.
 */
public final class OpenAiEmbeddings extends HttpEmbeddings {

    public static final String DEFAULT_MODEL = "text-embedding-3-small";
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";
    /** Inputs per request the API accepts. */
    public static final int MAX_BATCH_SIZE = 2048;
    static final String PROVIDER = "OpenAI";

    private OpenAiEmbeddings(Builder b) {
        super(b, PROVIDER, b.maxBatchSizeOr(MAX_BATCH_SIZE), endpoint(b.baseUrl, "/embeddings"));
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
        return http.post(endpoint, bearer(apiKey), body, texts, json -> checked(readData(json, texts.size())));
    }

    /** The OpenAI reply shape, shared by Voyage: {@code data[].embedding}, placed by {@code data[].index}. */
    static List<float[]> readData(JsonNode json, int expected) {
        JsonNode data = Vectors.array(json.get("data"), expected, "data");
        float[][] out = new float[expected][];
        for (int i = 0; i < data.size(); i++) {
            JsonNode item = data.get(i);
            int index = item.path("index").asInt(i);
            if (index < 0 || index >= expected || out[index] != null) {
                throw new MalformedReply("reply has embedding index " + index + " for " + expected + " inputs");
            }
            out[index] = Vectors.of(item.get("embedding"));
        }
        return Arrays.asList(out);
    }

    public static final class Builder extends HttpEmbeddings.Builder<Builder> {
        private Builder() {
            super(DEFAULT_MODEL, DEFAULT_BASE_URL, null);
        }

        /** @throws IllegalStateException when no API key was given and {@code OPENAI_API_KEY} is not set */
        public OpenAiEmbeddings build() {
            requireApiKey(PROVIDER, "OPENAI_API_KEY");
            return new OpenAiEmbeddings(this);
        }
    }
}
