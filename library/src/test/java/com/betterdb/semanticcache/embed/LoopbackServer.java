package com.betterdb.semanticcache.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/** An HTTP server on 127.0.0.1 that records every request and answers from a handler the test sets. */
final class LoopbackServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A recorded request; header names are lower case. */
    record Request(String method, String path, Map<String, String> headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("request body is not JSON: " + body, e);
            }
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A reply; {@code delayMillis} > 0 holds it back (for timeout tests). */
    record Reply(int status, Map<String, String> headers, String body, long delayMillis) {
        static Reply ok(String body) {
            return new Reply(200, Map.of(), body, 0);
        }

        Reply withHeader(String name, String value) {
            Map<String, String> h = new TreeMap<>(headers);
            h.put(name, value);
            return new Reply(status, h, body, delayMillis);
        }

        Reply delayed(long millis) {
            return new Reply(status, headers, body, millis);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "loopback-http");
        t.setDaemon(true);
        return t;
    });
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Function<Request, Reply> handler = r -> new Reply(500, Map.of(), "no handler", 0);

    LoopbackServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void handler(Function<Request, Reply> handler) {
        this.handler = handler;
    }

    List<Request> requests() {
        return requests;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Map<String, String> headers = new TreeMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), headers, body);
            requests.add(request);
            Reply reply;
            try {
                reply = handler.apply(request);
            } catch (RuntimeException | AssertionError e) {
                reply = new Reply(599, Map.of(), "test handler failed: " + e, 0);
            }
            if (reply.delayMillis() > 0) {
                try {
                    Thread.sleep(reply.delayMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            if (!reply.headers().containsKey("Content-Type")) {
                ex.getResponseHeaders().add("Content-Type", "application/json");
            }
            ex.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
