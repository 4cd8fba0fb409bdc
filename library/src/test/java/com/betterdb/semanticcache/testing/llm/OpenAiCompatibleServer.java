package com.betterdb.semanticcache.testing.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loopback HTTP server that answers {@code POST .../chat/completions} as the OpenAI Chat Completions API does, in
 * its real JSON shapes: a {@code chat.completion} object, or with {@code "stream": true} a server-sent-event stream of
 * {@code chat.completion.chunk} objects ending in {@code data: [DONE]} (with a usage chunk when
 * {@code stream_options.include_usage} is set). Real SDKs (LangChain4j's and Spring AI's OpenAI models, the OpenAI
 * Java SDK) talk to it with their base URL set to {@link #baseUrl()}.
 *
 * <p>Every request body is recorded ({@link #requests()}). The reply text is {@link #reply(String)} (default
 * {@code "Answer 1"}, {@code "Answer 2"}, ... per request); {@link #failNext(int, String)} makes the next request fail
 * with an OpenAI error body. Usage is {@value #PROMPT_TOKENS} prompt and {@value #COMPLETION_TOKENS} completion
 * tokens. Binds 127.0.0.1 on a free port; {@link #close()} stops it.
 */
public final class OpenAiCompatibleServer implements AutoCloseable {

    public static final int PROMPT_TOKENS = 25;
    public static final int COMPLETION_TOKENS = 5;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();
    private final AtomicReference<String> reply = new AtomicReference<>();
    private final AtomicReference<int[]> failStatus = new AtomicReference<>();
    private final AtomicReference<String> failMessage = new AtomicReference<>();
    private final AtomicReference<String> finishReason = new AtomicReference<>("stop");

    public OpenAiCompatibleServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind a loopback port", e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** {@code http://127.0.0.1:<port>/v1}: the base URL an OpenAI client appends {@code /chat/completions} to. */
    public String baseUrl() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort()
                + "/v1";
    }

    /** The chat-completion request bodies received so far, in order. */
    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    public int requestCount() {
        return requests.size();
    }

    /** Every following reply has this text (instead of {@code Answer <n>}). */
    public OpenAiCompatibleServer reply(String text) {
        reply.set(text);
        return this;
    }

    /** The finish reason of the following replies (default {@code stop}). */
    public OpenAiCompatibleServer finishReason(String reason) {
        finishReason.set(reason);
        return this;
    }

    /** The next request (only) fails with this HTTP status and an OpenAI error body. */
    public OpenAiCompatibleServer failNext(int status, String message) {
        failMessage.set(message);
        failStatus.set(new int[]{status});
        return this;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod()) || !ex.getRequestURI().getPath().endsWith("/chat/completions")) {
                send(ex, 404, "application/json", error("Unknown path " + ex.getRequestURI().getPath(), "invalid_request_error"));
                return;
            }
            JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
            requests.add(body);
            int n = counter.incrementAndGet();
            int[] fail = failStatus.getAndSet(null);
            if (fail != null) {
                send(ex, fail[0], "application/json", error(failMessage.get(), "server_error"));
                return;
            }
            String model = body.path("model").asText("gpt-4o");
            String text = reply.get() != null ? reply.get() : "Answer " + n;
            String id = "chatcmpl-test" + n;
            if (body.path("stream").asBoolean(false)) {
                stream(ex, id, model, text, body.path("stream_options").path("include_usage").asBoolean(false));
            } else {
                send(ex, 200, "application/json", completion(id, model, text));
            }
        }
    }

    private String completion(String id, String model, String text) throws IOException {
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
        return JSON.writeValueAsString(root);
    }

    private void stream(HttpExchange ex, String id, String model, String text, boolean includeUsage) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.getResponseHeaders().add("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        List<String> deltas = new ArrayList<>();
        deltas.add(null); // the role-only first chunk
        for (String word : text.split("(?<= )")) {
            deltas.add(word);
        }
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
            event(out, chunk);
        }
        ObjectNode last = chunk(id, model);
        ObjectNode choice = ((ArrayNode) last.get("choices")).addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason.get());
        event(out, last);
        if (includeUsage) {
            ObjectNode usage = chunk(id, model);
            usage.set("usage", usage());
            event(out, usage);
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
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

    private static void event(OutputStream out, JsonNode chunk) throws IOException {
        out.write(("data: " + JSON.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String error(String message, String type) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", message);
        e.put("type", type);
        e.putNull("param");
        e.putNull("code");
        return JSON.writeValueAsString(root);
    }

    private static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
