package com.betterdb.semanticcache.embed;

import com.betterdb.semanticcache.embed.LoopbackServer.Reply;
import com.betterdb.semanticcache.embed.LoopbackServer.Request;
import com.betterdb.semanticcache.embed.bedrock.BedrockEmbeddings;
import com.betterdb.semanticcache.embed.http.CohereEmbeddings;
import com.betterdb.semanticcache.embed.http.GoogleEmbeddings;
import com.betterdb.semanticcache.embed.http.OllamaEmbeddings;
import com.betterdb.semanticcache.embed.http.OpenAiEmbeddings;
import com.betterdb.semanticcache.embed.http.VoyageEmbeddings;
import com.betterdb.semanticcache.embed.langchain4j.LangChain4jEmbeddings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One provider as the contract test drives it: how to build it against the loopback server, the exact JSON it must
 * send, and the exact JSON (replies and error bodies) the real service answers with.
 */
abstract class ProviderFixture {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The secret of every fixture: an API key, or the AWS secret access key. */
    static final String SECRET = "sk-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0";

    final String name;
    /** What {@code EmbeddingError.provider()} must say. */
    final String provider;
    /** Texts per request when no {@code maxBatchSize} is set. */
    final int batchLimit;

    ProviderFixture(String name, String provider, int batchLimit) {
        this.name = name;
        this.provider = provider;
        this.batchLimit = batchLimit;
    }

    @Override
    public String toString() {
        return name;
    }

    /** The provider pointed at {@code baseUrl}; {@code maxBatchSize} 0 keeps the provider's limit. */
    abstract Object build(String baseUrl, RetryPolicy retry, Duration timeout, int maxBatchSize);

    /** Path and authentication of a request. */
    abstract void checkRequest(Request r);

    /** The exact body for {@code texts} embedded for {@code purpose}. */
    abstract JsonNode expectedBody(List<String> texts, EmbedPurpose purpose);

    /** The texts a request carries. */
    abstract List<String> textsOf(Request r);

    /** The provider's word for the request's purpose, or null when it sends none. */
    String purposeOf(Request r) {
        return null;
    }

    /** The words {@link #purposeOf} yields for QUERY and DOCUMENT, or null when the provider has no purpose. */
    List<String> purposeWords() {
        return null;
    }

    /** The service's success reply carrying {@code vectors}. */
    abstract String okReply(List<float[]> vectors);

    /** The service's error reply of {@code status} whose message is {@code message}. */
    Reply error(int status, String message) {
        return new Reply(status, Map.of(), errorBody(message), 0);
    }

    abstract String errorBody(String message);

    /** The status of a rejected key or a forbidden model. */
    int authErrorStatus() {
        return 401;
    }

    /** Whether the provider's client shows the embedder the reply headers ({@code Retry-After}). */
    boolean seesRetryAfter() {
        return true;
    }

    /** Whether the embedder knows {@link #SECRET} and so can keep it out of messages even when echoed in full. */
    boolean knowsSecret() {
        return true;
    }

    // ---- JSON helpers

    static ArrayNode array(float[] v) {
        ArrayNode a = JSON.createArrayNode();
        for (float f : v) {
            a.add(f);
        }
        return a;
    }

    static ArrayNode strings(List<String> texts) {
        ArrayNode a = JSON.createArrayNode();
        texts.forEach(a::add);
        return a;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static ObjectNode object(Consumer<ObjectNode> fill) {
        ObjectNode o = JSON.createObjectNode();
        fill.accept(o);
        return o;
    }

    static String write(JsonNode node) {
        return node.toString();
    }

    static final List<ProviderFixture> ALL = List.of(
            new OpenAi(), new BedrockTitan(), new BedrockCohere(), new Voyage(), new Cohere(), new Ollama(),
            new Gemini(), new Vertex(), new LangChain4j());

    // ---- OpenAI: POST /v1/embeddings

    static class OpenAi extends ProviderFixture {
        OpenAi() {
            this("OpenAI", "OpenAI", OpenAiEmbeddings.MAX_BATCH_SIZE);
        }

        OpenAi(String name, String provider, int limit) {
            super(name, provider, limit);
        }

        boolean reversed() {
            return true;
        }

        @Override
        Object build(String baseUrl, RetryPolicy retry, Duration timeout, int maxBatchSize) {
            OpenAiEmbeddings.Builder b = OpenAiEmbeddings.builder().baseUrl(baseUrl + "/v1").apiKey(SECRET)
                    .retryPolicy(retry).timeout(timeout);
            return (maxBatchSize > 0 ? b.maxBatchSize(maxBatchSize) : b).build();
        }

        @Override
        void checkRequest(Request r) {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/v1/embeddings");
            assertThat(r.header("Authorization")).isEqualTo("Bearer " + SECRET);
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
        }

        @Override
        JsonNode expectedBody(List<String> texts, EmbedPurpose purpose) {
            return object(o -> o.put("model", "text-embedding-3-small").set("input", strings(texts)));
        }

        @Override
        List<String> textsOf(Request r) {
            return strings(r.json().get("input"));
        }

        @Override
        String okReply(List<float[]> vectors) {
            ArrayNode data = JSON.createArrayNode();
            // The API answers in input order and numbers each vector; our embedder places vectors by that index,
            // which the OpenAI fixture checks by answering in reverse (LangChain4j's model relies on the order).
            for (int k = 0; k < vectors.size(); k++) {
                int index = reversed() ? vectors.size() - 1 - k : k;
                data.add(object(o -> o.put("object", "embedding").put("index", index).set("embedding",
                        array(vectors.get(index)))));
            }
            return write(object(o -> {
                o.put("object", "list");
                o.set("data", data);
                o.put("model", "text-embedding-3-small");
                o.set("usage", object(u -> u.put("prompt_tokens", 8).put("total_tokens", 8)));
            }));
        }

        @Override
        String errorBody(String message) {
            return write(object(o -> o.set("error", object(e -> e.put("message", message)
                    .put("type", "invalid_request_error").putNull("param").put("code", "invalid_api_key")))));
        }
    }

    // ---- LangChain4j's OpenAiEmbeddingModel behind LangChain4jEmbeddings: the same wire format, LangChain4j's client

    static final class LangChain4j extends OpenAi {
        LangChain4j() {
            super("LangChain4j (OpenAiEmbeddingModel)", "LangChain4j", 2048);
        }

        @Override
        Object build(String baseUrl, RetryPolicy retry, Duration timeout, int maxBatchSize) {
            OpenAiEmbeddingModel model = OpenAiEmbeddingModel.builder().baseUrl(baseUrl + "/v1").apiKey(SECRET)
                    .modelName("text-embedding-3-small").maxRetries(0).timeout(timeout).build();
            LangChain4jEmbeddings.Builder b = LangChain4jEmbeddings.builder(model).retryPolicy(retry);
            return (maxBatchSize > 0 ? b.maxBatchSize(maxBatchSize) : b).build();
        }

        @Override
        JsonNode expectedBody(List<String> texts, EmbedPurpose purpose) {
            return object(o -> o.put("model", "text-embedding-3-small").set("input", strings(texts)));
        }

        @Override
        boolean reversed() {
            return false;
        }

        @Override
        boolean seesRetryAfter() {
            return false; // LangChain4j's exceptions carry the status and body, not the headers
        }

        @Override
        boolean knowsSecret() {
            return false; // the key lives in the LangChain4j model
        }
    }

    // ---- Voyage AI: POST /v1/embeddings

    static final class Voyage extends ProviderFixture {
        Voyage() {
            super("Voyage", "Voyage", VoyageEmbeddings.MAX_BATCH_SIZE);
        }

        @Override
        Object build(String baseUrl, RetryPolicy retry, Duration timeout, int maxBatchSize) {
            VoyageEmbeddings.Builder b = VoyageEmbeddings.builder().baseUrl(baseUrl + "/v1").apiKey(SECRET)
                    .retryPolicy(retry).timeout(timeout);
            return (maxBatchSize > 0 ? b.maxBatchSize(maxBatchSize) : b).build();
        }

        @Override
        void checkRequest(Request r) {
            assertThat(r.path()).isEqualTo("/v1/embeddings");
            assertThat(r.header("Authorization")).isEqualTo("Bearer " + SECRET);
        }

        @Override
        JsonNode expectedBody(List<String> texts, EmbedPurpose purpose) {
            return object(o -> o.put("model", "voyage-3-lite").<ObjectNode>set("input", strings(texts))
                    .put("input_type", purpose == EmbedPurpose.QUERY ? "query" : "document"));
        }

        @Override
        List<String> textsOf(Request r) {
            return strings(r.json().get("input"));
        }

        @Override
        String purposeOf(Request r) {
            return r.json().path("input_type").asText(null);
        }

        @Override
        List<String> purposeWords() {
            return List.of("query", "document");
        }

        @Override
        String okReply(List<float[]> vectors) {
            ArrayNode data = JSON.createArrayNode();
            for (int i = 0; i < vectors.size(); i++) {
                int index = i;
                data.add(object(o -> o.put("object", "embedding").<ObjectNode>set("embedding", array(vectors.get(index)))
                        .put("index", index)));
            }
            return write(object(o -> {
                o.put("object", "list");
                o.set("data", data);
                o.put("model", "voyage-3-lite");
                o.set("usage", object(u -> u.put("total_tokens", 10)));
            }));
        }

        @Override
        String errorBody(String message) {
            return write(object(o -> o.put("detail", message)));
        }
    }

    // ---- Cohere v2: POST /v2/embed

    static final class Cohere extends ProviderFixture {
        Cohere() {
            super("Cohere", "Cohere", CohereEmbeddings.MAX_BATCH_SIZE);
        }

        @Override
        Object build(String baseUrl, RetryPolicy retry, Duration timeout, int maxBatchSize) {
            CohereEmbeddings.Builder b = CohereEmbeddings.builder().baseUrl(baseUrl + "/v2").apiKey(SECRET)
                    .retryPolicy(retry).timeout(timeout);
            return (maxBatchSize > 0 ? b.maxBatchSize(maxBatchSize) : b).build();
        }

        @Override
        void checkRequest(Request r) {
            assertThat(r.path()).isEqualTo("/v2/embed");
            assertThat(r.header("Authorization")).isEqualTo("Bearer " + SECRET);
        }

        @Override
        JsonNode expectedBody(List<String> texts, EmbedPurpose purpose) {
            return object(o -> {
                o.put("model", "embed-english-v3.0");
                o.set("texts", strings(texts));
                o.put("input_type", purpose == EmbedPurpose.QUERY ? "search_query" : "search_document");
                o.set("embedding_types", strings(List.of("float")));
            });
        }

        @Override
        List<String> textsOf(Request r) {
            return strings(r.json().get("texts"));
        }

        @Override
        String purposeOf(Request r) {
            return r.json().path("input_type").asText(null);
        }

        @Override
        List<String> purposeWords() {
            return List.of("search_query", "search_document");
        }

        @Override
        String okReply(List<float[]> vectors) {
            ArrayNode floats = JSON.createArrayNode();
            vectors.forEach(v -> floats.add(array(v)));
            return write(object(o -> {
                o.put("id", "da6e531f-54c6-4a73-bf92-f60566d8d753");
                o.set("embeddings", object(e -> e.set("float", floats)));
                o.set("texts", JSON.createArrayNode());
                o.set("meta", object(m -> m.set("api_version", object(a -> a.put("version", "2")))));
                o.put("response_type", "embeddings_by_type");
            }));
        }

        @Override
        String errorBody(String message) {
            return write(object(o -> o.put("id", "2f4b9c1e-0b1d-4a5e-9c3f-7d8e6a5b4c3d").put("message", message)));
        }
    }

    // ---- Ollama: POST /api/embed

    static final class Ollama extends ProviderFixture {
        Ollama() {
            super("Ollama", "Ollama", OllamaEmbeddings.MAX_BATCH_SIZE);
        }

        @Override
        Object build(String baseUrl, RetryPolicy retry, Duration timeout, int maxBatchSize) {
            OllamaEmbeddings.Builder b = OllamaEmbeddings.builder().baseUrl(baseUrl).apiKey(SECRET)
                    .retryPolicy(retry).timeout(timeout);
            return (maxBatchSize > 0 ? b.maxBatchSize(maxBatchSize) : b).build();
        }

        @Override
        void checkRequest(Request r) {
            assertThat(r.path()).isEqualTo("/api/embed");
            assertThat(r.header("Authorization")).isEqualTo("Bearer " + SECRET);
        }

        @Override
        JsonNode expectedBody(List<String> texts, EmbedPurpose purpose) {
            return object(o -> o.put("model", "nomic-embed-text").set("input", strings(texts)));
        }

        @Override
        List<String> textsOf(Request r) {
            return strings(r.json().get("input"));
        }

        @Override
        String okReply(List<float[]> vectors) {
            ArrayNode embeddings = JSON.createArrayNode();
            vectors.forEach(v -> embeddings.add(array(v)));
            return write(object(o -> {
                o.put("model", "nomic-embed-text");
                o.set("embeddings", embeddings);
                o.put("total_duration", 14143917).put("load_duration", 1019500).put("prompt_eval_count", 8);
            }));
        }

        @Override
        String errorBody(String message) {
            return write(object(o -> o.put("error", message)));
        }
    }

    // ---- Google Gemini API: POST /v1beta/models/{model}:batchEmbedContents

    static final class Gemini extends ProviderFixture {
        Gemini() {
            super("Google (Gemini API)", "Google", GoogleEmbeddings.MAX_BATCH_SIZE);
        }

        @Override
        Object build(String baseUrl, RetryPolicy retry, Duration timeout, int maxBatchSize) {
            GoogleEmbeddings.Builder b = GoogleEmbeddings.builder().baseUrl(baseUrl + "/v1beta").apiKey(SECRET)
                    .retryPolicy(retry).timeout(timeout);
            return (maxBatchSize > 0 ? b.maxBatchSize(maxBatchSize) : b).build();
        }

        @Override
        void checkRequest(Request r) {
            assertThat(r.path()).isEqualTo("/v1beta/models/gemini-embedding-001:batchEmbedContents");
            assertThat(r.header("x-goog-api-key")).isEqualTo(SECRET);
            assertThat(r.header("Authorization")).isNull();
        }

        @Override
        JsonNode expectedBody(List<String> texts, EmbedPurpose purpose) {
            ArrayNode requests = JSON.createArrayNode();
            for (String t : texts) {
                requests.add(object(o -> {
                    o.put("model", "models/gemini-embedding-001");
                    o.set("content", object(c -> c.set("parts", JSON.createArrayNode().add(object(p -> p.put("text", t))))));
                    o.put("taskType", purpose == EmbedPurpose.QUERY ? "RETRIEVAL_QUERY" : "RETRIEVAL_DOCUMENT");
                }));
            }
            return object(o -> o.set("requests", requests));
        }

        @Override
        List<String> textsOf(Request r) {
            List<String> out = new ArrayList<>();
            r.json().get("requests").forEach(q -> out.add(q.path("content").path("parts").path(0).path("text").asText()));
            return out;
        }

        @Override
        String purposeOf(Request r) {
            return r.json().path("requests").path(0).path("taskType").asText(null);
        }

        @Override
        List<String> purposeWords() {
            return List.of("RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT");
        }

        @Override
        String okReply(List<float[]> vectors) {
            ArrayNode embeddings = JSON.createArrayNode();
            vectors.forEach(v -> embeddings.add(object(e -> e.set("values", array(v)))));
            return write(object(o -> o.set("embeddings", embeddings)));
        }

        @Override
        String errorBody(String message) {
            return googleError(message);
        }

        static String googleError(String message) {
            return write(object(o -> o.set("error", object(e -> e.put("code", 400).put("message", message)
                    .put("status", "INVALID_ARGUMENT")))));
        }
    }

    // ---- Vertex AI: POST /v1/projects/{p}/locations/{l}/publishers/google/models/{model}:predict

    static final class Vertex extends ProviderFixture {
        Vertex() {
            super("Google (Vertex AI)", "Google", GoogleEmbeddings.VERTEX_MAX_BATCH_SIZE);
        }

        @Override
        Object build(String baseUrl, RetryPolicy retry, Duration timeout, int maxBatchSize) {
            GoogleEmbeddings.Builder b = GoogleEmbeddings.builder().vertex("my-project", "us-central1")
                    .baseUrl(baseUrl + "/v1").model("text-embedding-005").accessToken(() -> SECRET)
                    .retryPolicy(retry).timeout(timeout);
            return (maxBatchSize > 0 ? b.maxBatchSize(maxBatchSize) : b).build();
        }

        @Override
        void checkRequest(Request r) {
            assertThat(r.path()).isEqualTo(
                    "/v1/projects/my-project/locations/us-central1/publishers/google/models/text-embedding-005:predict");
            assertThat(r.header("Authorization")).isEqualTo("Bearer " + SECRET);
        }

        @Override
        JsonNode expectedBody(List<String> texts, EmbedPurpose purpose) {
            ArrayNode instances = JSON.createArrayNode();
            for (String t : texts) {
                instances.add(object(o -> o.put("content", t)
                        .put("task_type", purpose == EmbedPurpose.QUERY ? "RETRIEVAL_QUERY" : "RETRIEVAL_DOCUMENT")));
            }
            return object(o -> o.set("instances", instances));
        }

        @Override
        List<String> textsOf(Request r) {
            List<String> out = new ArrayList<>();
            r.json().get("instances").forEach(i -> out.add(i.path("content").asText()));
            return out;
        }

        @Override
        String purposeOf(Request r) {
            return r.json().path("instances").path(0).path("task_type").asText(null);
        }

        @Override
        List<String> purposeWords() {
            return List.of("RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT");
        }

        @Override
        String okReply(List<float[]> vectors) {
            ArrayNode predictions = JSON.createArrayNode();
            vectors.forEach(v -> predictions.add(object(p -> p.set("embeddings", object(e -> {
                e.set("statistics", object(s -> s.put("truncated", false).put("token_count", 6)));
                e.set("values", array(v));
            })))));
            return write(object(o -> {
                o.set("predictions", predictions);
                o.set("metadata", object(m -> m.put("billableCharacterCount", 30)));
            }));
        }

        @Override
        String errorBody(String message) {
            return Gemini.googleError(message);
        }
    }

    // ---- Amazon Bedrock InvokeModel, through the real AWS SDK (SigV4, JSON protocol, error unmarshalling)

    abstract static class Bedrock extends ProviderFixture {
        static final String ACCESS_KEY_ID = "AKIDEXAMPLETEST00001";
        /**
         * Shared by the clients of all test classes (a client that owns its event loop waits ~2 s for it on close);
         * daemon threads, so it needs no shutdown.
         */
        static final SdkEventLoopGroup EVENT_LOOP = SdkEventLoopGroup.builder().numberOfThreads(2).threadFactory(r -> {
            Thread t = new Thread(r, "bedrock-test-event-loop");
            t.setDaemon(true);
            return t;
        }).build();
        final String modelId;

        Bedrock(String name, String modelId, int limit) {
            super(name, "Bedrock", limit);
            this.modelId = modelId;
        }

        @Override
        Object build(String baseUrl, RetryPolicy retry, Duration timeout, int maxBatchSize) {
            BedrockEmbeddings.Builder b = builder(baseUrl, modelId).retryPolicy(retry).timeout(timeout);
            return (maxBatchSize > 0 ? b.maxBatchSize(maxBatchSize) : b).build();
        }

        /** A Bedrock embedder for the loopback server, signing with static test credentials. */
        static BedrockEmbeddings.Builder builder(String baseUrl, String modelId) {
            // The Bedrock client speaks HTTP/2 by default (with ALPN over TLS); the loopback server is plain HTTP/1.1.
            return BedrockEmbeddings.builder().modelId(modelId).region("us-west-2").endpointOverride(baseUrl)
                    .credentials(ACCESS_KEY_ID, SECRET)
                    .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1).eventLoopGroup(EVENT_LOOP));
        }

        @Override
        void checkRequest(Request r) {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/model/" + modelId.replace(":", "%3A") + "/invoke");
            assertThat(r.header("Authorization"))
                    .startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY_ID + "/")
                    .contains("/us-west-2/bedrock/aws4_request")
                    .doesNotContain(SECRET);
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            assertThat(r.header("Accept")).isEqualTo("application/json");
        }

        @Override
        Reply error(int status, String message) {
            String type = switch (status) {
                case 400 -> "ValidationException";
                case 403 -> "AccessDeniedException";
                case 408 -> "ModelTimeoutException";
                case 429 -> "ThrottlingException";
                case 503 -> "ServiceUnavailableException";
                default -> "InternalServerException";
            };
            return new Reply(status, Map.of("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/",
                    "x-amzn-RequestId", "5f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"), errorBody(message), 0);
        }

        @Override
        String errorBody(String message) {
            return write(object(o -> o.put("message", message)));
        }

        @Override
        int authErrorStatus() {
            return 403;
        }
    }

    static final class BedrockTitan extends Bedrock {
        BedrockTitan() {
            super("Bedrock (Titan v2)", "amazon.titan-embed-text-v2:0", 1);
        }

        @Override
        JsonNode expectedBody(List<String> texts, EmbedPurpose purpose) {
            assertThat(texts).hasSize(1);
            return object(o -> o.put("inputText", texts.get(0)));
        }

        @Override
        List<String> textsOf(Request r) {
            return List.of(r.json().get("inputText").asText());
        }

        @Override
        String okReply(List<float[]> vectors) {
            return write(object(o -> {
                if (!vectors.isEmpty()) {
                    o.set("embedding", array(vectors.get(0)));
                    o.set("embeddingsByType", object(t -> t.set("float", array(vectors.get(0)))));
                }
                o.put("inputTextTokenCount", 7);
            }));
        }
    }

    static final class BedrockCohere extends Bedrock {
        BedrockCohere() {
            super("Bedrock (Cohere Embed)", "cohere.embed-english-v3", BedrockEmbeddings.COHERE_MAX_BATCH_SIZE);
        }

        @Override
        JsonNode expectedBody(List<String> texts, EmbedPurpose purpose) {
            return object(o -> {
                o.set("texts", strings(texts));
                o.put("input_type", purpose == EmbedPurpose.QUERY ? "search_query" : "search_document");
                o.put("truncate", "END");
            });
        }

        @Override
        List<String> textsOf(Request r) {
            return strings(r.json().get("texts"));
        }

        @Override
        String purposeOf(Request r) {
            return r.json().path("input_type").asText(null);
        }

        @Override
        List<String> purposeWords() {
            return List.of("search_query", "search_document");
        }

        @Override
        String okReply(List<float[]> vectors) {
            ArrayNode embeddings = JSON.createArrayNode();
            vectors.forEach(v -> embeddings.add(array(v)));
            return write(object(o -> {
                o.set("embeddings", embeddings);
                o.put("id", "8d3a1b2c-0e9f-4a6b-b7c8-d9e0f1a2b3c4");
                o.put("response_type", "embeddings_floats");
                o.set("texts", JSON.createArrayNode());
            }));
        }
    }
}
