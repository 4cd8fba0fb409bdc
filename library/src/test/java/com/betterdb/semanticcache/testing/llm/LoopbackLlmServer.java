package com.betterdb.semanticcache.testing.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A loopback HTTP server standing in for an LLM provider in adapter tests: the real SDK or framework client is
 * pointed at {@link #baseUrl()} (OpenAI clients: {@code baseUrl() + "/v1"}), every request is recorded, and the
 * reply is decided per request.
 *
 * <p>By default it answers {@code POST .../chat/completions} as the OpenAI Chat Completions API does, in its real
 * JSON shapes: a {@code chat.completion} object, or with {@code "stream": true} server-sent events of
 * {@code chat.completion.chunk} objects ending in {@code data: [DONE]} (with a usage chunk when
 * {@code stream_options.include_usage} is set). The text is {@link #reply(String)} (default {@code "Answer 1"},
 * {@code "Answer 2"}, ... per request), the model the one requested unless {@link #answeringModel(String)} says
 * otherwise (OpenAI answers {@code gpt-4o} with a dated snapshot), usage {@value #PROMPT_TOKENS} prompt and
 * {@value #COMPLETION_TOKENS} completion tokens. {@link #respond(Function)} replaces it with any provider's shapes;
 * {@link #failNext(int, String)} makes the next request fail with an OpenAI-shaped error body whatever the responder;
 * {@link #holdReplies()} keeps requests waiting (a provider call in flight).
 * Binds 127.0.0.1 on a free port; {@link #close()} stops it.
 */
public final class LoopbackLlmServer implements AutoCloseable {

    public static final int PROMPT_TOKENS = 25;
    public static final int COMPLETION_TOKENS = 5;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A recorded request. */
    public record Request(String method, String path, Map<String, List<String>> headers, String body) {
        /** The body as JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("request body is not JSON", e);
            }
        }
    }

    /** A reply: HTTP status, content type and body, written (and flushed) part by part. */
    public record Reply(int status, String contentType, List<String> parts) {
        public Reply {
            parts = List.copyOf(parts);
        }

        /** 200 with a JSON body. */
        public static Reply ok(String json) {
            return json(200, json);
        }

        public static Reply json(int status, String json) {
            return new Reply(status, "application/json", List.of(json));
        }

        /** 200 with server-sent events, one {@code data:} line per event, each flushed on its own. */
        public static Reply events(List<String> data) {
            List<String> parts = new ArrayList<>();
            data.forEach(d -> parts.add("data: " + d + "\n\n"));
            return new Reply(200, "text/event-stream", parts);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();
    private final AtomicReference<String> reply = new AtomicReference<>();
    private final AtomicReference<String> answeringModel = new AtomicReference<>();
    private final AtomicReference<String> finishReason = new AtomicReference<>("stop");
    private final AtomicReference<Reply> failNext = new AtomicReference<>();
    private volatile CountDownLatch held;
    private volatile Function<Request, Reply> responder = this::chatCompletions;

    private LoopbackLlmServer(HttpServer server) {
        this.server = server;
    }

    public static LoopbackLlmServer start() {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a loopback port", e);
        }
        LoopbackLlmServer s = new LoopbackLlmServer(http);
        http.createContext("/", s::handle);
        http.setExecutor(s.executor);
        http.start();
        return s;
    }

    /** {@code http://127.0.0.1:<port>} (no trailing slash). */
    public String baseUrl() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    /** Every following request is answered by {@code responder} instead of the Chat Completions default. */
    public void respond(Function<Request, Reply> responder) {
        this.responder = responder;
    }

    /** Every following request gets this status and JSON body. */
    public void respond(int status, String json) {
        respond(r -> Reply.json(status, json));
    }

    /** Every following Chat Completions reply has this text (instead of {@code Answer <n>}). */
    public LoopbackLlmServer reply(String text) {
        reply.set(text);
        return this;
    }

    /** The model the following Chat Completions replies name (default: the requested one). */
    public LoopbackLlmServer answeringModel(String model) {
        answeringModel.set(model);
        return this;
    }

    /** The finish reason of the following Chat Completions replies (default {@code stop}). */
    public LoopbackLlmServer finishReason(String reason) {
        finishReason.set(reason);
        return this;
    }

    /** The next request (only) fails with this HTTP status and an OpenAI error body. */
    public LoopbackLlmServer failNext(int status, String message) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", message);
        e.put("type", "server_error");
        e.putNull("param");
        e.putNull("code");
        failNext.set(Reply.json(status, root.toString()));
        return this;
    }

    /** Following requests are recorded at once but answered only after {@link #releaseReplies()} (30 s at most). */
    public LoopbackLlmServer holdReplies() {
        held = new CountDownLatch(1);
        return this;
    }

    /** Answers the held requests, and the following ones at once. */
    public void releaseReplies() {
        CountDownLatch h = held;
        held = null;
        if (h != null) {
            h.countDown();
        }
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
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Request req = new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                    Map.copyOf(ex.getRequestHeaders()),
                    new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(req);
            counter.incrementAndGet();
            CountDownLatch h = held;
            if (h != null) {
                try {
                    h.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Reply failure = failNext.getAndSet(null);
            Reply r = failure != null ? failure : responder.apply(req);
            ex.getResponseHeaders().set("Content-Type", r.contentType());
            boolean streamed = r.contentType().startsWith("text/event-stream");
            if (streamed) {
                ex.getResponseHeaders().set("Cache-Control", "no-cache");
                ex.sendResponseHeaders(r.status(), 0);
            } else {
                ex.sendResponseHeaders(r.status(), r.parts().stream()
                        .mapToLong(p -> p.getBytes(StandardCharsets.UTF_8).length).sum());
            }
            OutputStream out = ex.getResponseBody();
            for (String part : r.parts()) {
                out.write(part.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
    }

    // ------------------------------------------------------------------------------ OpenAI Chat Completions

    private Reply chatCompletions(Request req) {
        if (!"POST".equals(req.method()) || !req.path().endsWith("/chat/completions")) {
            return Reply.json(404, "{\"error\":{\"message\":\"Unknown path " + req.path()
                    + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
        }
        JsonNode body = req.json();
        int n = counter.get();
        String model = answeringModel.get() != null ? answeringModel.get() : body.path("model").asText("gpt-4o");
        String text = reply.get() != null ? reply.get() : "Answer " + n;
        String id = "chatcmpl-test" + n;
        if (body.path("stream").asBoolean(false)) {
            return Reply.events(chunks(id, model, text,
                    body.path("stream_options").path("include_usage").asBoolean(false)));
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id);
        root.put("object", "chat.completion");
        root.put("created", 1_787_342_597L);
        root.put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", text);
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason.get());
        root.set("usage", usage());
        root.put("system_fingerprint", "fp_test");
        return Reply.ok(root.toString());
    }

    private List<String> chunks(String id, String model, String text, boolean includeUsage) {
        List<String> events = new ArrayList<>();
        List<String> deltas = new ArrayList<>();
        deltas.add(null); // the role-only first chunk
        deltas.addAll(List.of(text.split("(?<= )")));
        for (String delta : deltas) {
            ObjectNode chunk = chunk(id, model);
            ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject();
            choice.put("index", 0);
            ObjectNode d = choice.putObject("delta");
            if (delta == null) {
                d.put("role", "assistant");
                d.put("content", "");
            } else {
                d.put("content", delta);
            }
            choice.putNull("logprobs");
            choice.putNull("finish_reason");
            events.add(chunk.toString());
        }
        ObjectNode last = chunk(id, model);
        ObjectNode choice = ((ArrayNode) last.get("choices")).addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason.get());
        events.add(last.toString());
        if (includeUsage) {
            ObjectNode usage = chunk(id, model);
            usage.set("usage", usage());
            events.add(usage.toString());
        }
        events.add("[DONE]");
        return events;
    }

    private static ObjectNode chunk(String id, String model) {
        ObjectNode c = JSON.createObjectNode();
        c.put("id", id);
        c.put("object", "chat.completion.chunk");
        c.put("created", 1_787_342_597L);
        c.put("model", model);
        c.put("system_fingerprint", "fp_test");
        c.putArray("choices");
        return c;
    }

    private static ObjectNode usage() {
        ObjectNode u = JSON.createObjectNode();
        u.put("prompt_tokens", PROMPT_TOKENS);
        u.put("completion_tokens", COMPLETION_TOKENS);
        u.put("total_tokens", PROMPT_TOKENS + COMPLETION_TOKENS);
        return u;
    }
}
