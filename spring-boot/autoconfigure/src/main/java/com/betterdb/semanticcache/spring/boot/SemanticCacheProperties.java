package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.embed.RetryPolicy;
import com.betterdb.semanticcache.embed.http.OllamaEmbeddings;
import com.betterdb.semanticcache.embed.local.LocalEmbedder;
import com.betterdb.semanticcache.embed.local.LocalModel;
import com.betterdb.semanticcache.store.memory.InMemoryOptions;
import com.betterdb.semanticcache.store.valkey.ValkeyStoreOptions;
import io.lettuce.core.RedisURI;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.BindingResult;
import org.springframework.validation.Errors;
import org.springframework.validation.FieldError;
import org.springframework.validation.Validator;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * betterdb.semantic-cache.*: every option of a SemanticCache that has a simple value, where its store
 * and its embedder come from, how it starts, and the optional Kafka processor. Unset values keep the library's
 * defaults (SemanticCacheOptions). Bad values fail the binding, naming the property and the rule: the rules are
 * the library's own, checked by building the option they feed.
 */
@ConfigurationProperties(SemanticCacheProperties.PREFIX)
public class SemanticCacheProperties implements Validator {

    public static final String PREFIX = "betterdb.semantic-cache";

    /** Whether to auto-configure a SemanticCache. */
    private boolean enabled = true;

    /** Cache name: the prefix of every key, shared with the TypeScript and Python packages. */
    private String name = "betterdb_scache";

    /**
     * Default cosine-distance threshold (0..2): a lookup is a hit when its distance is at most this. Unset: the
     * embedder's calibrated threshold (the local models), else 0.1.
     */
    private Double defaultThreshold;

    /** Default time to live of an entry (whole seconds). Unset: entries do not expire. */
    private Duration defaultTtl;

    /** Threshold (0..2) per category, e.g. faq: 0.08; a lookup's category selects its threshold. */
    private Map<String, Double> categoryThresholds = new LinkedHashMap<>();

    /** Width (0..2) below the threshold in which a hit is reported as uncertain. */
    private double uncertaintyBand = 0.05;

    /** Whether the bundled model price table is used to count the dollars a hit saves. */
    private boolean useDefaultCostTable = true;

    /** Which store holds the entries. */
    private StoreType store = StoreType.VALKEY;

    /** How long the health indicator and the info contributor wait for the store. */
    private Duration actuatorTimeout = Duration.ofSeconds(2);

    private final EmbeddingCache embeddingCache = new EmbeddingCache();
    private final ConfigRefresh configRefresh = new ConfigRefresh();
    private final Discovery discovery = new Discovery();
    private final Coalescing coalescing = new Coalescing();
    private final Telemetry telemetry = new Telemetry();
    private final Valkey valkey = new Valkey();
    private final InMemory inMemory = new InMemory();
    private final Embedding embedding = new Embedding();
    private final Startup startup = new Startup();
    private final Kafka kafka = new Kafka();

    public enum StoreType {
        /** Valkey + valkey-search: from valkey.url, else a RedisClient or LettuceConnectionFactory bean. */
        VALKEY,
        /** In this JVM: not shared, not persistent. For tests, demos and single-node use. */
        IN_MEMORY
    }

    /** When and how initialize() runs (index lookup or creation, discovery, first config read). */
    public enum StartupMode {
        /** At startup, before the web server and the Kafka processor start; the application fails to start if it fails. */
        FAIL_FAST,
        /**
         * At startup without waiting, retried with backoff until it succeeds; until then calls fail with
         * SemanticCacheUsageError and the health indicator reports DOWN.
         */
        BACKGROUND,
        /** Never: the application calls initialize() itself. */
        MANUAL
    }

    /** The embedding providers that can be built from properties. */
    public enum Provider {
        OPENAI, OLLAMA, LOCAL, BEDROCK, VOYAGE, COHERE, GOOGLE
    }

    /** Embedding cache in Valkey ({name}:embed:<sha256>). */
    public static class EmbeddingCache {
        /** Whether embeddings are cached in the store. */
        private boolean enabled = true;
        /** Time to live of a cached embedding (whole seconds). */
        private Duration ttl = Duration.ofDays(1);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getTtl() {
            return ttl;
        }

        public void setTtl(Duration ttl) {
            this.ttl = ttl;
        }
    }

    /** Periodic re-read of {name}:__config. */
    public static class ConfigRefresh {
        /** Whether {name}:__config is re-read periodically. */
        private boolean enabled = true;
        /** How often (at least 1 s). */
        private Duration interval = Duration.ofSeconds(30);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }
    }

    /** Registration in __betterdb:caches and the heartbeat key, for BetterDB Monitor. */
    public static class Discovery {
        /** Whether the cache registers itself and keeps a heartbeat key. */
        private boolean enabled = true;
        /** How often the heartbeat is written (at least 1 s). */
        private Duration heartbeatInterval = Duration.ofSeconds(30);
        /** Whether the registration lists the configured categories. */
        private boolean includeCategories = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getHeartbeatInterval() {
            return heartbeatInterval;
        }

        public void setHeartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
        }

        public boolean isIncludeCategories() {
            return includeCategories;
        }

        public void setIncludeCategories(boolean includeCategories) {
            this.includeCategories = includeCategories;
        }
    }

    /** In-flight coalescing of concurrent getOrCompute misses. */
    public static class Coalescing {
        /** Whether a miss close to one being computed waits for that answer instead of calling the LLM. */
        private boolean enabled = true;
        /** Computations joinable at once, at most. */
        private int maxInFlight = 1000;
        /** A computation older than this is no longer joinable. */
        private Duration maxAge = Duration.ofMinutes(5);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxInFlight() {
            return maxInFlight;
        }

        public void setMaxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
        }

        public Duration getMaxAge() {
            return maxAge;
        }

        public void setMaxAge(Duration maxAge) {
            this.maxAge = maxAge;
        }
    }

    /** Meter and observation names (the MeterRegistry and ObservationRegistry beans are used when present). */
    public static class Telemetry {
        /** Prefix of every meter name. */
        private String metricsPrefix = "semantic_cache";
        /** The otel.scope.name of every observation; BetterDB Monitor correlates traces only with the default. */
        private String tracerName = "@betterdb/semantic-cache";

        public String getMetricsPrefix() {
            return metricsPrefix;
        }

        public void setMetricsPrefix(String metricsPrefix) {
            this.metricsPrefix = metricsPrefix;
        }

        public String getTracerName() {
            return tracerName;
        }

        public void setTracerName(String tracerName) {
            this.tracerName = tracerName;
        }
    }

    /** The Valkey store. */
    public static class Valkey {
        /**
         * Valkey URL (redis://, rediss://, with user, password and database), e.g. redis://localhost:6379. The cache
         * then owns a Lettuce client, shut down after the cache. Unset: a RedisClient or LettuceConnectionFactory bean.
         */
        private String url;
        /** Whether the URL is a seed node of a Valkey Cluster (valkey-search with its coordinator on every node). */
        private boolean cluster;
        /** Connections for searches and entry writes, besides the one for everything else (standalone only). */
        private int searchConnections = 2;
        /** Searches and entry writes in flight per connection (standalone only). */
        private int pipelineDepth = 64;

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public boolean isCluster() {
            return cluster;
        }

        public void setCluster(boolean cluster) {
            this.cluster = cluster;
        }

        public int getSearchConnections() {
            return searchConnections;
        }

        public void setSearchConnections(int searchConnections) {
            this.searchConnections = searchConnections;
        }

        public int getPipelineDepth() {
            return pipelineDepth;
        }

        public void setPipelineDepth(int pipelineDepth) {
            this.pipelineDepth = pipelineDepth;
        }
    }

    /** The in-memory store. */
    public static class InMemory {
        /** Entries kept at most; unset: no limit. */
        private Integer maxEntries;

        public Integer getMaxEntries() {
            return maxEntries;
        }

        public void setMaxEntries(Integer maxEntries) {
            this.maxEntries = maxEntries;
        }
    }

    /** The embedder, when no EmbedFn bean is defined. */
    public static class Embedding {
        /** Which provider embeds the prompts. Unset: an EmbedFn bean is required. */
        private Provider provider;
        /** API key. Unset: the provider's environment variable (OPENAI_API_KEY, VOYAGE_API_KEY, ...). */
        private String apiKey;
        /** Model; unset: the provider's default. For local: bge-small-en-v1.5-q, all-minilm-l6-v2 or all-minilm-l6-v2-q. */
        private String model;
        /** Where the provider's API is (a proxy, a compatible server); unset: the provider's. */
        private String baseUrl;
        /** Shorter vectors, for models that support it. */
        private Integer dimensions;
        /** Texts per request; unset: the provider's limit. */
        private Integer maxBatchSize;
        /** Requests of one split batch in flight at once. */
        private int concurrency = 4;
        /** Time one request may take; unset: the provider's (30 s, Ollama 60 s). */
        private Duration timeout;
        /** Cohere, Voyage and Cohere-on-Bedrock input_type, or Google task type, of lookups; unset: the provider's. */
        private String queryInputType;
        /** The same for stored prompts. */
        private String documentInputType;
        private final Retry retry = new Retry();
        private final Local local = new Local();
        private final Bedrock bedrock = new Bedrock();
        private final Google google = new Google();

        public Provider getProvider() {
            return provider;
        }

        public void setProvider(Provider provider) {
            this.provider = provider;
        }

        public String getApiKey() {
            return apiKey;
        }

        public void setApiKey(String apiKey) {
            this.apiKey = apiKey;
        }

        public String getModel() {
            return model;
        }

        public void setModel(String model) {
            this.model = model;
        }

        public String getBaseUrl() {
            return baseUrl;
        }

        public void setBaseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
        }

        public Integer getDimensions() {
            return dimensions;
        }

        public void setDimensions(Integer dimensions) {
            this.dimensions = dimensions;
        }

        public Integer getMaxBatchSize() {
            return maxBatchSize;
        }

        public void setMaxBatchSize(Integer maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
        }

        public int getConcurrency() {
            return concurrency;
        }

        public void setConcurrency(int concurrency) {
            this.concurrency = concurrency;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public String getQueryInputType() {
            return queryInputType;
        }

        public void setQueryInputType(String queryInputType) {
            this.queryInputType = queryInputType;
        }

        public String getDocumentInputType() {
            return documentInputType;
        }

        public void setDocumentInputType(String documentInputType) {
            this.documentInputType = documentInputType;
        }

        public Retry getRetry() {
            return retry;
        }

        public Local getLocal() {
            return local;
        }

        public Bedrock getBedrock() {
            return bedrock;
        }

        public Google getGoogle() {
            return google;
        }
    }

    /** Retries of failed embedding requests (408, 429, 5xx, timeouts, broken connections). */
    public static class Retry {
        /** Requests sent in all, the first included (1: no retry). */
        private int maxAttempts = 3;
        /** Wait before the first retry; doubles per retry. */
        private Duration initialBackoff = Duration.ofMillis(500);
        /** Longest wait before a retry. */
        private Duration maxBackoff = Duration.ofSeconds(10);
        /** Fraction (0..1) of each wait that is randomly taken off. */
        private double jitter = 0.5;

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        public double getJitter() {
            return jitter;
        }

        public void setJitter(double jitter) {
            this.jitter = jitter;
        }
    }

    /** provider: local (ONNX in this JVM; needs langchain4j-embeddings and the model's artifact). */
    public static class Local {
        /** Inference threads; unset: one per available processor. */
        private Integer threads;
        /** Texts per ONNX run; unset: 32 for a model exact in batches, else 1. */
        private Integer batchSize;

        public Integer getThreads() {
            return threads;
        }

        public void setThreads(Integer threads) {
            this.threads = threads;
        }

        public Integer getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(Integer batchSize) {
            this.batchSize = batchSize;
        }
    }

    /** provider: bedrock (needs software.amazon.awssdk:bedrockruntime). */
    public static class Bedrock {
        /** AWS region; unset: the SDK's region chain, else us-east-1. */
        private String region;
        /** Endpoint to send to instead of the region's (a VPC endpoint, a proxy). */
        private String endpoint;
        /** Static credentials; unset: the SDK's default credentials chain. */
        private String accessKeyId;
        /** Secret of the static credentials. */
        private String secretAccessKey;
        /** Session token of temporary static credentials. */
        private String sessionToken;

        public String getRegion() {
            return region;
        }

        public void setRegion(String region) {
            this.region = region;
        }

        public String getEndpoint() {
            return endpoint;
        }

        public void setEndpoint(String endpoint) {
            this.endpoint = endpoint;
        }

        public String getAccessKeyId() {
            return accessKeyId;
        }

        public void setAccessKeyId(String accessKeyId) {
            this.accessKeyId = accessKeyId;
        }

        public String getSecretAccessKey() {
            return secretAccessKey;
        }

        public void setSecretAccessKey(String secretAccessKey) {
            this.secretAccessKey = secretAccessKey;
        }

        public String getSessionToken() {
            return sessionToken;
        }

        public void setSessionToken(String sessionToken) {
            this.sessionToken = sessionToken;
        }
    }

    /** provider: google, on Vertex AI instead of the Gemini API. */
    public static class Google {
        /** Vertex AI project; set it (with location) to use Vertex AI. */
        private String project;
        /** Vertex AI location, e.g. us-central1 or global. */
        private String location;
        /** Fixed Vertex AI access token (tokens expire: for long-lived services define an EmbedFn bean instead). */
        private String accessToken;

        public String getProject() {
            return project;
        }

        public void setProject(String project) {
            this.project = project;
        }

        public String getLocation() {
            return location;
        }

        public void setLocation(String location) {
            this.location = location;
        }

        public String getAccessToken() {
            return accessToken;
        }

        public void setAccessToken(String accessToken) {
            this.accessToken = accessToken;
        }
    }

    /** Startup of the cache. */
    public static class Startup {
        /** When initialize() runs: fail-fast (at startup, failing it), background (retried until it succeeds), manual. */
        private StartupMode mode = StartupMode.FAIL_FAST;
        /** How long one initialization attempt may take. */
        private Duration timeout = Duration.ofSeconds(30);
        /** Longest wait between two attempts in background mode (the first waits 1 s, then doubling). */
        private Duration maxRetryInterval = Duration.ofSeconds(30);

        public StartupMode getMode() {
            return mode;
        }

        public void setMode(StartupMode mode) {
            this.mode = mode;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public Duration getMaxRetryInterval() {
            return maxRetryInterval;
        }

        public void setMaxRetryInterval(Duration maxRetryInterval) {
            this.maxRetryInterval = maxRetryInterval;
        }
    }

    /**
     * The Kafka processor (needs semantic-cache-kafka and spring-boot-starter-kafka; the connection comes from
     * spring.kafka.*). It runs when prompts-topic is set.
     */
    public static class Kafka {
        /** Whether to run the processor when prompts-topic is set. */
        private boolean enabled = true;
        /** Consumer group id. */
        private String groupId;
        /** Client id prefix; unset: a new one per instance. Set it per instance if you set it. */
        private String clientId;
        /** Topic of PromptEvents. */
        private String promptsTopic;
        /** Topic of ResponseEvents. */
        private String responsesTopic;
        /** Topic of LlmRequestEvents (misses). */
        private String llmRequestsTopic;
        /** Topic of LlmReplyEvents; unset: the prompt path only. */
        private String llmRepliesTopic;
        /** Topic of dead letters. */
        private String deadLetterTopic;
        /** Records polled and not yet finished per input topic, at most. */
        private int maxInFlight = 512;
        /** Records of one partition in flight, at most; unset: max-in-flight / 4. */
        private Integer maxInFlightPerPartition;
        /** Consumer max.poll.records (at most max-in-flight). */
        private int maxPollRecords = 256;
        /** Records of one partition processed together. */
        private int chunkSize = 64;
        /** Wait for an LLM reply before asking again, then answering with source=error (0: never). */
        private Duration llmTimeout = Duration.ofSeconds(120);
        /** LLM requests per prompt at most. */
        private int llmMaxAttempts = 2;
        /**
         * Whether a miss close to a prompt whose LLM request is in flight waits for that reply instead of sending its
         * own request (needs llm-replies-topic).
         */
        private boolean coalescing = true;
        /** Failed attempts before a record is dead-lettered (0: retry forever). */
        private int maxProcessingAttempts = 0;
        /** How long a graceful stop waits for in-flight records. */
        private Duration stopTimeout = Duration.ofSeconds(30);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getGroupId() {
            return groupId;
        }

        public void setGroupId(String groupId) {
            this.groupId = groupId;
        }

        public String getClientId() {
            return clientId;
        }

        public void setClientId(String clientId) {
            this.clientId = clientId;
        }

        public String getPromptsTopic() {
            return promptsTopic;
        }

        public void setPromptsTopic(String promptsTopic) {
            this.promptsTopic = promptsTopic;
        }

        public String getResponsesTopic() {
            return responsesTopic;
        }

        public void setResponsesTopic(String responsesTopic) {
            this.responsesTopic = responsesTopic;
        }

        public String getLlmRequestsTopic() {
            return llmRequestsTopic;
        }

        public void setLlmRequestsTopic(String llmRequestsTopic) {
            this.llmRequestsTopic = llmRequestsTopic;
        }

        public String getLlmRepliesTopic() {
            return llmRepliesTopic;
        }

        public void setLlmRepliesTopic(String llmRepliesTopic) {
            this.llmRepliesTopic = llmRepliesTopic;
        }

        public String getDeadLetterTopic() {
            return deadLetterTopic;
        }

        public void setDeadLetterTopic(String deadLetterTopic) {
            this.deadLetterTopic = deadLetterTopic;
        }

        public int getMaxInFlight() {
            return maxInFlight;
        }

        public void setMaxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
        }

        public Integer getMaxInFlightPerPartition() {
            return maxInFlightPerPartition;
        }

        public void setMaxInFlightPerPartition(Integer maxInFlightPerPartition) {
            this.maxInFlightPerPartition = maxInFlightPerPartition;
        }

        public int getMaxPollRecords() {
            return maxPollRecords;
        }

        public void setMaxPollRecords(int maxPollRecords) {
            this.maxPollRecords = maxPollRecords;
        }

        public int getChunkSize() {
            return chunkSize;
        }

        public void setChunkSize(int chunkSize) {
            this.chunkSize = chunkSize;
        }

        public Duration getLlmTimeout() {
            return llmTimeout;
        }

        public void setLlmTimeout(Duration llmTimeout) {
            this.llmTimeout = llmTimeout;
        }

        public int getLlmMaxAttempts() {
            return llmMaxAttempts;
        }

        public void setLlmMaxAttempts(int llmMaxAttempts) {
            this.llmMaxAttempts = llmMaxAttempts;
        }

        public boolean isCoalescing() {
            return coalescing;
        }

        public void setCoalescing(boolean coalescing) {
            this.coalescing = coalescing;
        }

        public int getMaxProcessingAttempts() {
            return maxProcessingAttempts;
        }

        public void setMaxProcessingAttempts(int maxProcessingAttempts) {
            this.maxProcessingAttempts = maxProcessingAttempts;
        }

        public Duration getStopTimeout() {
            return stopTimeout;
        }

        public void setStopTimeout(Duration stopTimeout) {
            this.stopTimeout = stopTimeout;
        }
    }

    // ------------------------------------------------------------------------------------------ to library options

    /**
     * The options these properties set, on builder: everything but the store, the embedder and the
     * registries.
     */
    SemanticCacheOptions.Builder applyTo(SemanticCacheOptions.Builder builder) {
        builder.name(name)
                .defaultTtl(defaultTtl)
                .categoryThresholds(categoryThresholds)
                .uncertaintyBand(uncertaintyBand)
                .useDefaultCostTable(useDefaultCostTable)
                .embeddingCache(new SemanticCacheOptions.EmbeddingCache(embeddingCache.enabled, embeddingCache.ttl))
                .configRefresh(new SemanticCacheOptions.ConfigRefresh(configRefresh.enabled, configRefresh.interval))
                .discovery(new SemanticCacheOptions.Discovery(discovery.enabled, discovery.heartbeatInterval,
                        discovery.includeCategories))
                .coalescing(new SemanticCacheOptions.Coalescing(coalescing.enabled, coalescing.maxInFlight,
                        coalescing.maxAge))
                .telemetry(new SemanticCacheOptions.Telemetry(telemetry.tracerName, telemetry.metricsPrefix, null,
                        null));
        if (defaultThreshold != null) {
            builder.defaultThreshold(defaultThreshold);
        }
        return builder;
    }

    ValkeyStoreOptions valkeyStoreOptions() {
        return ValkeyStoreOptions.builder().searchConnections(valkey.searchConnections)
                .pipelineDepth(valkey.pipelineDepth).build();
    }

    InMemoryOptions inMemoryOptions() {
        InMemoryOptions.Builder b = InMemoryOptions.builder();
        if (inMemory.maxEntries != null) {
            b.maxEntries(inMemory.maxEntries);
        }
        return b.build();
    }

    RetryPolicy retryPolicy() {
        Retry r = embedding.retry;
        return RetryPolicy.builder().maxAttempts(r.maxAttempts).initialBackoff(r.initialBackoff)
                .maxBackoff(r.maxBackoff).jitter(r.jitter).build();
    }

    // ------------------------------------------------------------------------------------------ validation

    @Override
    public boolean supports(Class<?> type) {
        return SemanticCacheProperties.class.isAssignableFrom(type);
    }

    /**
     * Checks each value against the rule of the library option it feeds, by building that option: an
     * IllegalArgumentException becomes an error on the property, with the library's message.
     */
    @Override
    public void validate(Object target, Errors errors) {
        SemanticCacheProperties p = (SemanticCacheProperties) target;
        check(errors, "name", () -> options().name(p.name).build());
        if (p.defaultThreshold != null) {
            check(errors, "defaultThreshold", () -> options().defaultThreshold(p.defaultThreshold).build());
        }
        check(errors, "defaultTtl", () -> options().defaultTtl(p.defaultTtl).build());
        p.categoryThresholds.forEach((category, threshold) -> check(errors, "categoryThresholds[" + category + "]",
                () -> options().categoryThreshold(category, threshold == null ? Double.NaN : threshold).build()));
        check(errors, "uncertaintyBand", () -> options().uncertaintyBand(p.uncertaintyBand).build());
        check(errors, "embeddingCache.ttl",
                () -> new SemanticCacheOptions.EmbeddingCache(p.embeddingCache.enabled, p.embeddingCache.ttl));
        check(errors, "configRefresh.interval",
                () -> new SemanticCacheOptions.ConfigRefresh(p.configRefresh.enabled, p.configRefresh.interval));
        check(errors, "discovery.heartbeatInterval", () -> new SemanticCacheOptions.Discovery(p.discovery.enabled,
                p.discovery.heartbeatInterval, p.discovery.includeCategories));
        check(errors, "coalescing.maxInFlight", () -> new SemanticCacheOptions.Coalescing(p.coalescing.enabled,
                p.coalescing.maxInFlight, SemanticCacheOptions.Coalescing.DEFAULT.maxAge()));
        check(errors, "coalescing.maxAge", () -> new SemanticCacheOptions.Coalescing(p.coalescing.enabled,
                SemanticCacheOptions.Coalescing.DEFAULT.maxInFlight(), p.coalescing.maxAge));
        check(errors, "telemetry.metricsPrefix",
                () -> new SemanticCacheOptions.Telemetry(null, p.telemetry.metricsPrefix, null, null));
        check(errors, "actuatorTimeout", () -> requirePositive(p.actuatorTimeout));
        validateStore(p, errors);
        validateEmbedding(p, errors);
        check(errors, "startup.timeout", () -> requirePositive(p.startup.timeout));
        check(errors, "startup.maxRetryInterval", () -> requirePositive(p.startup.maxRetryInterval));
    }

    private static void validateStore(SemanticCacheProperties p, Errors errors) {
        if (p.valkey.url != null && !p.valkey.url.isBlank()) {
            check(errors, "valkey.url", () -> RedisURI.create(p.valkey.url));
        }
        check(errors, "valkey.searchConnections",
                () -> ValkeyStoreOptions.builder().searchConnections(p.valkey.searchConnections));
        check(errors, "valkey.pipelineDepth", () -> ValkeyStoreOptions.builder().pipelineDepth(p.valkey.pipelineDepth));
        check(errors, "inMemory.maxEntries", p::inMemoryOptions);
    }

    private static void validateEmbedding(SemanticCacheProperties p, Errors errors) {
        Embedding e = p.embedding;
        if (e.dimensions != null) {
            check(errors, "embedding.dimensions", () -> OllamaEmbeddings.builder().dimensions(e.dimensions));
        }
        if (e.maxBatchSize != null) {
            check(errors, "embedding.maxBatchSize", () -> OllamaEmbeddings.builder().maxBatchSize(e.maxBatchSize));
        }
        check(errors, "embedding.concurrency", () -> OllamaEmbeddings.builder().concurrency(e.concurrency));
        if (e.timeout != null) {
            check(errors, "embedding.timeout", () -> OllamaEmbeddings.builder().timeout(e.timeout));
        }
        check(errors, "embedding.retry.maxAttempts", () -> RetryPolicy.builder().maxAttempts(e.retry.maxAttempts));
        check(errors, "embedding.retry.jitter", () -> RetryPolicy.builder().jitter(e.retry.jitter));
        check(errors, "embedding.retry.initialBackoff", p::retryPolicy);
        if (e.provider == Provider.LOCAL) {
            if (e.model != null) {
                check(errors, "embedding.model", () -> LocalModel.byName(e.model));
            }
            if (e.local.threads != null) {
                check(errors, "embedding.local.threads", () -> LocalEmbedder.builder().threads(e.local.threads));
            }
            if (e.local.batchSize != null) {
                check(errors, "embedding.local.batchSize", () -> LocalEmbedder.builder().batchSize(e.local.batchSize));
            }
        }
        if ((e.google.project == null) != (e.google.location == null)) {
            reject(errors, e.google.project == null ? "embedding.google.project" : "embedding.google.location",
                    "Vertex AI needs both embedding.google.project and embedding.google.location");
        }
    }

    /** A builder that passes the required checks, to build with one value under test. */
    private static SemanticCacheOptions.Builder options() {
        return SemanticCacheOptions.builder().store(keys -> null).embedFn(text -> null);
    }

    private static void requirePositive(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("must be a positive duration, got " + d);
        }
    }

    private static void check(Errors errors, String field, Runnable rule) {
        try {
            rule.run();
        } catch (IllegalArgumentException | NullPointerException e) {
            reject(errors, field, String.valueOf(e.getMessage()));
        }
    }

    /**
     * One error per property, under its name as written in configuration ({@code config-refresh.interval}), which is
     * what Spring Boot's startup report prints and how it finds where the value came from.
     */
    private static void reject(Errors errors, String field, String message) {
        String name = dashed(field);
        if (errors.getFieldErrorCount(field) > 0 || errors instanceof BindingResult r && r.getFieldErrorCount(name) > 0) {
            return;
        }
        if (errors instanceof BindingResult result) {
            result.addError(new FieldError(result.getObjectName(), name, errors.getFieldValue(field), false,
                    new String[] {"invalid"}, null, message));
        } else {
            errors.rejectValue(field, "invalid", message);
        }
    }

    /** {@code configRefresh.interval} to {@code config-refresh.interval}; map keys in brackets are kept. */
    static String dashed(String field) {
        StringBuilder out = new StringBuilder(field.length() + 8);
        boolean inKey = false;
        for (char c : field.toCharArray()) {
            inKey = c == '[' || (inKey && c != ']');
            if (!inKey && Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    // ------------------------------------------------------------------------------------------ accessors

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public Double getDefaultThreshold() {
        return defaultThreshold;
    }

    public void setDefaultThreshold(Double defaultThreshold) {
        this.defaultThreshold = defaultThreshold;
    }

    public Duration getDefaultTtl() {
        return defaultTtl;
    }

    public void setDefaultTtl(Duration defaultTtl) {
        this.defaultTtl = defaultTtl;
    }

    public Map<String, Double> getCategoryThresholds() {
        return categoryThresholds;
    }

    public void setCategoryThresholds(Map<String, Double> categoryThresholds) {
        this.categoryThresholds = categoryThresholds;
    }

    public double getUncertaintyBand() {
        return uncertaintyBand;
    }

    public void setUncertaintyBand(double uncertaintyBand) {
        this.uncertaintyBand = uncertaintyBand;
    }

    public boolean isUseDefaultCostTable() {
        return useDefaultCostTable;
    }

    public void setUseDefaultCostTable(boolean useDefaultCostTable) {
        this.useDefaultCostTable = useDefaultCostTable;
    }

    public StoreType getStore() {
        return store;
    }

    public void setStore(StoreType store) {
        this.store = store;
    }

    public Duration getActuatorTimeout() {
        return actuatorTimeout;
    }

    public void setActuatorTimeout(Duration actuatorTimeout) {
        this.actuatorTimeout = actuatorTimeout;
    }

    public EmbeddingCache getEmbeddingCache() {
        return embeddingCache;
    }

    public ConfigRefresh getConfigRefresh() {
        return configRefresh;
    }

    public Discovery getDiscovery() {
        return discovery;
    }

    public Coalescing getCoalescing() {
        return coalescing;
    }

    public Telemetry getTelemetry() {
        return telemetry;
    }

    public Valkey getValkey() {
        return valkey;
    }

    public InMemory getInMemory() {
        return inMemory;
    }

    public Embedding getEmbedding() {
        return embedding;
    }

    public Startup getStartup() {
        return startup;
    }

    public Kafka getKafka() {
        return kafka;
    }

    /** The property names of {@link Provider}, as written in configuration. */
    static List<String> providerNames() {
        return java.util.Arrays.stream(Provider.values()).map(v -> v.name().toLowerCase(java.util.Locale.ROOT)).toList();
    }
}
