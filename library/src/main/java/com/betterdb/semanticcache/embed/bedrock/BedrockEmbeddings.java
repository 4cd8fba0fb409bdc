package com.betterdb.semanticcache.embed.bedrock;

import com.betterdb.semanticcache.embed.BatchEmbedFn;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.embed.EmbedPurpose;
import com.betterdb.semanticcache.embed.ProviderBuilder;
import com.betterdb.semanticcache.embed.support.AttemptFailure;
import com.betterdb.semanticcache.embed.support.Batches;
import com.betterdb.semanticcache.embed.support.MalformedReply;
import com.betterdb.semanticcache.embed.support.Redactor;
import com.betterdb.semanticcache.embed.support.RetryAfter;
import com.betterdb.semanticcache.embed.support.RetryLoop;
import com.betterdb.semanticcache.embed.support.Vectors;
import com.betterdb.semanticcache.internal.Json;
import com.fasterxml.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClientBuilder;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelRequest;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;

/**
 * Amazon Bedrock embeddings through {@code InvokeModel} on the AWS SDK v2 async client
 * ({@code software.amazon.awssdk:bedrockruntime}, an optional dependency of this library: add it yourself).
 *
 * <p>Default model {@code amazon.titan-embed-text-v2:0} (1024 dimensions; {@code dimensions(256|512)} asks for
 * fewer). Model families: Amazon Titan text ({@code {"inputText": ..}}, one text per request: a batch is sent as
 * concurrent requests, at most {@code concurrency} at a time) and Cohere Embed on Bedrock
 * ({@code {"texts": [..], "input_type": .., "truncate": "END"}}, up to 96 texts per request; the purpose sets
 * {@code input_type} {@code search_query} or {@code search_document}). Any other model id is sent the Titan shape.
 * Model ids may carry a cross-region prefix ({@code us.cohere.embed-v4:0}) or be ARNs.
 *
 * <p>Region and credentials come from the SDK's default chains ({@code AWS_REGION}, profile, instance metadata;
 * environment, profile, container and instance credentials) unless given; with no region found anywhere,
 * {@code us-east-1}. The client built here has the SDK's own retries turned off: the {@code RetryPolicy} decides. A
 * client passed with {@code client(...)} is used as is (turn its retries off or set {@code RetryPolicy.none()}) and
 * is not closed by {@link #close()}.
 */
public final class BedrockEmbeddings implements EmbedFn, BatchEmbedFn, AutoCloseable {

    public static final String DEFAULT_MODEL_ID = "amazon.titan-embed-text-v2:0";
    /** Texts per request Cohere Embed on Bedrock accepts. */
    public static final int COHERE_MAX_BATCH_SIZE = 96;
    static final String PROVIDER = "Bedrock";

    private enum Family { TITAN, COHERE, OTHER }

    private final String modelId;
    private final Family family;
    private final int dimensions;
    private final int maxBatchSize;
    private final int concurrency;
    private final String queryInputType;
    private final String documentInputType;
    private final BedrockRuntimeAsyncClient client;
    private final boolean ownsClient;
    private final List<String> secrets;
    private final RetryLoop loop;

    private BedrockEmbeddings(Builder b) {
        this.modelId = b.model();
        this.family = modelId.contains("cohere.embed") ? Family.COHERE
                : modelId.contains("amazon.titan") ? Family.TITAN : Family.OTHER;
        this.dimensions = b.dimensions();
        this.maxBatchSize = b.maxBatchSizeOr(family == Family.COHERE ? COHERE_MAX_BATCH_SIZE : 1);
        if (family != Family.COHERE && maxBatchSize != 1) {
            throw new IllegalArgumentException(modelId + " embeds one text per request; maxBatchSize must be 1");
        }
        this.concurrency = b.concurrency();
        this.queryInputType = b.queryInputType;
        this.documentInputType = b.documentInputType;
        this.ownsClient = b.client == null;
        this.client = ownsClient ? newClient(b) : b.client;
        this.secrets = List.copyOf(b.secrets);
        this.loop = new RetryLoop(PROVIDER, b.retryPolicy(), b.timeout());
    }

    public static Builder builder() {
        return new Builder();
    }

    private static BedrockRuntimeAsyncClient newClient(Builder b) {
        BedrockRuntimeAsyncClientBuilder cb = BedrockRuntimeAsyncClient.builder()
                .region(b.region != null ? Region.of(b.region) : defaultRegion())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(b.timeout()));
        if (b.credentials != null) {
            cb.credentialsProvider(b.credentials);
        }
        if (b.endpoint != null) {
            cb.endpointOverride(b.endpoint);
        }
        if (b.httpClientBuilder != null) {
            cb.httpClientBuilder(b.httpClientBuilder);
        }
        return cb.build();
    }

    private static Region defaultRegion() {
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException none) {
            return Region.US_EAST_1;
        }
    }

    public String modelId() {
        return modelId;
    }

    /** Texts per request: 96 for Cohere, 1 for Titan. */
    public int maxBatchSize() {
        return maxBatchSize;
    }

    /** Embeds as {@link EmbedPurpose#QUERY}. */
    @Override
    public Mono<float[]> embed(String text) {
        return embed(text, EmbedPurpose.QUERY);
    }

    @Override
    public Mono<float[]> embed(String text, EmbedPurpose purpose) {
        return embedAll(List.of(text), purpose).map(l -> l.get(0));
    }

    /** Embeds as {@link EmbedPurpose#QUERY}. */
    @Override
    public Mono<List<float[]>> embedAll(List<String> texts) {
        return embedAll(texts, EmbedPurpose.QUERY);
    }

    @Override
    public Mono<List<float[]>> embedAll(List<String> texts, EmbedPurpose purpose) {
        Objects.requireNonNull(purpose, "purpose");
        return Batches.inChunks(List.copyOf(texts), maxBatchSize, concurrency, chunk -> invoke(chunk, purpose));
    }

    private Mono<List<float[]>> invoke(List<String> texts, EmbedPurpose purpose) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (family == Family.COHERE) {
            body.put("texts", texts);
            body.put("input_type", purpose == EmbedPurpose.DOCUMENT ? documentInputType : queryInputType);
            body.put("truncate", "END");
            if (dimensions > 0) {
                body.put("output_dimension", dimensions);
            }
        } else {
            body.put("inputText", texts.get(0));
            if (dimensions > 0) {
                body.put("dimensions", dimensions);
            }
        }
        InvokeModelRequest request = InvokeModelRequest.builder()
                .modelId(modelId)
                .contentType("application/json")
                .accept("application/json")
                .body(SdkBytes.fromUtf8String(Json.write(body)))
                .build();
        return loop.run(() -> Mono.fromFuture(() -> client.invokeModel(request))
                .onErrorMap(this::classify)
                .map(r -> read(r.body().asUtf8String(), texts.size())), new Redactor(secrets, texts));
    }

    private List<float[]> read(String reply, int expected) {
        JsonNode json = Json.tryParse(reply);
        if (json == null || !json.isObject()) {
            throw AttemptFailure.malformed(200, "reply is not a JSON object");
        }
        try {
            List<float[]> out;
            if (family == Family.COHERE) {
                JsonNode e = json.get("embeddings");
                out = Vectors.all(e != null && e.isObject() ? e.get("float") : e, expected, "embeddings");
            } else if (json.has("embedding") || family == Family.TITAN) {
                out = List.of(Vectors.of(json.get("embedding")));
            } else {
                out = List.of(Vectors.of(json.path("embeddings").get(0)));
            }
            return Vectors.sameLength(new ArrayList<>(out), dimensions);
        } catch (MalformedReply e) {
            throw AttemptFailure.malformed(200, e.getMessage());
        }
    }

    /**
     * An SDK failure as the retry loop needs it. A service error keeps the error code, message and status but not the
     * SDK exception, whose message would carry the provider's text unredacted.
     */
    private Throwable classify(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof AwsServiceException s) {
            AwsErrorDetails d = s.awsErrorDetails();
            String code = d == null ? null : d.errorCode();
            String message = d == null ? null : d.errorMessage();
            String providerMessage = code == null ? message : message == null ? code : code + ": " + message;
            var http = d == null ? null : d.sdkHttpResponse();
            return new AttemptFailure(s.statusCode(), providerMessage, null,
                    http == null ? null : RetryAfter.parse(h -> http.firstMatchingHeader(h).orElse(null), loop.nowMillis()),
                    AttemptFailure.retryableStatus(s.statusCode()) || s.isThrottlingException(), null);
        }
        if (t instanceof ApiCallAttemptTimeoutException) {
            return new AttemptFailure(0, null, "no reply within the attempt timeout", null, true, null);
        }
        if (t instanceof SdkClientException c) {
            return new AttemptFailure(0, null, "SdkClientException: " + c.getMessage(), null,
                    c.retryable() || c.getCause() instanceof IOException, c);
        }
        return t instanceof SdkException ? new AttemptFailure(0, null, t.getClass().getSimpleName(), null, false, null) : t;
    }

    /** Closes the client if this embedder built it. */
    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    public static final class Builder extends ProviderBuilder<Builder> {
        private String region;
        private URI endpoint;
        private AwsCredentialsProvider credentials;
        private BedrockRuntimeAsyncClient client;
        private SdkAsyncHttpClient.Builder<?> httpClientBuilder;
        private String queryInputType = "search_query";
        private String documentInputType = "search_document";
        private final List<String> secrets = new ArrayList<>();

        private Builder() {
            super(DEFAULT_MODEL_ID);
        }

        /** Alias of {@link #model(String)}. */
        public Builder modelId(String modelId) {
            return model(modelId);
        }

        /** The AWS region, e.g. {@code us-east-1}; default: the SDK's region chain, else {@code us-east-1}. */
        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /** Send to this endpoint instead of the region's (a VPC endpoint, a proxy, a test server). */
        public Builder endpointOverride(String endpoint) {
            this.endpoint = endpoint == null ? null : URI.create(endpoint);
            return this;
        }

        /** Static credentials instead of the default chain. */
        public Builder credentials(String accessKeyId, String secretAccessKey) {
            return credentials(accessKeyId, secretAccessKey, null);
        }

        /** Static temporary credentials (with a session token) instead of the default chain. */
        public Builder credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
            Objects.requireNonNull(accessKeyId, "accessKeyId");
            Objects.requireNonNull(secretAccessKey, "secretAccessKey");
            secrets.add(secretAccessKey);
            if (sessionToken != null) {
                secrets.add(sessionToken);
            }
            this.credentials = StaticCredentialsProvider.create(sessionToken == null
                    ? AwsBasicCredentials.create(accessKeyId, secretAccessKey)
                    : AwsSessionCredentials.create(accessKeyId, secretAccessKey, sessionToken));
            return this;
        }

        /** Any credentials provider (a profile, a role to assume, ...) instead of the default chain. */
        public Builder credentialsProvider(AwsCredentialsProvider provider) {
            this.credentials = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /**
         * The HTTP client of the SDK client built here (e.g. {@code NettyNioAsyncHttpClient.builder()} with a proxy or
         * more connections); the SDK's default otherwise.
         */
        public Builder httpClientBuilder(SdkAsyncHttpClient.Builder<?> httpClientBuilder) {
            this.httpClientBuilder = Objects.requireNonNull(httpClientBuilder, "httpClientBuilder");
            return this;
        }

        /** Use this client; region, endpoint, credentials and timeout settings then do not apply. */
        public Builder client(BedrockRuntimeAsyncClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /** Cohere {@code input_type} of lookups (default {@code search_query}). */
        public Builder queryInputType(String inputType) {
            this.queryInputType = Objects.requireNonNull(inputType, "inputType");
            return this;
        }

        /** Cohere {@code input_type} of stored prompts (default {@code search_document}). */
        public Builder documentInputType(String inputType) {
            this.documentInputType = Objects.requireNonNull(inputType, "inputType");
            return this;
        }

        public BedrockEmbeddings build() {
            return new BedrockEmbeddings(this);
        }
    }
}
