package com.betterdb.semanticcache.embed.http;

import com.betterdb.semanticcache.EmbeddingError;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.store.CacheStores;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The HTTP embedders against a loopback server that checks the requests and answers like the providers. */
class HttpEmbeddingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;
    private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
    private final List<String> auth = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> reply = new AtomicReference<>();
    private volatile int status = 200;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            bodies.add(JSON.readTree(ex.getRequestBody()));
            auth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            byte[] out = reply.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void openAiBatchRequestAndIndexOrder() {
        reply.set("{\"data\":[{\"index\":1,\"embedding\":[0.5,0.25]},{\"index\":0,\"embedding\":[1,0]}],\"model\":\"m\"}");
        OpenAiEmbeddings e = OpenAiEmbeddings.builder().baseUrl(base() + "/v1/").apiKey("sk-test").model("m")
                .dimensions(2).build();
        List<float[]> out = e.embedAll(List.of("a", "b")).block();
        assertThat(out.get(0)).containsExactly(1f, 0f);
        assertThat(out.get(1)).containsExactly(0.5f, 0.25f);
        assertThat(bodies.get(0).toString()).isEqualTo("{\"model\":\"m\",\"input\":[\"a\",\"b\"],\"dimensions\":2}");
        assertThat(auth.get(0)).isEqualTo("Bearer sk-test");
    }

    @Test
    void openAiErrorsSurfaceAsEmbeddingErrorsFromTheCache() {
        status = 401;
        reply.set("{\"error\":{\"message\":\"Incorrect API key\"}}");
        OpenAiEmbeddings e = OpenAiEmbeddings.builder().baseUrl(base()).apiKey("bad").build();
        assertThatThrownBy(() -> e.embed("x").block()).hasMessageStartingWith("OpenAI API error: 401");
        SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder().store(CacheStores.inMemory())
                .embedFn(e).discovery(SemanticCacheOptions.Discovery.disabled()).build());
        assertThatThrownBy(() -> cache.initialize().block()).isInstanceOf(EmbeddingError.class)
                .hasMessageContaining("embedFn failed: OpenAI API error: 401");
        assertThatThrownBy(() -> OpenAiEmbeddings.builder().apiKey(" ").build())
                .hasMessageContaining("OPENAI_API_KEY");
    }

    @Test
    void openAiCountMismatchIsAnError() {
        reply.set("{\"data\":[{\"index\":0,\"embedding\":[1,0]}]}");
        OpenAiEmbeddings e = OpenAiEmbeddings.builder().baseUrl(base()).apiKey("k").build();
        assertThatThrownBy(() -> e.embedAll(List.of("a", "b")).block()).hasMessageContaining("1 embeddings for 2");
    }

    @Test
    void ollamaRequestAndReply() {
        reply.set("{\"model\":\"nomic-embed-text\",\"embeddings\":[[0.1,0.2,0.3]]}");
        OllamaEmbeddings e = OllamaEmbeddings.builder().baseUrl(base()).build();
        assertThat(e.embed("hello").block()).containsExactly(0.1f, 0.2f, 0.3f);
        assertThat(bodies.get(0).toString()).isEqualTo("{\"model\":\"nomic-embed-text\",\"input\":[\"hello\"]}");
        status = 500;
        reply.set("model not found");
        assertThatThrownBy(() -> e.embed("x").block()).hasMessage("Ollama API error: 500 model not found");
    }
}
