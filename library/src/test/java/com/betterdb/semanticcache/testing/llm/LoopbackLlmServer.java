package com.betterdb.semanticcache.testing.llm;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A loopback HTTP server standing in for an LLM provider in adapter tests: the real SDK is pointed at
 * {@link #baseUrl()}, every request is recorded, and {@link #respond} decides the reply (status + JSON body).
 */
public final class LoopbackLlmServer implements AutoCloseable {

    /** A recorded request. */
    public record Request(String method, String path, Map<String, List<String>> headers, String body) {
    }

    /** A reply: HTTP status and a JSON body. */
    public record Reply(int status, String json) {
        public static Reply ok(String json) {
            return new Reply(200, json);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Function<Request, Reply> responder = r -> new Reply(500, "{\"error\":\"no reply set\"}");

    private LoopbackLlmServer(HttpServer server) {
        this.server = server;
    }

    public static LoopbackLlmServer start() {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LoopbackLlmServer s = new LoopbackLlmServer(http);
        http.createContext("/", ex -> {
            try (ex) {
                Request req = new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                        Map.copyOf(ex.getRequestHeaders()),
                        new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                s.requests.add(req);
                Reply reply = s.responder.apply(req);
                byte[] out = reply.json().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(reply.status(), out.length);
                ex.getResponseBody().write(out);
            }
        });
        http.start();
        return s;
    }

    /** {@code http://127.0.0.1:<port>} (no trailing slash). */
    public String baseUrl() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    public void respond(Function<Request, Reply> responder) {
        this.responder = responder;
    }

    /** Every request gets this reply. */
    public void respond(int status, String json) {
        respond(r -> new Reply(status, json));
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public int requestCount() {
        return requests.size();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
