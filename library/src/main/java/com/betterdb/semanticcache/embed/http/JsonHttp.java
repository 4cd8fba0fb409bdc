package com.betterdb.semanticcache.embed.http;

import com.betterdb.semanticcache.internal.Json;
import com.fasterxml.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** POSTs a JSON body and parses the JSON reply, on the JDK HttpClient (non-blocking). */
final class JsonHttp {

    private final HttpClient client;
    private final Duration timeout;
    private final String provider;

    JsonHttp(HttpClient client, Duration timeout, String provider) {
        this.client = client != null ? client : HttpClient.newBuilder().connectTimeout(timeout).build();
        this.timeout = timeout;
        this.provider = provider;
    }

    Mono<JsonNode> post(URI uri, Map<String, String> headers, Object body) {
        return Mono.defer(() -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8));
            headers.forEach(b::header);
            return Mono.fromCompletionStage(client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()));
        }).flatMap(r -> {
            if (r.statusCode() / 100 != 2) {
                // The body of an error reply carries the provider's reason; it never contains the input texts.
                return Mono.error(new IllegalStateException(provider + " API error: " + r.statusCode() + " "
                        + abbreviate(r.body())));
            }
            JsonNode json = Json.tryParse(r.body());
            return json == null ? Mono.error(new IllegalStateException(provider + " API returned a body that is not JSON"))
                    : Mono.just(json);
        });
    }

    /** {@code node} as an array of exactly {@code expected} elements, else a provider error. */
    static JsonNode requireArray(JsonNode node, int expected, String provider) {
        if (node == null || !node.isArray() || node.size() != expected) {
            throw new IllegalStateException(provider + " API returned " + (node == null || !node.isArray() ? 0 : node.size())
                    + " embeddings for " + expected + " inputs");
        }
        return node;
    }

    static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    static float[] vector(JsonNode array, String provider) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new IllegalStateException(provider + " API returned no embedding");
        }
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode n = array.get(i);
            if (!n.isNumber()) {
                throw new IllegalStateException(provider + " API returned a non-numeric embedding component");
            }
            v[i] = (float) n.asDouble();
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }
}
