package com.betterdb.semanticcache.examples.webflux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Starts the WebFlux example on a free port (in-memory store, local model) and talks HTTP to it. */
class CacheWebAppTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ConfigurableApplicationContext app;
    private static String base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        app = new SpringApplication(CacheWebApp.class).run("--server.port=0", "--server.address=127.0.0.1",
                "--spring.main.banner-mode=off");
        int port = ((WebServerApplicationContext) app).getWebServer().getPort();
        base = "http://127.0.0.1:" + port;
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    private HttpResponse<String> ask(String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/ask"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void missThenParaphraseHitThenStats() throws Exception {
        JsonNode first = JSON.readTree(ask("{\"prompt\":\"What is the capital of France?\"}").body());
        assertThat(first.get("source").asText()).isEqualTo("llm");
        assertThat(first.get("answer").asText()).isEqualTo("A generated answer to: What is the capital of France?");

        JsonNode second = JSON.readTree(ask("{\"prompt\":\"Which city is France's capital?\"}").body());
        assertThat(second.get("source").asText()).isEqualTo("cache");
        assertThat(second.get("answer").asText()).isEqualTo(first.get("answer").asText());
        assertThat(second.get("similarity").asDouble()).isLessThan(0.25);

        JsonNode unrelated = JSON.readTree(ask("{\"prompt\":\"How do I bake sourdough bread?\"}").body());
        assertThat(unrelated.get("source").asText()).isEqualTo("llm");

        JsonNode stats = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(stats.get("hits").asLong()).isEqualTo(1);
        assertThat(stats.get("misses").asLong()).isEqualTo(2);
        assertThat(stats.get("costSavedMicros").asLong()).isGreaterThan(0);
    }

    @Test
    void missingPromptIsABadRequest() throws Exception {
        assertThat(ask("{}").statusCode()).isEqualTo(400);
    }
}
