package com.betterdb.semanticcache.testing.llm;

import com.betterdb.semanticcache.CacheEntry;
import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.adapter.RequestScope;
import com.betterdb.semanticcache.filter.Filter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.OTHER;
import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.PARAPHRASE;
import static com.betterdb.semanticcache.testing.llm.AdapterCacheFixture.QUESTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * What every chat adapter does, end to end: each adapter's test extends this class and drives the adapter through its
 * real SDK or framework client ({@link #ask}), pointed at {@link #server}, over the {@link #fx} cache. The server
 * answers {@code Answer 1}, {@code Answer 2}, ... (one text per provider call, so an answer tells which call made it)
 * with a dated model, as providers do.
 * <ul>
 *   <li>first call → one HTTP request and a store, with the model that answered and its cost; a paraphrase → a hit
 *       and zero requests;</li>
 *   <li>another system prompt (or none) → a miss, and every scope keeps its own answer;</li>
 *   <li>another model → a miss; naming the default model is the same scope as naming none;</li>
 *   <li>a paraphrase asked while the first call is at the provider waits for it (one request), marked as joined;</li>
 *   <li>a provider error reaches the caller and nothing is stored;</li>
 *   <li>a cache outage → the provider is still called, counted in {@code semantic_cache_fail_open_total}.</li>
 * </ul>
 * Every test also asserts that nothing failed open unless it meant to (an unplaced text would).
 */
public abstract class ChatAdapterContract {

    protected static final String SYSTEM = "You are a terse geography tutor.";
    protected static final String OTHER_SYSTEM = "You answer like a pirate.";

    /**
     * An answer through the adapter under test: its text, the adapter's {@code isCached} of it, and its
     * {@link CacheHitMetadata#OUTCOME} mark ({@code null} when it has none). Both must agree.
     */
    public record Reply(String text, boolean cached, String outcome) {
        public Reply {
            assertThat(cached).as("isCached of an answer marked %s", outcome).isEqualTo(outcome != null);
        }

        /** A provider's answer to this call. */
        public static Reply miss(String text) {
            return new Reply(text, false, null);
        }

        public static Reply hit(String text) {
            return new Reply(text, true, CacheHitMetadata.OUTCOME_HIT);
        }

        public static Reply joined(String text) {
            return new Reply(text, true, CacheHitMetadata.OUTCOME_JOINED);
        }
    }

    protected final LoopbackLlmServer server = LoopbackLlmServer.start();
    protected final AdapterCacheFixture fx;
    /** Set by a test that expects the cache to fail open. */
    protected boolean expectFailOpen;
    private final String defaultModel;
    private final String otherModel;
    private final String answeringModel;

    /**
     * @param defaultModel   the model a request that names none is sent with
     * @param otherModel     another model
     * @param answeringModel the model (a dated snapshot) the provider names in its answers: what entries must hold
     */
    protected ChatAdapterContract(String cacheName, String defaultModel, String otherModel, String answeringModel) {
        this.fx = new AdapterCacheFixture(cacheName);
        this.defaultModel = defaultModel;
        this.otherModel = otherModel;
        this.answeringModel = answeringModel;
    }

    /**
     * Asks {@code question} through the adapter, with {@code system} as the system prompt ({@code null}: none) and
     * {@code model} ({@code null}: the request names none, so the client's default model answers). Throws what the
     * adapter throws (or signals) on a provider error.
     */
    protected abstract Reply ask(String system, String model, String question);

    /** Checks the exception a provider's HTTP 500 reached the caller as. */
    protected abstract void assertProviderError(Throwable error);

    @BeforeEach
    void answerWithTheSnapshotModel() {
        server.answeringModel(answeringModel);
    }

    @AfterEach
    void closeContract() {
        try {
            if (!expectFailOpen) {
                assertThat(fx.failOpens()).as("fail-open count").isZero();
            }
        } finally {
            fx.close();
            server.close();
        }
    }

    /** The scope ref of a request with a system prompt (or none) and a model, without attachments. */
    protected static String scopeRef(String model, String system) {
        return RequestScope.of(model, java.util.Arrays.asList(RequestScope.part("system", system))).ref(List.of());
    }

    @Test
    void theFirstCallIsOneRequestAndAStoreThenAParaphraseHitsWithoutARequest() {
        Reply first = ask(SYSTEM, null, QUESTION);
        assertThat(first.cached()).isFalse();
        assertThat(first.text()).isEqualTo("Answer 1");
        assertThat(server.requestCount()).isEqualTo(1);
        List<CacheEntry> stored = fx.cache().entries(Filter.model(answeringModel), 0, 10).block();
        assertThat(stored).as("stored with the model that answered").hasSize(1);
        assertThat(stored.get(0).prompt()).isEqualTo(QUESTION);
        assertThat(stored.get(0).response()).isEqualTo("Answer 1");
        assertThat(stored.get(0).field("cost_micros")).as("token usage priced").isNotEmpty();
        assertThat(stored.get(0).field("category")).isEmpty();
        assertThat(stored.get(0).field("binary_refs")).isEqualTo(scopeRef(defaultModel, SYSTEM));

        assertThat(ask(SYSTEM, null, PARAPHRASE)).isEqualTo(Reply.hit("Answer 1"));
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(fx.counter("read_through_total", "outcome", "computed")).isEqualTo(1);
        assertThat(fx.counter("read_through_total", "outcome", "hit")).isEqualTo(1);
        assertThat(fx.counter("cost_saved_total")).isPositive();
    }

    @Test
    void anotherSystemPromptIsAMissAndEveryScopeKeepsItsOwnAnswer() {
        assertThat(ask(SYSTEM, null, QUESTION)).isEqualTo(Reply.miss("Answer 1"));
        assertThat(ask(OTHER_SYSTEM, null, PARAPHRASE)).isEqualTo(Reply.miss("Answer 2"));
        // no system prompt at all is a scope of its own
        assertThat(ask(null, null, PARAPHRASE)).isEqualTo(Reply.miss("Answer 3"));
        assertThat(server.requestCount()).isEqualTo(3);
        assertThat(ask(OTHER_SYSTEM, null, QUESTION)).isEqualTo(Reply.hit("Answer 2"));
        assertThat(ask(null, null, QUESTION)).isEqualTo(Reply.hit("Answer 3"));
        assertThat(ask(SYSTEM, null, PARAPHRASE)).isEqualTo(Reply.hit("Answer 1"));
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @Test
    void anotherModelIsAMissAndNamingTheDefaultModelIsTheSameScopeAsNamingNone() {
        ask(null, null, QUESTION);
        assertThat(ask(null, otherModel, PARAPHRASE)).isEqualTo(Reply.miss("Answer 2"));
        assertThat(server.requests().get(1).json().path("model").asText()).isEqualTo(otherModel);
        assertThat(ask(null, defaultModel, PARAPHRASE)).isEqualTo(Reply.hit("Answer 1"));
        assertThat(ask(null, otherModel, QUESTION)).isEqualTo(Reply.hit("Answer 2"));
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void anotherQuestionIsAMiss() {
        ask(null, null, QUESTION);
        assertThat(ask(null, null, OTHER)).isEqualTo(Reply.miss("Answer 2"));
        assertThat(server.requestCount()).isEqualTo(2);
    }

    /**
     * getOrCompute coalesces concurrent misses: a paraphrase asked while the first call is still at the provider waits
     * for it instead of sending a second request, and gets the answer rebuilt, marked as joined (no tokens of its
     * own: {@code isCached}).
     */
    @Test
    void aConcurrentParaphraseWaitsForTheCallInFlight() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            server.holdReplies();
            Future<Reply> first = callers.submit(() -> ask(null, null, QUESTION));
            waitUntil(() -> server.requestCount() == 1);
            Future<Reply> second = callers.submit(() -> ask(null, null, PARAPHRASE));
            // both lookups missed: the paraphrase has joined the call in flight (nothing is stored yet)
            waitUntil(() -> fx.counter("requests_total", "result", "miss") == 2);
            server.releaseReplies();
            assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(Reply.miss("Answer 1"));
            assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo(Reply.joined("Answer 1"));
            assertThat(server.requestCount()).isEqualTo(1);
            assertThat(fx.counter("read_through_total", "outcome", "joined")).isEqualTo(1);
        } finally {
            server.releaseReplies();
            callers.shutdownNow();
        }
    }

    /** Polls {@code condition} until it holds (30 s at most); the adapter modules need no Awaitility for it. */
    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 30 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void aProviderErrorReachesTheCallerAndNothingIsStored() {
        server.failNext(500, "The server had an error while processing your request.");
        Throwable error = catchThrowable(() -> ask(null, null, QUESTION));
        assertThat(error).as("the provider's error reaches the caller").isNotNull();
        assertProviderError(error);
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(fx.entries()).isZero();
        // the next identical request goes to the provider again
        assertThat(ask(null, null, QUESTION)).isEqualTo(Reply.miss("Answer 2"));
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void aCacheOutageStillCallsTheProviderAndIsCountedAsFailOpen() {
        expectFailOpen = true;
        fx.storeDown(true);
        assertThat(ask(null, null, QUESTION)).isEqualTo(Reply.miss("Answer 1"));
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(fx.counter("fail_open_total", "operation", "check")).isEqualTo(1);
        assertThat(fx.counter("fail_open_total", "operation", "store")).isEqualTo(1);
        fx.storeDown(false);
        assertThat(fx.entries()).isZero();
    }
}
