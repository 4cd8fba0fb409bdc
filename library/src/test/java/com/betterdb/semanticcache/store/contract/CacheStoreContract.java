package com.betterdb.semanticcache.store.contract;

import com.betterdb.semanticcache.ValkeyCommandError;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.store.Bookkeeping;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import com.betterdb.semanticcache.store.IndexDescriptor;
import com.betterdb.semanticcache.store.IndexStats;
import com.betterdb.semanticcache.store.SearchOutcome;
import com.betterdb.semanticcache.store.SearchRequest;
import com.betterdb.semanticcache.store.WindowRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The behaviour every {@link CacheStore} must show through the SPI, as {@code SemanticCache} relies on it. One
 * subclass per store; the in-memory one runs everywhere ({@code InMemoryCacheStoreContractTest}).
 *
 * <p><b>Plugging in a store</b> (e.g. {@code ValkeyCacheStore} in the valkey-search tier):
 * <pre>{@code
 * class ValkeyCacheStoreContractTest extends CacheStoreContract {
 *     // the tier provides the server URL (skip with a message when it is missing) and one connection per class
 *     protected CacheStore newStore(CacheKeys keys) { return new ValkeyCacheStore(connection, false, keys); }
 *     protected String newCacheName() { return "contract-" + UUID.randomUUID(); }   // unique per test (default)
 *     protected void awaitIndexed(CacheStore s, long docs) { poll s.indexStats() until state "ready" and numDocs == docs }
 *     protected long nowMs() { return System.currentTimeMillis(); }                  // the server's clock
 *     protected void advanceTime(Duration d) { Thread.sleep(d.toMillis()); }         // TTL tests use 1 s TTLs
 *     protected Optional<String> readHeartbeat(CacheKeys k) { GET k.heartbeatKey() }
 *     protected Optional<String> readProtocolMarker() { GET __betterdb:protocol }
 *     protected void writeConfig(CacheKeys k, String f, String v) { HSET k.configKey() f v }
 *     protected void cleanUpShared(CacheKeys k) { HDEL __betterdb:caches name; DEL heartbeat }  // flush() keeps them
 * }
 * }</pre>
 * Every test opens its store in {@link #openStore()} under a fresh name and the suite calls {@code flush()} (then
 * {@link #cleanUpShared}) after each test. Expectations that depend on valkey-search specifics are taken from the
 * real replies in {@code shared/fixtures/valkey-search/} (scores of fixtures 10-13).
 *
 * <p>The helpers ({@link #fixtureEntries()}, {@link #put}, {@link #knn}, {@link #miss}, {@link #vector}, ...) are
 * protected so store-specific subclasses can add tests of their own.
 *
 * <p><b>Rule: no test may depend on the order of equal distances.</b> valkey-search's HNSW returns equally distant
 * documents in either order (and picks either at the {@code k} cut); the in-memory store breaks ties by key. A test
 * that passes only because of one store's tie order is wrong. {@link #equalDistancesAreATieOfUndefinedOrder()} states
 * what may be relied on. A subclass over a store with its own fixed tie order must run the suite once per
 * {@link com.betterdb.semanticcache.testing.TieOrderStore.Order} through a
 * {@link com.betterdb.semanticcache.testing.TieOrderStore} (as {@code InMemoryCacheStoreContractTest} does): the two
 * orders are opposite, so a tie-dependent assertion fails in one of the runs, in every build. Tests of
 * {@code SemanticCache} over the in-memory store do the same.
 */
public abstract class CacheStoreContract {

    /** Fixture vectors (shared/fixtures/valkey-search/README.md). */
    protected static final float[] A = {1f, 0f, 0f, 0f};
    protected static final float[] B = {0.9f, 0.1f, 0f, 0f};
    protected static final float[] C = {0f, 0f, 1f, 0f};
    protected static final float[] Q = {1f, 0.05f, 0f, 0f};
    /** valkey-search 1.2.1's {@code __score} for Q against A and B (fixture 11); C is exactly 1. */
    protected static final double SCORE_A = 0.00124764442444;
    protected static final double SCORE_B = 0.00184160470963;
    protected static final long INSERTED_AT = 1_764_400_000_000L;
    protected static final long DAY_MS = 24L * 3600 * 1000;

    protected CacheKeys keys;
    protected CacheStore store;

    // ------------------------------------------------------------------------------------------- hooks

    /** A store for {@code keys}; a second call with the same keys must see the same data (same server). */
    protected abstract CacheStore newStore(CacheKeys keys);

    /** The store's clock ("now" of TTLs), in ms. */
    protected abstract long nowMs();

    /** Lets {@code d} pass on the store's clock (a controllable clock moves; a real server's test sleeps). */
    protected abstract void advanceTime(Duration d);

    /** {@code GET __betterdb:heartbeat:{name}}. */
    protected abstract Optional<String> readHeartbeat(CacheKeys keys);

    /** {@code GET __betterdb:protocol}. */
    protected abstract Optional<String> readProtocolMarker();

    /** {@code HSET {name}:__config field value}. */
    protected abstract void writeConfig(CacheKeys keys, String field, String value);

    /** Waits until the store's index holds {@code expectedDocs} documents and is ready (no-op when immediate). */
    protected void awaitIndexed(CacheStore store, long expectedDocs) {
    }

    /** A cache name no other test uses. */
    protected String newCacheName() {
        return "contract-" + UUID.randomUUID();
    }

    /** Removes what {@code flush()} deliberately keeps (registry entry, heartbeat, config), if the store is shared. */
    protected void cleanUpShared(CacheKeys keys) {
    }

    @BeforeEach
    void openStore() {
        keys = new CacheKeys(newCacheName());
        store = newStore(keys);
    }

    @AfterEach
    void closeStore() {
        try {
            store.flush().block(Duration.ofSeconds(30));
            cleanUpShared(keys);
        } finally {
            store.close();
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    protected static float[] vector(float... values) {
        return values;
    }

    /** An entry hash as the cache writes it (data-format.md §3 order), plus {@code extra} fields. */
    protected static EntryRecord entry(String prompt, String response, String model, String category, long insertedAt,
                                       float[] vector, String... extra) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("prompt", prompt);
        f.put("response", response);
        f.put("model", model);
        f.put("category", category);
        f.put("inserted_at", Long.toString(insertedAt));
        f.put("metadata", "{}");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            f.put(extra[i], extra[i + 1]);
        }
        return new EntryRecord(f, Float32.encode(vector));
    }

    /** The three documents of the fixtures, keyed by id {@code a}, {@code b}, {@code c}. */
    protected static Map<String, EntryRecord> fixtureEntries() {
        Map<String, EntryRecord> m = new LinkedHashMap<>();
        m.put("a", entry("What is the capital of France?", "Paris", "gpt-4o", "geo", INSERTED_AT, A,
                "cost_micros", "113", "temperature", "0.7", "top_p", "1", "seed", "42"));
        m.put("b", entry("Capital of France?", "Paris.", "gpt-4o-mini", "geo", INSERTED_AT + 100, B,
                "content_blocks", "[{\"type\":\"text\",\"text\":\"Paris.\"}]",
                "binary_refs", "sha256:ab12,sha256:cd34", "temperature", "0.2", "top_p", "0.9", "seed", "7"));
        m.put("c", entry("How do I bake bread?", "Knead it.", "claude-3", "", INSERTED_AT + 200, C));
        return m;
    }

    protected IndexDescriptor ensureIndex(int dim) {
        return store.ensureIndex(Mono.just(dim)).block();
    }

    /** Index of dimension 4 with the fixture entries a, b, c, indexed. */
    protected void seedFixture() {
        ensureIndex(4);
        fixtureEntries().forEach((id, e) -> put(id, e, null));
        awaitIndexed(store, 3);
    }

    protected String put(String id, EntryRecord e, Duration ttl) {
        String key = keys.entryKey(id);
        store.putEntry(key, e, ttl).block();
        return key;
    }

    protected List<Candidate> knn(float[] q, int k, Filter filter) {
        return store.knn(q, k, filter).block();
    }

    protected List<String> knnKeys(float[] q, int k, Filter filter) {
        return knn(q, k, filter).stream().map(Candidate::key).toList();
    }

    protected String key(String id) {
        return keys.entryKey(id);
    }

    protected static Bookkeeping miss(long now, String windowMember, String pendingMember) {
        return new Bookkeeping(false, now, windowMember, pendingMember, null, null, 0, null);
    }

    protected static Bookkeeping hit(long now, String windowMember, long costMicros) {
        return new Bookkeeping(true, now, windowMember, null, null, null, costMicros, null);
    }

    protected void record(Bookkeeping... b) {
        store.record(List.of(b)).block();
    }

    protected List<String> windowMembers() {
        return store.readWindow().block().stream().map(WindowRecord::member).toList();
    }

    // ------------------------------------------------------------------------------------------- index

    @Test
    void ensureIndexProbesOnceThenRemembersTheDimension() {
        AtomicInteger probes = new AtomicInteger();
        IndexDescriptor first = store.ensureIndex(Mono.fromCallable(() -> {
            probes.incrementAndGet();
            return 4;
        })).block();
        assertThat(first).isEqualTo(new IndexDescriptor(4, true));
        assertThat(probes).hasValue(1);

        Mono<Integer> failingProbe = Mono.error(new AssertionError("the probe must not be subscribed"));
        assertThat(store.ensureIndex(failingProbe).block()).isEqualTo(new IndexDescriptor(4, true));

        CacheStore second = newStore(keys);
        try {
            assertThat(second.ensureIndex(failingProbe).block()).isEqualTo(new IndexDescriptor(4, true));
        } finally {
            second.close();
        }
    }

    @Test
    void ensureIndexPropagatesProbeErrorsUnchanged() {
        IllegalStateException boom = new IllegalStateException("embedder down");
        assertThatThrownBy(() -> store.ensureIndex(Mono.error(boom)).block()).isSameAs(boom);
        // Nothing was created: the next call probes again.
        assertThat(store.ensureIndex(Mono.just(8)).block().dimension()).isEqualTo(8);
    }

    @Test
    void indexStatsCountsDocumentsAndReportsReady() {
        seedFixture();
        IndexStats s = store.indexStats().block();
        assertThat(s.numDocs()).isEqualTo(3);
        assertThat(s.indexingState()).isEqualTo("ready");
    }

    // ------------------------------------------------------------------------------------------- knn

    @Test
    void knnReturnsTheNearestWithValkeySearchScores() {
        seedFixture();
        List<Candidate> top = knn(Q, 1, Filter.all());
        assertThat(top).hasSize(1);
        assertThat(top.get(0).key()).isEqualTo(key("a"));
        assertThat(top.get(0).score()).isCloseTo(SCORE_A, within(1e-6));
    }

    @Test
    void knnOrdersClosestFirstAndCapsAtK() {
        seedFixture();
        List<Candidate> all = knn(Q, 3, Filter.all());
        assertThat(all).extracting(Candidate::key).containsExactly(key("a"), key("b"), key("c"));
        assertThat(all.get(0).score()).isCloseTo(SCORE_A, within(1e-6));
        assertThat(all.get(1).score()).isCloseTo(SCORE_B, within(1e-6));
        assertThat(all.get(2).score()).isCloseTo(1.0, within(1e-6));

        assertThat(knnKeys(Q, 2, Filter.all())).containsExactly(key("a"), key("b"));
        assertThat(knnKeys(Q, 10, Filter.all())).hasSize(3);
        // Another query point reverses the order of a and b.
        assertThat(knnKeys(vector(0.8f, 0.2f, 0f, 0f), 2, Filter.all())).containsExactly(key("b"), key("a"));
    }

    /**
     * Equal distances form a tie: the store returns the tied entries as a group (closer entries before it, farther ones
     * after), in any order, and any of them at the {@code k} cut. Only sets may be asserted within a group.
     */
    @Test
    void equalDistancesAreATieOfUndefinedOrder() {
        ensureIndex(4);
        for (String id : List.of("t1", "t2", "t3")) {
            put(id, entry("same " + id, "r " + id, "gpt-4o", "geo", INSERTED_AT, vector(1f, 0f, 0f, 0f)), null);
        }
        put("near", entry("near", "r", "gpt-4o", "geo", INSERTED_AT, vector(0.9f, 0.1f, 0f, 0f)), null);
        awaitIndexed(store, 4);
        Set<String> tie = Set.of(key("t1"), key("t2"), key("t3"));

        List<Candidate> all = knn(A, 4, Filter.all());
        assertThat(all).hasSize(4);
        assertThat(all.subList(0, 3)).extracting(Candidate::key).containsExactlyInAnyOrderElementsOf(tie);
        assertThat(all.subList(0, 3)).allSatisfy(c -> assertThat(c.score()).isEqualTo(all.get(0).score()));
        assertThat(all.get(3).key()).isEqualTo(key("near"));
        assertThat(all.get(3).score()).isGreaterThan(all.get(0).score());

        assertThat(knnKeys(A, 1, Filter.all())).hasSize(1).allMatch(tie::contains);
        assertThat(knnKeys(A, 2, Filter.all())).hasSize(2).doesNotHaveDuplicates().allMatch(tie::contains);
        List<SearchOutcome> batch = store.knnAll(List.of(new SearchRequest(A, 2, Filter.all()))).collectList().block();
        assertThat(batch.get(0).candidates()).extracting(Candidate::key).hasSize(2).allMatch(tie::contains);
    }

    @Test
    void knnCandidatesCarryTheTextFieldsButNeverTheEmbedding() {
        seedFixture();
        List<Candidate> all = knn(Q, 3, Filter.all());
        Candidate a = all.get(0);
        assertThat(a.fields()).containsEntry("prompt", "What is the capital of France?")
                .containsEntry("response", "Paris")
                .containsEntry("model", "gpt-4o")
                .containsEntry("category", "geo")
                .containsEntry("cost_micros", "113");
        assertThat(all.get(1).field("content_blocks")).isEqualTo("[{\"type\":\"text\",\"text\":\"Paris.\"}]");
        for (Candidate c : all) {
            assertThat(c.fields()).doesNotContainKey(EntryRecord.EMBEDDING_FIELD);
            assertThat(c.fields().keySet()).isSubsetOf(
                    Set.of("prompt", "response", "model", "category", "cost_micros", "content_blocks", "__score"));
        }
    }

    @Test
    void knnAllAnswersEachVectorInOrder() {
        seedFixture();
        List<SearchOutcome> out = store.knnAll(List.of(new SearchRequest(Q, 1, Filter.all()),
                        new SearchRequest(C, 1, Filter.all()), new SearchRequest(Q, 2, Filter.category("geo")),
                        new SearchRequest(new float[]{1f, 0f}, 1, Filter.all())))
                .collectList().block();
        assertThat(out).hasSize(4);
        assertThat(out.get(0).candidates()).extracting(Candidate::key).containsExactly(key("a"));
        assertThat(out.get(1).candidates()).extracting(Candidate::key).containsExactly(key("c"));
        assertThat(out.get(2).candidates()).extracting(Candidate::key).containsExactly(key("a"), key("b"));
        // A wrong-length vector fails its own search only.
        assertThat(out.get(3).error()).isInstanceOf(ValkeyCommandError.class);
        assertThat(out.get(0).error()).isNull();
        assertThat(out.get(1).candidates().get(0).score()).isCloseTo(0.0, within(1e-6));
    }

    @Test
    void knnWithAWrongLengthQueryFails() {
        seedFixture();
        assertThatThrownBy(() -> knn(vector(1f, 0f, 0f), 1, Filter.all()))
                .isInstanceOf(ValkeyCommandError.class)
                .hasMessageContaining("FT.SEARCH");
    }

    @Test
    void entriesWhoseVectorDoesNotFitTheIndexAreNeverReturned() {
        seedFixture();
        put("short", entry("p", "r", "gpt-4o", "geo", INSERTED_AT, vector(1f, 0.05f, 0f)), null);
        put("long", entry("p", "r", "gpt-4o", "geo", INSERTED_AT, vector(1f, 0.05f, 0f, 0f, 0f)), null);
        awaitIndexed(store, 5);
        assertThat(knnKeys(Q, 10, Filter.all())).containsExactly(key("a"), key("b"), key("c"));
        assertThat(knnKeys(Q, 10, Filter.model("gpt-4o"))).containsExactly(key("a"));
    }

    // ------------------------------------------------------------------------------------------- filters

    @Test
    void tagFiltersMatchExactEscapedValues() {
        seedFixture();
        assertThat(knnKeys(Q, 3, Filter.model("gpt-4o"))).containsExactly(key("a"));
        assertThat(knnKeys(Q, 3, Filter.model("gpt-4o-mini"))).containsExactly(key("b"));
        assertThat(knnKeys(Q, 3, Filter.tag("model", "gpt-4o", "claude-3"))).containsExactly(key("a"), key("c"));
        assertThat(knnKeys(Q, 3, Filter.tag("binary_refs", "sha256:ab12"))).containsExactly(key("b"));
        assertThat(knnKeys(Q, 3, Filter.tag("binary_refs", "sha256:cd34"))).containsExactly(key("b"));
        assertThat(knnKeys(Q, 3, Filter.and(Filter.tag("binary_refs", "sha256:ab12"),
                Filter.tag("binary_refs", "sha256:cd34")))).containsExactly(key("b"));
        assertThat(knnKeys(Q, 3, Filter.tag("binary_refs", "sha256:ab"))).isEmpty();
        assertThat(knnKeys(Q, 3, Filter.raw("@model:{gpt\\-4o\\-mini}"))).containsExactly(key("b"));
        assertThat(knnKeys(Q, 3, Filter.model("llama"))).isEmpty();
    }

    @Test
    void categoryFilterNeverMatchesEntriesWithoutACategory() {
        seedFixture();
        assertThat(knnKeys(Q, 3, Filter.category("geo"))).containsExactly(key("a"), key("b"));
        assertThat(knnKeys(C, 3, Filter.category("geo"))).doesNotContain(key("c"));
        assertThat(knnKeys(C, 3, Filter.not(Filter.category("geo")))).containsExactly(key("c"));
    }

    @Test
    void booleanCombinations() {
        seedFixture();
        assertThat(knnKeys(Q, 3, Filter.and(Filter.category("geo"), Filter.not(Filter.model("gpt-4o")))))
                .containsExactly(key("b"));
        assertThat(knnKeys(Q, 3, Filter.or(Filter.model("claude-3"), Filter.model("gpt-4o-mini"))))
                .containsExactly(key("b"), key("c"));
    }

    @Test
    void numericRangesOnTheNumericFields() {
        seedFixture();
        assertThat(knnKeys(Q, 3, Filter.numeric("inserted_at", INSERTED_AT + 50, Double.POSITIVE_INFINITY)))
                .containsExactly(key("b"), key("c"));
        assertThat(knnKeys(Q, 3, Filter.numeric("inserted_at", INSERTED_AT, false, INSERTED_AT + 200, false)))
                .containsExactly(key("b"));
        assertThat(knnKeys(Q, 3, Filter.numeric("inserted_at", INSERTED_AT, INSERTED_AT + 200))).hasSize(3);
        assertThat(knnKeys(Q, 3, Filter.numeric("temperature", 0.5, 1.0))).containsExactly(key("a"));
        assertThat(knnKeys(Q, 3, Filter.numeric("top_p", 0.95, 1.0))).containsExactly(key("a"));
        assertThat(knnKeys(Q, 3, Filter.numeric("seed", 42, 42))).containsExactly(key("a"));
        assertThat(knnKeys(Q, 3, Filter.numeric("seed", Double.NEGATIVE_INFINITY, 10))).containsExactly(key("b"));
        // Entries without the field never match a range.
        assertThat(knnKeys(Q, 3, Filter.numeric("seed", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)))
                .containsExactly(key("a"), key("b"));
        assertThat(knnKeys(Q, 3, Filter.raw("@inserted_at:[(" + INSERTED_AT + " +inf]"))).containsExactly(key("b"), key("c"));
    }

    // ------------------------------------------------------------------------------------------- entries, TTL

    @Test
    void putEntryOverwritesFieldsAndKeepsOthers() {
        seedFixture();
        put("a", new EntryRecord(Map.of("response", "Paris!"), Float32.encode(A)), null);
        awaitIndexed(store, 3);
        Candidate a = knn(Q, 1, Filter.all()).get(0);
        assertThat(a.key()).isEqualTo(key("a"));
        assertThat(a.field("response")).isEqualTo("Paris!");
        assertThat(a.field("model")).isEqualTo("gpt-4o");
        assertThat(knnKeys(Q, 3, Filter.numeric("seed", 42, 42))).containsExactly(key("a"));
    }

    @Test
    void entriesExpireAfterTheirTtl() {
        ensureIndex(4);
        put("a", fixtureEntries().get("a"), Duration.ofSeconds(1));
        put("c", fixtureEntries().get("c"), null);
        awaitIndexed(store, 2);
        assertThat(knnKeys(Q, 3, Filter.all())).containsExactly(key("a"), key("c"));

        advanceTime(Duration.ofMillis(1600));
        assertThat(knnKeys(Q, 3, Filter.all())).containsExactly(key("c"));
        assertThat(store.indexStats().block().numDocs()).isEqualTo(1);
        assertThat(store.deleteMatching(Filter.model("gpt-4o"), 10).block()).isZero();
    }

    @Test
    void rewritingWithoutTtlKeepsTheExistingTtl() {
        ensureIndex(4);
        put("a", fixtureEntries().get("a"), Duration.ofSeconds(1));
        put("a", new EntryRecord(Map.of("response", "Paris!"), Float32.encode(A)), null);
        advanceTime(Duration.ofMillis(1600));
        assertThat(knnKeys(Q, 3, Filter.all())).isEmpty();
    }

    @Test
    void hitBookkeepingRefreshesTheTtl() {
        ensureIndex(4);
        String a = put("a", fixtureEntries().get("a"), Duration.ofSeconds(1));
        store.record(List.of(new Bookkeeping(true, nowMs(), null, null, a, Duration.ofSeconds(30), 0, null))).block();
        advanceTime(Duration.ofMillis(1600));
        awaitIndexed(store, 1);
        assertThat(knnKeys(Q, 3, Filter.all())).containsExactly(a);
    }

    @Test
    void bookkeepingDeleteKeyRemovesTheEntry() {
        seedFixture();
        store.record(List.of(new Bookkeeping(false, nowMs(), null, null, null, null, 0, key("a")))).block();
        awaitIndexed(store, 2);
        assertThat(knnKeys(Q, 3, Filter.all())).containsExactly(key("b"), key("c"));
    }

    // ------------------------------------------------------------------------------------------- stats, window

    @Test
    void recordCountsHitsMissesAndCost() {
        long now = nowMs();
        record(hit(now, null, 113), hit(now, null, 0), miss(now, null, null));
        assertThat(store.readStats().block()).containsOnly(
                Map.entry("total", "3"), Map.entry("hits", "2"), Map.entry("misses", "1"),
                Map.entry("cost_saved_micros", "113"));
        record(miss(now, null, null));
        assertThat(store.readStats().block()).containsEntry("total", "4").containsEntry("misses", "2")
                .containsEntry("hits", "2").containsEntry("cost_saved_micros", "113");
    }

    @Test
    void statsAreEmptyBeforeAnyRecord() {
        assertThat(store.readStats().block()).isEmpty();
        assertThat(store.readWindow().block()).isEmpty();
        assertThat(store.readConfig().block()).isEmpty();
    }

    @Test
    void windowIsOrderedByScoreThenMember() {
        long now = nowMs();
        record(miss(now, "{\"m\":\"late\"}", null), miss(now - 10, "{\"m\":\"b\"}", null),
                miss(now - 10, "{\"m\":\"a\"}", null));
        List<WindowRecord> w = store.readWindow().block();
        assertThat(w).extracting(WindowRecord::member)
                .containsExactly("{\"m\":\"a\"}", "{\"m\":\"b\"}", "{\"m\":\"late\"}");
        assertThat(w).extracting(WindowRecord::timestampMs)
                .containsExactly((double) (now - 10), (double) (now - 10), (double) now);
    }

    @Test
    void windowKeepsTheNewestTenThousandMembers() {
        long now = nowMs();
        List<Bookkeeping> batch = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) { // 10,001 members
            batch.add(miss(now - 10_000 + i, "{\"i\":" + i + "}", null));
        }
        store.record(batch).block();
        List<String> members = windowMembers();
        assertThat(members).hasSize(10_000);
        assertThat(members.get(0)).isEqualTo("{\"i\":1}");
        assertThat(members.get(members.size() - 1)).isEqualTo("{\"i\":10000}");
    }

    @Test
    void windowDropsMembersSevenDaysOldOrOlder() {
        long now = nowMs();
        record(miss(now - 7 * DAY_MS - 1, "older", null), miss(now - 7 * DAY_MS, "exactly7d", null),
                miss(now - 7 * DAY_MS + 1, "younger", null));
        // The trim is relative to the newest "now" of a record call: nothing is 7 days older than "younger".
        assertThat(windowMembers()).containsExactly("older", "exactly7d", "younger");
        record(miss(now, "fresh", null));
        // Bound inclusive: exactly 7 days old goes.
        assertThat(windowMembers()).containsExactly("younger", "fresh");
        record(miss(now + 2, "fresher", null));
        assertThat(windowMembers()).containsExactly("fresh", "fresher");
    }

    // ------------------------------------------------------------------------------------------- judge verdicts

    private static Bookkeeping verdict(long now, String member) {
        return new Bookkeeping(true, now, null, null, null, null, 0, null, member);
    }

    private List<String> verdictMembers() {
        return store.readJudgeVerdicts().block().stream().map(WindowRecord::member).toList();
    }

    @Test
    void judgeVerdictsAreKeptInTheirOwnSetOldestFirst() {
        long now = nowMs();
        assertThat(store.readJudgeVerdicts().block()).isEmpty();
        store.record(List.of(verdict(now, "{\"v\":\"b\"}"), verdict(now - 5, "{\"v\":\"a\"}"),
                miss(now, "{\"w\":1}", null))).block();
        List<WindowRecord> v = store.readJudgeVerdicts().block();
        assertThat(v).containsExactly(new WindowRecord("{\"v\":\"a\"}", now - 5), new WindowRecord("{\"v\":\"b\"}", now));
        // The window holds only the window member; the stats count the verdict's lookup.
        assertThat(windowMembers()).containsExactly("{\"w\":1}");
        assertThat(store.readStats().block()).containsEntry("total", "3").containsEntry("hits", "2");
    }

    @Test
    void judgeVerdictsKeepTheNewestTenThousandAndThirtyDays() {
        long now = nowMs();
        List<Bookkeeping> batch = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) { // 10,001 members
            batch.add(verdict(now - 10_000 + i, "{\"i\":" + i + "}"));
        }
        store.record(batch).block();
        List<String> members = verdictMembers();
        assertThat(members).hasSize(10_000);
        assertThat(members.get(0)).isEqualTo("{\"i\":1}");

        store.flush().block();
        assertThat(store.readJudgeVerdicts().block()).as("flush() deletes the verdicts").isEmpty();
        long month = 30L * DAY_MS;
        store.record(List.of(verdict(now - month - 1, "older"), verdict(now - month, "exactly30d"),
                verdict(now - month + 1, "younger"))).block();
        store.record(List.of(verdict(now, "fresh"))).block();
        // Bound inclusive, as the window's: exactly 30 days old goes.
        assertThat(verdictMembers()).containsExactly("younger", "fresh");
    }

    @Test
    void pendingMembersOlderThanFiveMinutesArePruned() {
        long t = nowMs();
        record(miss(t - 300_001, null, "p1"), miss(t - 300_000, null, "p2"), miss(t - 299_999, null, "p3"),
                miss(t, null, "p4"));
        // record() prunes below t - 300000 (exclusive bound): p2 stays.
        assertThat(store.pendingMisses(t).block()).containsExactly("p2", "p3", "p4");
        assertThat(store.pendingMisses(t + 1).block()).containsExactly("p3", "p4");
        store.removePending("p3").block();
        assertThat(store.pendingMisses(t + 1).block()).containsExactly("p4");
    }

    @Test
    void windowScoreAndReplaceWindowMember() {
        record(miss(1_000_000, "old-member", "pending-entry"));
        assertThat(store.windowScore("old-member").block()).isEqualTo(1_000_000.0);
        assertThat(store.windowScore("absent").blockOptional()).isEmpty();

        store.replaceWindowMember("old-member", "new-member", 1_000_000, "pending-entry").block();
        assertThat(store.readWindow().block()).containsExactly(new WindowRecord("new-member", 1_000_000.0));
        assertThat(store.windowScore("old-member").blockOptional()).isEmpty();
        assertThat(store.pendingMisses(1_000_000).block()).isEmpty();
    }

    // ------------------------------------------------------------------------------------------- embedding cache

    @Test
    void embeddingCacheRoundTripsBytesAndExpires() {
        byte[] v1 = Float32.encode(vector(0.25f, -1f));
        byte[] v2 = Float32.encode(vector(3f));
        store.putEmbeddings(Map.of("h1", v1, "h2", v2), Duration.ofSeconds(1)).block();
        List<byte[]> got = store.getEmbeddings(List.of("h1", "missing", "h2")).block();
        assertThat(got).hasSize(3);
        assertThat(got.get(0)).isEqualTo(v1);
        assertThat(got.get(1)).isNull();
        assertThat(got.get(2)).isEqualTo(v2);

        advanceTime(Duration.ofMillis(1600));
        assertThat(store.getEmbeddings(List.of("h1", "h2")).block()).containsExactly(null, null);
    }

    // ------------------------------------------------------------------------------------------- invalidation

    @Test
    void deleteMatchingDeletesMatchesAndCountsThem() {
        seedFixture();
        assertThat(store.deleteMatching(Filter.category("geo"), 1000).block()).isEqualTo(2);
        awaitIndexed(store, 1);
        assertThat(knnKeys(Q, 3, Filter.all())).containsExactly(key("c"));
        assertThat(store.deleteMatching(Filter.model("nothing"), 1000).block()).isZero();
    }

    @Test
    void deleteMatchingHonoursTheLimit() {
        ensureIndex(4);
        for (int i = 0; i < 5; i++) {
            put("m" + i, entry("p" + i, "r", "model-x", "bulk", INSERTED_AT + i, A), null);
        }
        put("keep", entry("p", "r", "model-y", "bulk", INSERTED_AT, A), null);
        awaitIndexed(store, 6);
        assertThat(store.deleteMatching(Filter.model("model-x"), 2).block()).isEqualTo(2);
        awaitIndexed(store, 4);
        assertThat(store.deleteMatching(Filter.model("model-x"), 2).block()).isEqualTo(2);
        awaitIndexed(store, 2);
        assertThat(store.deleteMatching(Filter.model("model-x"), 2).block()).isEqualTo(1);
        awaitIndexed(store, 1);
        assertThat(knnKeys(A, 10, Filter.all())).containsExactly(key("keep"));
    }

    // ------------------------------------------------------------------------------------------- whole entries

    @Test
    void searchEntriesPagesMatchingEntriesOldestFirstWithEveryTextField() {
        ensureIndex(4);
        // written out of inserted_at order, so the page order must come from inserted_at
        put("n2", entry("p2", "r2", "m", "notes", INSERTED_AT + 2, A), null);
        put("n0", entry("p0", "r0", "m", "notes", INSERTED_AT, B, "content_blocks", "[]"), null);
        put("n1", entry("p1", "r1", "m", "notes", INSERTED_AT + 1, C), null);
        put("other", entry("p", "r", "m", "elsewhere", INSERTED_AT - 1, A), null);
        awaitIndexed(store, 4);

        List<Candidate> all = store.searchEntries(Filter.category("notes"), 0, 10).block();
        assertThat(all).extracting(Candidate::key).containsExactly(key("n0"), key("n1"), key("n2"));
        Candidate first = all.get(0);
        assertThat(first.fields()).containsEntry("prompt", "p0").containsEntry("response", "r0")
                .containsEntry("metadata", "{}").containsEntry("inserted_at", Long.toString(INSERTED_AT))
                .containsEntry("content_blocks", "[]").doesNotContainKey(EntryRecord.EMBEDDING_FIELD);
        assertThat(first.score()).isNaN();

        assertThat(store.searchEntries(Filter.category("notes"), 0, 2).block()).extracting(Candidate::key)
                .containsExactly(key("n0"), key("n1"));
        assertThat(store.searchEntries(Filter.category("notes"), 2, 2).block()).extracting(Candidate::key)
                .containsExactly(key("n2"));
        assertThat(store.searchEntries(Filter.category("notes"), 3, 2).block()).isEmpty();
        assertThat(store.searchEntries(Filter.category("nothing"), 0, 10).block()).isEmpty();
    }

    @Test
    void searchEntriesWithoutAnIndexFails() {
        assertThatThrownBy(() -> store.searchEntries(Filter.category("notes"), 0, 10).block())
                .isInstanceOf(ValkeyCommandError.class);
    }

    @Test
    void deleteEntriesDeletesExactlyTheGivenKeysAndCountsTheExistingOnes() {
        seedFixture();
        assertThat(store.deleteEntries(List.of(key("a"), key("c"), key("missing"))).block()).isEqualTo(2);
        awaitIndexed(store, 1);
        assertThat(knnKeys(Q, 3, Filter.all())).containsExactly(key("b"));
        assertThat(store.deleteEntries(List.of()).block()).isZero();
    }

    // ------------------------------------------------------------------------------------------- flush

    @Test
    void flushDeletesDataButKeepsConfigRegistryProtocolAndHeartbeat() {
        seedFixture();
        long now = nowMs();
        record(hit(now, "w1", 5), miss(now, "w2", "p1"));
        store.putEmbeddings(Map.of("h1", Float32.encode(A)), Duration.ofSeconds(3600)).block();
        writeConfig(keys, "threshold", "0.2");
        store.writeRegistryMarker("{\"type\":\"semantic_cache\"}").block();
        store.writeProtocolMarker().block();
        store.writeHeartbeat("2026-01-01T00:00:00.000Z", Duration.ofSeconds(60)).block();

        store.flush().block();

        assertThat(store.readStats().block()).isEmpty();
        assertThat(store.readWindow().block()).isEmpty();
        assertThat(store.pendingMisses(now).block()).isEmpty();
        assertThat(store.getEmbeddings(List.of("h1")).block()).containsExactly((byte[]) null);
        assertThat(store.readConfig().block()).containsEntry("threshold", "0.2");
        assertThat(store.readRegistryMarker().block()).isEqualTo("{\"type\":\"semantic_cache\"}");
        assertThat(readProtocolMarker()).contains("1");
        assertThat(readHeartbeat(keys)).contains("2026-01-01T00:00:00.000Z");

        // The index is gone: searching fails, and the next ensureIndex probes again.
        assertThatThrownBy(() -> knn(Q, 1, Filter.all())).isInstanceOf(ValkeyCommandError.class);
        AtomicInteger probes = new AtomicInteger();
        IndexDescriptor d = store.ensureIndex(Mono.fromCallable(() -> {
            probes.incrementAndGet();
            return 4;
        })).block();
        assertThat(probes).hasValue(1);
        assertThat(d.dimension()).isEqualTo(4);
        awaitIndexed(store, 0);
        assertThat(knn(Q, 3, Filter.all())).isEmpty();
        assertThat(store.indexStats().block().numDocs()).isZero();
    }

    // ------------------------------------------------------------------------------------------- discovery

    @Test
    void registryMarkerRoundTrips() {
        assertThat(store.readRegistryMarker().blockOptional()).isEmpty();
        store.writeRegistryMarker("{\"v\":1}").block();
        store.writeRegistryMarker("{\"v\":2}").block();
        assertThat(store.readRegistryMarker().block()).isEqualTo("{\"v\":2}");
    }

    @Test
    void protocolMarkerIsWrittenOnce() {
        store.writeProtocolMarker().block();
        store.writeProtocolMarker().block();
        assertThat(readProtocolMarker()).contains("1");
    }

    @Test
    void heartbeatExpiresAndCanBeDeleted() {
        store.writeHeartbeat("t1", Duration.ofSeconds(1)).block();
        assertThat(readHeartbeat(keys)).contains("t1");
        advanceTime(Duration.ofMillis(1600));
        assertThat(readHeartbeat(keys)).isEmpty();

        store.writeHeartbeat("t2", Duration.ofSeconds(60)).block();
        assertThat(readHeartbeat(keys)).contains("t2");
        store.deleteHeartbeat().block();
        assertThat(readHeartbeat(keys)).isEmpty();
    }

    @Test
    void configIsReadAsWritten() {
        writeConfig(keys, "threshold", "0.15");
        writeConfig(keys, "threshold:faq", "0.05");
        assertThat(store.readConfig().block()).containsOnly(
                Map.entry("threshold", "0.15"), Map.entry("threshold:faq", "0.05"));
    }

    /** For subclasses' diagnostics. */
    protected static String describe(float[] v) {
        return Arrays.toString(v);
    }
}
