package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.embed.bedrock.BedrockEmbeddings;
import com.betterdb.semanticcache.embed.http.CohereEmbeddings;
import com.betterdb.semanticcache.embed.http.GoogleEmbeddings;
import com.betterdb.semanticcache.embed.http.OllamaEmbeddings;
import com.betterdb.semanticcache.embed.http.OpenAiEmbeddings;
import com.betterdb.semanticcache.embed.http.VoyageEmbeddings;
import com.betterdb.semanticcache.embed.local.LocalEmbedder;
import com.betterdb.semanticcache.embed.local.LocalModel;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.betterdb.semanticcache.spring.boot.SemanticCacheAutoConfigurationTest.P;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Each embedding provider from properties (built, not called, unless a loopback server answers for it). */
class EmbeddingProviderSelectionTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SemanticCacheAutoConfiguration.class))
            .withPropertyValues(P + "store=in-memory", P + "startup.mode=manual");

    private static EmbedFn embedder(org.springframework.context.ApplicationContext context) {
        return context.getBean(SemanticCache.class).options().embedFn();
    }

    @Test
    void openai() {
        runner.withPropertyValues(P + "embedding.provider=openai", P + "embedding.api-key=sk-test",
                P + "embedding.model=text-embedding-3-large", P + "embedding.max-batch-size=100").run(context -> {
                    OpenAiEmbeddings e = (OpenAiEmbeddings) embedder(context);
                    assertThat(e.model()).isEqualTo("text-embedding-3-large");
                    assertThat(e.maxBatchSize()).isEqualTo(100);
                    assertThat(context.getBean(SemanticCache.class).options().batchEmbedFn()).isSameAs(e);
                });
    }

    @Test
    void ollamaNeedsNoKey() {
        runner.withPropertyValues(P + "embedding.provider=ollama", P + "embedding.base-url=http://127.0.0.1:11434")
                .run(context -> assertThat(((OllamaEmbeddings) embedder(context)).model())
                        .isEqualTo(OllamaEmbeddings.DEFAULT_MODEL));
    }

    @Test
    void voyageCohereAndGoogle() {
        runner.withPropertyValues(P + "embedding.provider=voyage", P + "embedding.api-key=k")
                .run(context -> assertThat(embedder(context)).isInstanceOf(VoyageEmbeddings.class));
        runner.withPropertyValues(P + "embedding.provider=cohere", P + "embedding.api-key=k",
                        P + "embedding.query-input-type=classification")
                .run(context -> assertThat(((CohereEmbeddings) embedder(context)).maxBatchSize())
                        .isEqualTo(CohereEmbeddings.MAX_BATCH_SIZE));
        runner.withPropertyValues(P + "embedding.provider=google", P + "embedding.api-key=k",
                        P + "embedding.dimensions=768")
                .run(context -> assertThat(((GoogleEmbeddings) embedder(context)).maxBatchSize())
                        .isEqualTo(GoogleEmbeddings.MAX_BATCH_SIZE));
    }

    @Test
    void googleOnVertexAi() {
        // Vertex AI takes one text per request for gemini-embedding-* models: shows the Vertex settings were applied.
        runner.withPropertyValues(P + "embedding.provider=google", P + "embedding.google.project=proj",
                        P + "embedding.google.location=us-central1", P + "embedding.google.access-token=tok")
                .run(context -> assertThat(((GoogleEmbeddings) embedder(context)).maxBatchSize()).isEqualTo(1));
    }

    @Test
    void bedrockWithStaticCredentials() {
        runner.withPropertyValues(P + "embedding.provider=bedrock", P + "embedding.bedrock.region=eu-west-1",
                        P + "embedding.bedrock.access-key-id=AKIDEXAMPLE", P + "embedding.bedrock.secret-access-key=s",
                        P + "embedding.model=cohere.embed-english-v3")
                .run(context -> {
                    BedrockEmbeddings e = (BedrockEmbeddings) embedder(context);
                    assertThat(e.modelId()).isEqualTo("cohere.embed-english-v3");
                    assertThat(e.maxBatchSize()).isEqualTo(BedrockEmbeddings.COHERE_MAX_BATCH_SIZE);
                });
    }

    @Test
    void bedrockWithoutTheAwsSdkSaysWhatToAdd() {
        runner.withClassLoader(new FilteredClassLoader("software.amazon.awssdk"))
                .withPropertyValues(P + "embedding.provider=bedrock")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("add software.amazon.awssdk:bedrockruntime"));
    }

    @Test
    void localAdoptsTheModelsCalibratedThreshold() {
        runner.withPropertyValues(P + "embedding.provider=local", P + "embedding.model=bge-small-en-v1.5-q",
                P + "embedding.local.threads=1").run(context -> {
                    LocalEmbedder e = (LocalEmbedder) embedder(context);
                    assertThat(e.model()).isEqualTo(LocalModel.BGE_SMALL_EN_V15_Q);
                    assertThat(e.threads()).isEqualTo(1);
                    assertThat(context.getBean(SemanticCache.class).options().defaultThreshold())
                            .isEqualTo(LocalModel.BGE_SMALL_EN_V15_Q.recommendedThreshold());
                });
    }

    @Test
    void localWithoutItsModelArtifactSaysWhatToAdd() {
        runner.withPropertyValues(P + "embedding.provider=local", P + "embedding.model=all-minilm-l6-v2-q")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining(LocalModel.ALL_MINILM_L6_V2_Q.mavenCoordinates()));
    }

    @Test
    void aMissingApiKeyNamesTheProperty() {
        assumeTrue(System.getenv("OPENAI_API_KEY") == null, "OPENAI_API_KEY is set in this environment");
        runner.withPropertyValues(P + "embedding.provider=openai").run(context -> assertThat(context).hasFailed()
                .getFailure().hasStackTraceContaining("Cannot build the openai embedder from " + P + "embedding.*:"
                        + " OpenAI API key missing: set OPENAI_API_KEY or call apiKey(...) (or set " + P
                        + "embedding.api-key)"));
    }

    /** The properties reach the provider's requests: a loopback server plays OpenAI. */
    @Test
    void openaiFromPropertiesEmbedsThroughItsBaseUrl() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> requests = new CopyOnWriteArrayList<>();
        List<String> keys = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/embeddings", exchange -> {
            JsonNode body = json.readTree(exchange.getRequestBody());
            requests.add(body);
            keys.add(exchange.getRequestHeaders().getFirst("Authorization"));
            List<Map<String, Object>> data = new ArrayList<>();
            for (int i = 0; i < body.get("input").size(); i++) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("index", i);
                item.put("embedding", TestEmbedder.embed(body.get("input").get(i).asText(), 8));
                data.add(item);
            }
            byte[] reply = json.writeValueAsBytes(Map.of("data", data));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.start();
        try {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(SemanticCacheAutoConfiguration.class))
                    .withPropertyValues(P + "store=in-memory", P + "embedding.provider=openai",
                            P + "embedding.api-key=sk-from-properties", P + "embedding.dimensions=8",
                            P + "embedding.model=my-embedder",
                            P + "embedding.base-url=http://127.0.0.1:" + server.getAddress().getPort() + "/v1")
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        SemanticCache cache = context.getBean(SemanticCache.class);
                        cache.store("What is the capital of France?", "Paris").block(Duration.ofSeconds(10));
                        CacheResult r = cache.check("What is the capital of France?").block(Duration.ofSeconds(10));
                        assertThat(r.hit()).isTrue();
                        assertThat(requests).isNotEmpty().allSatisfy(body -> {
                            assertThat(body.get("model").asText()).isEqualTo("my-embedder");
                            assertThat(body.get("dimensions").asInt()).isEqualTo(8);
                        });
                        assertThat(keys).containsOnly("Bearer sk-from-properties");
                        assertThat(new String(json.writeValueAsBytes(requests), StandardCharsets.UTF_8))
                                .contains("What is the capital of France?");
                    });
        } finally {
            server.stop(0);
        }
    }
}
