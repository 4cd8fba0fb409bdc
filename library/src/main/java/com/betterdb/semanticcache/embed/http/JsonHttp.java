package com.betterdb.semanticcache.embed.http;

import com.betterdb.semanticcache.embed.support.AttemptFailure;
import com.betterdb.semanticcache.embed.support.ErrorBodies;
import com.betterdb.semanticcache.embed.support.MalformedReply;
import com.betterdb.semanticcache.embed.support.Redactor;
import com.betterdb.semanticcache.embed.support.RetryAfter;
import com.betterdb.semanticcache.embed.support.RetryLoop;
import com.betterdb.semanticcache.internal.Json;
import com.fasterxml.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * POSTs a JSON body and reads the JSON reply on the JDK HttpClient (non-blocking), under the provider's retry loop:
 * a non-2xx reply becomes an {@link AttemptFailure} with the provider's message and {@code Retry-After}; a 2xx reply
 * that is not JSON, or that {@code read} rejects with {@link MalformedReply}, is a final failure.
 */
final class JsonHttp {

    private final HttpClient client;
    private final Duration timeout;
    private final RetryLoop loop;

    JsonHttp(HttpClient client, Duration timeout, RetryLoop loop) {
        this.client = client != null ? client : HttpClient.newBuilder().connectTimeout(timeout).build();
        this.timeout = timeout;
        this.loop = loop;
    }

    /**
     * @param headers resolved again for every attempt (an access token may be refreshed); their values are secrets
     * @param texts   the embedded texts, kept out of error messages
     */
    <T> Mono<T> post(URI uri, Mono<Map<String, String>> headers, Object body, List<String> texts,
                     Function<JsonNode, T> read) {
        String json = Json.write(body);
        Set<String> secrets = ConcurrentHashMap.newKeySet();
        Redactor redactor = new Redactor(secrets, texts);
        return loop.run(() -> headers.flatMap(h -> {
            secrets.addAll(Redactor.secretsOf(h.values()));
            HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
            h.forEach(b::header);
            return Mono.fromFuture(() -> client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()));
        }).map(r -> read(r, read)), redactor);
    }

    private <T> T read(HttpResponse<String> r, Function<JsonNode, T> read) {
        int status = r.statusCode();
        if (status / 100 != 2) {
            throw AttemptFailure.reply(status, ErrorBodies.message(r.body()),
                    RetryAfter.parse(name -> r.headers().firstValue(name).orElse(null), loop.nowMillis()));
        }
        JsonNode json = Json.tryParse(r.body());
        if (json == null || !json.isObject()) {
            throw AttemptFailure.malformed(status, "reply is not a JSON object");
        }
        try {
            return read.apply(json);
        } catch (MalformedReply e) {
            throw AttemptFailure.malformed(status, e.getMessage());
        }
    }

    static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
