package com.betterdb.semanticcache.embed;

import com.betterdb.semanticcache.EmbeddingError;
import com.betterdb.semanticcache.embed.LoopbackServer.Reply;
import com.betterdb.semanticcache.embed.bedrock.BedrockEmbeddings;
import com.betterdb.semanticcache.embed.http.CohereEmbeddings;
import com.betterdb.semanticcache.embed.http.GoogleEmbeddings;
import com.betterdb.semanticcache.embed.http.HttpEmbeddings;
import com.betterdb.semanticcache.embed.http.OllamaEmbeddings;
import com.betterdb.semanticcache.embed.http.OpenAiEmbeddings;
import com.betterdb.semanticcache.embed.http.VoyageEmbeddings;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Options of single providers: requested dimensions, purpose words, batch limits, keys, reply variants. */
class ProviderOptionsTest {

    private static final String KEY = "test-key-0123456789";
    private LoopbackServer server;

    @BeforeEach
    void start() throws IOException {
        server = new LoopbackServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private JsonNode lastBody() {
        return server.requests().get(server.requests().size() - 1).json();
    }

    @Test
    void dimensionsAreRequestedInEachProvidersOwnFieldAndEveryReplyIsChecked() {
        String base = server.baseUrl();
        String openAi = "{\"data\":[{\"index\":0,\"embedding\":[0.1,0.2,0.3]}]}";
        String ollama = "{\"embeddings\":[[0.1,0.2,0.3]]}";
        String cohere = "{\"embeddings\":{\"float\":[[0.1,0.2,0.3]]}}";
        String gemini = "{\"embeddings\":[{\"values\":[0.1,0.2,0.3]}]}";
        String vertex = "{\"predictions\":[{\"embeddings\":{\"values\":[0.1,0.2,0.3]}}]}";
        record Case(Supplier<HttpEmbeddings> embedder, String reply, String field) {
        }
        List<Case> cases = List.of(
                new Case(() -> OpenAiEmbeddings.builder().baseUrl(base).apiKey(KEY).dimensions(2).build(), openAi,
                        "/dimensions"),
                new Case(() -> VoyageEmbeddings.builder().baseUrl(base).apiKey(KEY).dimensions(2).build(), openAi,
                        "/output_dimension"),
                new Case(() -> CohereEmbeddings.builder().baseUrl(base).apiKey(KEY).dimensions(2).build(), cohere,
                        "/output_dimension"),
                new Case(() -> OllamaEmbeddings.builder().baseUrl(base).dimensions(2).build(), ollama, "/dimensions"),
                new Case(() -> GoogleEmbeddings.builder().baseUrl(base).apiKey(KEY).dimensions(2).build(), gemini,
                        "/requests/0/outputDimensionality"),
                new Case(() -> GoogleEmbeddings.builder().vertex("p", "europe-west4").baseUrl(base).apiKey(KEY)
                        .model("text-embedding-005").dimensions(2).build(), vertex, "/parameters/outputDimensionality"));
        for (Case c : cases) {
            server.handler(r -> Reply.ok(c.reply()));
            HttpEmbeddings e = c.embedder().get();
            EmbeddingError err = catchThrowableOfType(EmbeddingError.class, () -> e.embed("hello there").block());
            assertThat(lastBody().at(c.field()).asInt()).as(c.field()).isEqualTo(2);
            assertThat(err.getMessage()).as(c.field()).contains("HTTP 200: reply has 3-dimensional vectors, 2 requested");
            assertThat(err.retryable()).isFalse();
        }
    }

    @Test
    void purposeWordsCanBeChangedOrLeftOut() {
        server.handler(r -> Reply.ok(r.path().endsWith("/embed")
                ? "{\"embeddings\":{\"float\":[[1,0]]}}"
                : r.path().endsWith(":batchEmbedContents") ? "{\"embeddings\":[{\"values\":[1,0]}]}"
                : "{\"data\":[{\"index\":0,\"embedding\":[1,0]}]}"));
        CohereEmbeddings.builder().baseUrl(server.baseUrl()).apiKey(KEY).queryInputType("classification").build()
                .embed("hello there", EmbedPurpose.QUERY).block();
        assertThat(lastBody().get("input_type").asText()).isEqualTo("classification");
        VoyageEmbeddings.builder().baseUrl(server.baseUrl()).apiKey(KEY).documentInputType(null).build()
                .embed("hello there", EmbedPurpose.DOCUMENT).block();
        assertThat(lastBody().has("input_type")).isFalse();
        GoogleEmbeddings.builder().baseUrl(server.baseUrl()).apiKey(KEY).model("models/text-embedding-004")
                .queryTaskType("SEMANTIC_SIMILARITY").build().embed("hello there").block();
        assertThat(lastBody().at("/requests/0/taskType").asText()).isEqualTo("SEMANTIC_SIMILARITY");
        assertThat(lastBody().at("/requests/0/model").asText()).isEqualTo("models/text-embedding-004");
        assertThat(server.requests().get(2).path()).isEqualTo("/models/text-embedding-004:batchEmbedContents");
    }

    @Test
    void batchLimitsFollowTheProviderAndTheModel() {
        assertThat(OpenAiEmbeddings.builder().apiKey(KEY).build().maxBatchSize()).isEqualTo(2048);
        assertThat(VoyageEmbeddings.builder().apiKey(KEY).build().maxBatchSize()).isEqualTo(1000);
        assertThat(CohereEmbeddings.builder().apiKey(KEY).build().maxBatchSize()).isEqualTo(96);
        assertThat(OllamaEmbeddings.builder().build().maxBatchSize()).isEqualTo(512);
        assertThat(GoogleEmbeddings.builder().apiKey(KEY).build().maxBatchSize()).isEqualTo(100);
        assertThat(GoogleEmbeddings.builder().vertex("p", "us-central1").accessToken("t").build().maxBatchSize())
                .as("gemini-embedding-001 on Vertex takes one instance per request").isEqualTo(1);
        assertThat(GoogleEmbeddings.builder().vertex("p", "us-central1").accessToken("t").model("text-embedding-005")
                .build().maxBatchSize()).isEqualTo(250);
        assertThat(OpenAiEmbeddings.builder().apiKey(KEY).maxBatchSize(10).build().maxBatchSize()).isEqualTo(10);
        assertThatThrownBy(() -> OpenAiEmbeddings.builder().maxBatchSize(0)).isInstanceOf(IllegalArgumentException.class);
        try (BedrockEmbeddings titan = ProviderFixture.Bedrock.builder(server.baseUrl(), BedrockEmbeddings.DEFAULT_MODEL_ID).build();
             BedrockEmbeddings cohere = ProviderFixture.Bedrock.builder(server.baseUrl(), "us.cohere.embed-v4:0").build()) {
            assertThat(titan.maxBatchSize()).isEqualTo(1);
            assertThat(cohere.maxBatchSize()).isEqualTo(96);
        }
        assertThatThrownBy(() -> ProviderFixture.Bedrock.builder(server.baseUrl(), BedrockEmbeddings.DEFAULT_MODEL_ID)
                .maxBatchSize(8).build()).hasMessageContaining("one text per request");
    }

    @Test
    void missingCredentialsNameWhatToSet() {
        for (Map.Entry<String, Supplier<Object>> c : Map.<String, Supplier<Object>>of(
                "OPENAI_API_KEY", () -> OpenAiEmbeddings.builder().build(),
                "VOYAGE_API_KEY", () -> VoyageEmbeddings.builder().build(),
                "COHERE_API_KEY", () -> CohereEmbeddings.builder().build(),
                "GOOGLE_API_KEY", () -> GoogleEmbeddings.builder().build()).entrySet()) {
            if (System.getenv(c.getKey()) == null && System.getenv("GEMINI_API_KEY") == null) {
                assertThatThrownBy(c.getValue()::get).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining(c.getKey());
            } else {
                assertThat(c.getValue().get()).as("key taken from " + c.getKey()).isNotNull();
            }
        }
        assertThatThrownBy(() -> GoogleEmbeddings.builder().vertex("p", "us-central1").build())
                .hasMessageContaining("accessToken");
    }

    @Test
    void bedrockTitanDimensionsAndCohereV4TypedReplies() {
        server.handler(r -> Reply.ok(r.path().contains("titan")
                ? "{\"embedding\":[0.5,0.25],\"inputTextTokenCount\":3}"
                : "{\"id\":\"x\",\"embeddings\":{\"float\":[[1,0],[0,1]]},\"response_type\":\"embeddings_by_type\"}"));
        try (BedrockEmbeddings titan = ProviderFixture.Bedrock.builder(server.baseUrl(), BedrockEmbeddings.DEFAULT_MODEL_ID)
                .dimensions(2).build();
             BedrockEmbeddings cohere = ProviderFixture.Bedrock.builder(server.baseUrl(), "us.cohere.embed-v4:0")
                     .documentInputType("classification").build()) {
            assertThat(titan.embed("hello there").block()).containsExactly(0.5f, 0.25f);
            assertThat(lastBody().toString()).isEqualTo("{\"inputText\":\"hello there\",\"dimensions\":2}");
            List<float[]> two = cohere.embedAll(List.of("a text", "another"), EmbedPurpose.DOCUMENT).block();
            assertThat(two).containsExactly(new float[]{1, 0}, new float[]{0, 1});
            assertThat(lastBody().get("input_type").asText()).isEqualTo("classification");
            assertThat(server.requests().get(1).path()).isEqualTo("/model/us.cohere.embed-v4%3A0/invoke");
        }
    }
}
