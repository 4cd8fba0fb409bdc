package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.embed.ProviderBuilder;
import com.betterdb.semanticcache.embed.bedrock.BedrockEmbeddings;
import com.betterdb.semanticcache.embed.http.CohereEmbeddings;
import com.betterdb.semanticcache.embed.http.GoogleEmbeddings;
import com.betterdb.semanticcache.embed.http.HttpEmbeddings;
import com.betterdb.semanticcache.embed.http.OllamaEmbeddings;
import com.betterdb.semanticcache.embed.http.OpenAiEmbeddings;
import com.betterdb.semanticcache.embed.http.VoyageEmbeddings;
import com.betterdb.semanticcache.embed.local.LocalEmbedder;
import com.betterdb.semanticcache.embed.local.LocalModel;
import com.betterdb.semanticcache.spring.boot.SemanticCacheProperties.Embedding;
import org.springframework.util.ClassUtils;

/** Builds the embedder named by {@code betterdb.semantic-cache.embedding.provider} from its properties. */
final class Embedders {

    static final String BEDROCK_CLIENT = "software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient";
    private static final String PROPERTY = SemanticCacheProperties.PREFIX + ".embedding";

    private Embedders() {
    }

    /**
     * The provider's embedder, also a {@code BatchEmbedFn}; the local and Bedrock ones are {@code AutoCloseable}.
     *
     * @param classLoader where optional dependencies (the AWS SDK) are looked for: the application's
     * @throws IllegalStateException naming the properties to set when no provider is set or it cannot be built
     */
    static EmbedFn create(SemanticCacheProperties properties, ClassLoader classLoader) {
        Embedding e = properties.getEmbedding();
        if (e.getProvider() == null) {
            throw new IllegalStateException("The semantic cache has no embedder: define an EmbedFn bean, or set "
                    + PROPERTY + ".provider to one of " + String.join(", ", SemanticCacheProperties.providerNames())
                    + ".");
        }
        try {
            return switch (e.getProvider()) {
                case OPENAI -> http(OpenAiEmbeddings.builder(), properties).build();
                case OLLAMA -> http(OllamaEmbeddings.builder(), properties).build();
                case VOYAGE -> {
                    VoyageEmbeddings.Builder b = http(VoyageEmbeddings.builder(), properties);
                    ifSet(e.getQueryInputType(), b::queryInputType);
                    ifSet(e.getDocumentInputType(), b::documentInputType);
                    yield b.build();
                }
                case COHERE -> {
                    CohereEmbeddings.Builder b = http(CohereEmbeddings.builder(), properties);
                    ifSet(e.getQueryInputType(), b::queryInputType);
                    ifSet(e.getDocumentInputType(), b::documentInputType);
                    yield b.build();
                }
                case GOOGLE -> google(properties);
                case BEDROCK -> bedrock(properties, classLoader);
                case LOCAL -> local(e);
            };
        } catch (IllegalStateException | IllegalArgumentException ex) {
            throw new IllegalStateException("Cannot build the " + e.getProvider().name().toLowerCase(java.util.Locale.ROOT)
                    + " embedder from " + PROPERTY + ".*: " + ex.getMessage()
                    + (String.valueOf(ex.getMessage()).contains("API key") ? " (or set " + PROPERTY + ".api-key)" : ""),
                    ex);
        }
    }

    private static <B extends HttpEmbeddings.Builder<B>> B http(B b, SemanticCacheProperties properties) {
        Embedding e = properties.getEmbedding();
        common(b, properties);
        ifSet(e.getApiKey(), b::apiKey);
        ifSet(e.getBaseUrl(), b::baseUrl);
        return b;
    }

    private static <B extends ProviderBuilder<B>> void common(B b, SemanticCacheProperties properties) {
        Embedding e = properties.getEmbedding();
        ifSet(e.getModel(), b::model);
        ifSet(e.getDimensions(), b::dimensions);
        ifSet(e.getMaxBatchSize(), b::maxBatchSize);
        ifSet(e.getTimeout(), b::timeout);
        b.concurrency(e.getConcurrency()).retryPolicy(properties.retryPolicy());
    }

    private static GoogleEmbeddings google(SemanticCacheProperties properties) {
        Embedding e = properties.getEmbedding();
        GoogleEmbeddings.Builder b = http(GoogleEmbeddings.builder(), properties);
        SemanticCacheProperties.Google g = e.getGoogle();
        if (g.getProject() != null) {
            b.vertex(g.getProject(), g.getLocation());
        }
        ifSet(g.getAccessToken(), b::accessToken);
        ifSet(e.getQueryInputType(), b::queryTaskType);
        ifSet(e.getDocumentInputType(), b::documentTaskType);
        return b.build();
    }

    private static EmbedFn bedrock(SemanticCacheProperties properties, ClassLoader classLoader) {
        if (!ClassUtils.isPresent(BEDROCK_CLIENT, classLoader)) {
            throw new IllegalStateException("provider bedrock needs the AWS SDK's Bedrock Runtime client on the class"
                    + " path: add software.amazon.awssdk:bedrockruntime (semantic-cache-bom manages its version)");
        }
        Embedding e = properties.getEmbedding();
        SemanticCacheProperties.Bedrock a = e.getBedrock();
        BedrockEmbeddings.Builder b = BedrockEmbeddings.builder();
        common(b, properties);
        ifSet(a.getRegion(), b::region);
        ifSet(a.getEndpoint(), b::endpointOverride);
        if (a.getAccessKeyId() != null || a.getSecretAccessKey() != null) {
            if (a.getAccessKeyId() == null || a.getSecretAccessKey() == null) {
                throw new IllegalStateException("static credentials need both " + PROPERTY
                        + ".bedrock.access-key-id and " + PROPERTY + ".bedrock.secret-access-key");
            }
            b.credentials(a.getAccessKeyId(), a.getSecretAccessKey(), a.getSessionToken());
        }
        ifSet(e.getQueryInputType(), b::queryInputType);
        ifSet(e.getDocumentInputType(), b::documentInputType);
        return b.build();
    }

    private static LocalEmbedder local(Embedding e) {
        LocalEmbedder.Builder b = LocalEmbedder.builder();
        if (e.getModel() != null) {
            b.model(LocalModel.byName(e.getModel()));
        }
        ifSet(e.getLocal().getThreads(), b::threads);
        ifSet(e.getLocal().getBatchSize(), b::batchSize);
        return b.build();
    }

    private static <T> void ifSet(T value, java.util.function.Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }
}
