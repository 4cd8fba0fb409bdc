package com.betterdb.semanticcache.embed;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.betterdb.semanticcache.BatchOptions;
import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.EmbeddingError;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.StoreRequest;
import com.betterdb.semanticcache.embed.LoopbackServer.Reply;
import com.betterdb.semanticcache.embed.LoopbackServer.Request;
import com.betterdb.semanticcache.store.CacheStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The behaviour every embedding provider shares, checked for each of them (OpenAI, Bedrock with Titan and Cohere,
 * Voyage, Cohere, Ollama, Google with the Gemini API and Vertex AI, LangChain4j) against a loopback server that speaks
 * the provider's exact JSON: request shape and purpose, batch splitting and order, Retry-After, exhausted retries,
 * client errors, malformed replies, timeouts, secrets and prompts kept out of messages and logs, and use through the
 * cache. Retry waits are recorded by a scheduler instead of slept.
 */
class EmbeddingProviderContractTest {

    private static final String PROMPT = "What is the capital of France, and why was it chosen?";
    private static final String OTHER = "Which city is France's capital?";
    private static final Duration INITIAL = Duration.ofMillis(100);

    private LoopbackServer server;
    private RecordingScheduler scheduler;
    private final List<Object> built = new ArrayList<>();

    static Stream<ProviderFixture> providers() {
        return ProviderFixture.ALL.stream();
    }

    @BeforeEach
    void start() throws IOException {
        server = new LoopbackServer();
        scheduler = new RecordingScheduler();
    }

    @AfterEach
    void stop() throws Exception {
        for (Object e : built) {
            if (e instanceof AutoCloseable c) {
                c.close();
            }
        }
        server.close();
    }

    /** A deterministic vector of a text, so a reply can be checked against the input order. */
    static float[] vec(String text, int dims) {
        float[] v = new float[dims];
        v[0] = text.length();
        v[1] = text.hashCode() & 0xff;
        for (int i = 2; i < dims; i++) {
            v[i] = 1f / i;
        }
        return v;
    }

    private Function<Request, Reply> answering(ProviderFixture f, int dims) {
        return r -> Reply.ok(f.okReply(f.textsOf(r).stream().map(t -> vec(t, dims)).toList()));
    }

    private RetryPolicy policy(int attempts) {
        return RetryPolicy.builder().maxAttempts(attempts).initialBackoff(INITIAL).maxBackoff(Duration.ofSeconds(30))
                .scheduler(scheduler).build();
    }

    private Both build(ProviderFixture f, RetryPolicy retry, Duration timeout,
                                                          int maxBatchSize) {
        Object e = f.build(server.baseUrl(), retry, timeout, maxBatchSize);
        built.add(e);
        return new Both((EmbedFn) e, (BatchEmbedFn) e);
    }

    private Both build(ProviderFixture f) {
        return build(f, policy(3), Duration.ofSeconds(10), 0);
    }

    record Both(EmbedFn one, BatchEmbedFn many) {
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void sendsTheProvidersRequestForEachPurpose(ProviderFixture f) {
        server.handler(answering(f, 3));
        Both e = build(f);

        assertThat(e.one().embed(PROMPT, EmbedPurpose.QUERY).block()).containsExactly(vec(PROMPT, 3));
        assertThat(e.one().embed(PROMPT).block()).containsExactly(vec(PROMPT, 3));
        List<float[]> docs = e.many().embedAll(List.of(PROMPT, OTHER), EmbedPurpose.DOCUMENT).block();
        assertThat(docs).containsExactly(vec(PROMPT, 3), vec(OTHER, 3));

        List<Request> rs = server.requests();
        rs.forEach(f::checkRequest);
        assertThat(rs.get(0).json()).isEqualTo(f.expectedBody(List.of(PROMPT), EmbedPurpose.QUERY));
        assertThat(rs.get(1).json()).as("no purpose means a query").isEqualTo(rs.get(0).json());
        List<Request> docRequests = rs.subList(2, rs.size());
        if (f.batchLimit == 1) {
            assertThat(docRequests).hasSize(2).allSatisfy(r ->
                    assertThat(r.json()).isEqualTo(f.expectedBody(f.textsOf(r), EmbedPurpose.DOCUMENT)));
        } else {
            assertThat(docRequests).hasSize(1);
            assertThat(docRequests.get(0).json()).isEqualTo(f.expectedBody(List.of(PROMPT, OTHER), EmbedPurpose.DOCUMENT));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void splitsBatchesAtTheProviderLimitAndKeepsTheOrder(ProviderFixture f) {
        server.handler(answering(f, 3));
        Both byDefault = build(f);
        List<String> texts = IntStream.range(0, f.batchLimit + 1).mapToObj(i -> "text number " + i).toList();
        assertThat(byDefault.many().embedAll(texts).block())
                .containsExactlyElementsOf(texts.stream().map(t -> vec(t, 3)).toList());
        assertThat(server.requests()).extracting(r -> f.textsOf(r).size())
                .containsExactlyInAnyOrder(f.batchLimit, 1);
        assertThat(server.requests().stream().flatMap(r -> f.textsOf(r).stream()))
                .containsExactlyInAnyOrderElementsOf(texts);

        if (f.batchLimit > 1) {
            server.requests().clear();
            Both small = build(f, policy(3), Duration.ofSeconds(10), 3);
            List<String> seven = texts.subList(0, 7);
            assertThat(small.many().embedAll(seven, EmbedPurpose.DOCUMENT).block())
                    .containsExactlyElementsOf(seven.stream().map(t -> vec(t, 3)).toList());
            assertThat(server.requests()).extracting(r -> f.textsOf(r).size()).containsExactlyInAnyOrder(3, 3, 1);
        }
        server.requests().clear();
        assertThat(byDefault.many().embedAll(List.of()).block()).isEmpty();
        assertThat(server.requests()).as("an empty batch sends nothing").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void waitsAsLongAsRetryAfterSaysThenSucceeds(ProviderFixture f) {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                Instant.ofEpochMilli(RecordingScheduler.NOW_MILLIS + 5_000).atOffset(ZoneOffset.UTC));
        AtomicInteger n = new AtomicInteger();
        server.handler(r -> switch (n.incrementAndGet()) {
            case 1 -> f.error(429, "Rate limit reached, please slow down").withHeader("Retry-After", "7");
            case 2 -> f.error(503, "The service is temporarily unavailable").withHeader("Retry-After", date);
            default -> answering(f, 3).apply(r);
        });
        Both e = build(f);

        assertThat(e.one().embed(PROMPT).block()).containsExactly(vec(PROMPT, 3));
        assertThat(server.requests()).hasSize(3);
        if (f.seesRetryAfter()) {
            assertThat(scheduler.delays).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(5));
        } else {
            assertThat(scheduler.delays).hasSize(2).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(INITIAL.multipliedBy(2)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void serverErrorsAreRetriedWithBackoffThenReportedAsATypedError(ProviderFixture f) {
        server.handler(r -> f.error(503, "The service is temporarily unavailable"));
        Both e = build(f);

        EmbeddingError err = catchThrowableOfType(EmbeddingError.class, () -> e.one().embed(PROMPT).block());
        assertThat(err).isNotNull();
        assertThat(err.provider()).isEqualTo(f.provider);
        assertThat(err.status()).isEqualTo(503);
        assertThat(err.providerMessage()).contains("The service is temporarily unavailable");
        assertThat(err.retryable()).isTrue();
        assertThat(err.getMessage()).startsWith(f.provider + " embedding request failed: HTTP 503: ")
                .contains("after 3 attempts");
        assertThat(server.requests()).hasSize(3);
        // exponential backoff with jitter: retry n waits in [initial * 2^(n-1) / 2, initial * 2^(n-1)]
        assertThat(scheduler.delays).hasSize(2);
        assertThat(scheduler.delays.get(0)).isBetween(INITIAL.dividedBy(2), INITIAL);
        assertThat(scheduler.delays.get(1)).isBetween(INITIAL, INITIAL.multipliedBy(2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void clientErrorsAreNotRetried(ProviderFixture f) {
        int status = f.authErrorStatus();
        server.handler(r -> f.error(status, "The security token included in the request is invalid."));
        Both e = build(f);

        EmbeddingError err = catchThrowableOfType(EmbeddingError.class, () -> e.many().embedAll(List.of(PROMPT)).block());
        assertThat(err.provider()).isEqualTo(f.provider);
        assertThat(err.status()).isEqualTo(status);
        assertThat(err.providerMessage()).contains("The security token included in the request is invalid.");
        assertThat(err.retryable()).isFalse();
        assertThat(server.requests()).hasSize(1);
        assertThat(scheduler.delays).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void malformedRepliesAreTypedErrorsAndNotRetried(ProviderFixture f) {
        Both e = build(f);
        List<Function<Request, Reply>> malformed = List.of(
                r -> new Reply(200, java.util.Map.of("Content-Type", "text/html"), "<html>Bad gateway</html>", 0),
                r -> Reply.ok("{\"unexpected\":true}"),
                // one vector short (for a one-text request: none)
                r -> {
                    List<String> texts = f.textsOf(r);
                    return Reply.ok(f.okReply(texts.subList(0, texts.size() - 1).stream().map(t -> vec(t, 3)).toList()));
                });
        // one request: a provider that takes one text per request gets one text
        List<String> texts = f.batchLimit == 1 ? List.of(PROMPT) : List.of(PROMPT, OTHER);
        for (Function<Request, Reply> reply : malformed) {
            server.requests().clear();
            server.handler(reply);
            EmbeddingError err = catchThrowableOfType(EmbeddingError.class, () -> e.many().embedAll(texts).block());
            assertThat(err).as("reply %s", server.requests()).isNotNull();
            assertThat(err.provider()).isEqualTo(f.provider);
            assertThat(err.retryable()).isFalse();
            assertThat(err.getMessage()).doesNotContain(PROMPT).doesNotContain(OTHER);
            assertThat(server.requests()).as("not retried").hasSize(1);
        }
        assertThat(scheduler.delays).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void aSlowReplyTimesOutAndIsRetried(ProviderFixture f) {
        AtomicInteger n = new AtomicInteger();
        server.handler(r -> n.incrementAndGet() == 1
                ? answering(f, 3).apply(r).delayed(5_000) : answering(f, 3).apply(r));
        // a loaded machine may time out a quick reply too: allow for more than one retry
        Both e = build(f, policy(4), Duration.ofMillis(200), 0);
        assertThat(e.one().embed(PROMPT).block()).containsExactly(vec(PROMPT, 3));
        assertThat(server.requests().size()).isGreaterThanOrEqualTo(2);

        server.handler(r -> answering(f, 3).apply(r).delayed(5_000));
        Both once = build(f, RetryPolicy.none(), Duration.ofMillis(200), 0);
        EmbeddingError err = catchThrowableOfType(EmbeddingError.class, () -> once.one().embed(PROMPT).block());
        assertThat(err.provider()).isEqualTo(f.provider);
        assertThat(err.status()).isZero();
        assertThat(err.retryable()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void neitherTheKeyNorThePromptReachesAMessageOrALogLine(ProviderFixture f) {
        // Providers echo input in validation errors and masked keys in auth errors; this body does both, and worse.
        String masked = ProviderFixture.SECRET.substring(0, 7) + "*************************" + ProviderFixture.SECRET.substring(36);
        String echo = "Invalid input '" + PROMPT + "' (first part: '" + PROMPT.substring(0, 30)
                + "...'); incorrect API key provided: " + masked
                + (f.knowsSecret() ? "; key " + ProviderFixture.SECRET : "");
        AtomicInteger n = new AtomicInteger();
        server.handler(r -> n.incrementAndGet() == 1 ? f.error(429, echo) : f.error(400, echo));
        Both e = build(f);

        // Every line of ours at any level, every line of any library at INFO and above (the test configuration's
        // level; a library's own DEBUG output, such as the AWS SDK's, is the user's to enable).
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger ours = (Logger) LoggerFactory.getLogger("com.betterdb");
        Level level = ours.getLevel();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        ours.setLevel(Level.TRACE);
        Throwable thrown;
        try {
            thrown = catchThrowableOfType(EmbeddingError.class, () -> e.one().embed(PROMPT).block());
        } finally {
            ours.setLevel(level);
            root.detachAppender(logs);
        }

        EmbeddingError err = (EmbeddingError) thrown;
        assertThat(err.status()).isEqualTo(400);
        assertThat(err.providerMessage()).contains("Invalid input").contains("[redacted]");
        List<String> texts = new ArrayList<>();
        for (Throwable t = err; t != null; t = t.getCause()) {
            texts.add(String.valueOf(t.getMessage()));
            texts.add(t.toString());
        }
        texts.add(err.providerMessage());
        for (ILoggingEvent event : logs.list) {
            texts.add(event.getFormattedMessage());
            for (IThrowableProxy p = event.getThrowableProxy(); p != null; p = p.getCause()) {
                texts.add(String.valueOf(p.getMessage()));
            }
        }
        assertThat(logs.list).as("the 429 retry is logged").anySatisfy(ev ->
                assertThat(ev.getFormattedMessage()).contains(f.provider).contains("retrying"));
        assertNoneLeaks(texts);
    }

    private static void assertNoneLeaks(Collection<String> texts) {
        for (String t : texts) {
            assertThat(t).doesNotContain(ProviderFixture.SECRET)
                    .doesNotContain(ProviderFixture.SECRET.substring(0, 12))
                    .doesNotContain(ProviderFixture.SECRET.substring(36))
                    .doesNotContain(PROMPT)
                    .doesNotContain(PROMPT.substring(0, 20))
                    .doesNotContain(PROMPT.substring(30));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void throughTheCacheLookupsAreQueriesStoresAreDocumentsAndTheDimensionIsChecked(ProviderFixture f) {
        server.handler(answering(f, 3));
        Both e = build(f);
        SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder().store(CacheStores.inMemory())
                .embedFn(e.one()).batchEmbedFn(e.many())
                .embeddingCache(SemanticCacheOptions.EmbeddingCache.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled()).build());
        try {
            cache.initialize().block();
            server.requests().clear();
            cache.store(PROMPT, "Paris").block();
            List<Request> stores = List.copyOf(server.requests());
            server.requests().clear();
            CacheResult hit = cache.check(PROMPT).block();
            assertThat(hit.hit()).isTrue();
            assertThat(hit.response()).isEqualTo("Paris");
            List<Request> checks = List.copyOf(server.requests());
            server.requests().clear();
            cache.storeAll(Flux.just(StoreRequest.of(OTHER, "Paris"), StoreRequest.of("Capital of Spain?", "Madrid")),
                    BatchOptions.defaults()).collectList().block();
            List<Request> storeAll = List.copyOf(server.requests());
            server.requests().clear();
            cache.checkAllText(Flux.just(OTHER, "Capital of Spain?"), CheckOptions.defaults(), BatchOptions.defaults())
                    .collectList().block();
            List<Request> checkAll = List.copyOf(server.requests());

            if (f.purposeWords() != null) {
                String query = f.purposeWords().get(0);
                String document = f.purposeWords().get(1);
                assertThat(stores).extracting(f::purposeOf).containsOnly(document);
                assertThat(storeAll).isNotEmpty().extracting(f::purposeOf).containsOnly(document);
                assertThat(checks).extracting(f::purposeOf).containsOnly(query);
                assertThat(checkAll).isNotEmpty().extracting(f::purposeOf).containsOnly(query);
            }
            assertThat(stores).isNotEmpty().allSatisfy(r -> assertThat(r.json())
                    .isEqualTo(f.expectedBody(f.textsOf(r), EmbedPurpose.DOCUMENT)));
            assertThat(checks).isNotEmpty().allSatisfy(r -> assertThat(r.json())
                    .isEqualTo(f.expectedBody(f.textsOf(r), EmbedPurpose.QUERY)));
            if (f.batchLimit > 1) {
                assertThat(storeAll).as("one request per chunk").hasSize(1);
                assertThat(checkAll).as("one request per chunk").hasSize(1);
            }

            server.handler(answering(f, 4));
            assertThatThrownBy(() -> cache.check(OTHER).block()).isInstanceOf(SemanticCacheUsageError.class)
                    .hasMessageContaining("index expects 3, embedFn returned 4");

            server.handler(r -> f.error(f.authErrorStatus(), "invalid api token"));
            EmbeddingError err = catchThrowableOfType(EmbeddingError.class, () -> cache.check(OTHER).block());
            assertThat(err.provider()).isEqualTo(f.provider);
            assertThat(err.status()).isEqualTo(f.authErrorStatus());
        } finally {
            cache.close();
        }
    }
}
