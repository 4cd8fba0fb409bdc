package com.betterdb.semanticcache.store.memory;

import com.betterdb.semanticcache.testing.embed.TestEmbedder;

import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.ValkeyCommandError;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** What only the in-memory store promises (beyond {@link InMemoryCacheStoreContractTest}). */
class InMemoryCacheStoreTest {

    private final MutableClock clock = new MutableClock(1_780_000_000_000L);
    private final CacheKeys keys = new CacheKeys("mem");

    private InMemoryCacheStore store(InMemoryOptions.Builder b) {
        return new InMemoryCacheStore(keys, b.clock(clock).build());
    }

    private static EntryRecord entry(String model, float... v) {
        return new EntryRecord(Map.of("prompt", "p", "response", "r", "model", model, "category", "",
                "inserted_at", "1", "metadata", "{}"), Float32.encode(v));
    }

    private static List<String> keysOf(List<Candidate> cs) {
        return cs.stream().map(Candidate::key).toList();
    }

    @Test
    void tiesAreBrokenByKey() {
        InMemoryCacheStore s = store(InMemoryOptions.builder());
        s.ensureIndex(Mono.just(2)).block();
        for (String id : List.of("k3", "k1", "k2")) {
            s.putEntry(id, entry("m", 1f, 0f), null).block();
        }
        assertThat(keysOf(s.knn(new float[]{2f, 0f}, 2, Filter.all()).block())).containsExactly("k1", "k2");
        assertThat(keysOf(s.knn(new float[]{2f, 0f}, 3, Filter.all()).block())).containsExactly("k1", "k2", "k3");
    }

    @Test
    void rawFiltersOutsideTheSupportedSubsetFailWithAUsageError() {
        InMemoryCacheStore s = store(InMemoryOptions.builder());
        s.ensureIndex(Mono.just(2)).block();
        s.putEntry("k", entry("m", 1f, 0f), null).block();
        assertThatThrownBy(() -> s.knn(new float[]{1f, 0f}, 1, Filter.raw("@prompt:hello")).block())
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessageContaining("@prompt:hello");
        assertThatThrownBy(() -> s.deleteMatching(Filter.and(Filter.model("m"), Filter.raw("hello")), 10).block())
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessageContaining("hello");
        assertThat(s.size()).isEqualTo(1);
        assertThat(keysOf(s.knn(new float[]{1f, 0f}, 1, Filter.raw("@model:{m}")).block())).containsExactly("k");
    }

    @Test
    void anEntryExpiresOneMillisecondAfterItsTtl() {
        InMemoryCacheStore s = store(InMemoryOptions.builder());
        s.ensureIndex(Mono.just(2)).block();
        s.putEntry("k", entry("m", 1f, 0f), Duration.ofSeconds(1)).block();
        assertThat(s.entryTtl("k")).contains(Duration.ofSeconds(1));
        clock.advance(Duration.ofMillis(1000));
        assertThat(keysOf(s.knn(new float[]{1f, 0f}, 1, Filter.all()).block())).containsExactly("k");
        clock.advance(Duration.ofMillis(1));
        assertThat(s.knn(new float[]{1f, 0f}, 1, Filter.all()).block()).isEmpty();
        assertThat(s.entryFields("k")).isEmpty();
    }

    @Test
    void aTtlUnderOneSecondDeletesTheEntryLikeExpireZero() {
        InMemoryCacheStore s = store(InMemoryOptions.builder());
        s.putEntry("k", entry("m", 1f, 0f), Duration.ofMillis(999)).block();
        assertThat(s.size()).isZero();
    }

    @Test
    void expiredEntriesAreSweptAndFreed() {
        InMemoryCacheStore s = store(InMemoryOptions.builder());
        s.ensureIndex(Mono.just(2)).block();
        for (int i = 0; i < 3; i++) {
            s.putEntry("t" + i, entry("m", 1f, 0f), Duration.ofSeconds(1)).block();
        }
        s.putEntry("keep", entry("m", 1f, 0f), null).block();
        clock.advance(Duration.ofSeconds(2));
        assertThat(s.sweepExpired()).isEqualTo(3);
        assertThat(s.sweepExpired()).isZero();
        assertThat(s.size()).isEqualTo(1);
        assertThat(s.indexStats().block().numDocs()).isEqualTo(1);
    }

    @Test
    void maxEntriesEvictsTheOldestWrittenFirst() {
        InMemoryCacheStore s = store(InMemoryOptions.builder().maxEntries(3));
        s.ensureIndex(Mono.just(2)).block();
        s.putEntry("a", entry("m", 1f, 0f), null).block();
        s.putEntry("b", entry("m", 1f, 0f), null).block();
        s.putEntry("c", entry("m", 1f, 0f), null).block();
        s.putEntry("a", entry("m2", 1f, 0f), null).block(); // rewrite: a is now the newest
        s.putEntry("d", entry("m", 1f, 0f), null).block();
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.entryFields("b")).isEmpty();
        assertThat(keysOf(s.knn(new float[]{1f, 0f}, 10, Filter.all()).block())).containsExactly("a", "c", "d");
        // A batch larger than the limit keeps its newest elements.
        s.putEntries(List.of("x1", "x2", "x3", "x4"), List.of(entry("m", 1f, 0f), entry("m", 1f, 0f),
                entry("m", 1f, 0f), entry("m", 1f, 0f)), java.util.Arrays.asList(null, null, null, null)).block();
        assertThat(keysOf(s.knn(new float[]{1f, 0f}, 10, Filter.all()).block())).containsExactly("x2", "x3", "x4");
    }

    @Test
    void scoresAreFloat32CosineDistancesOfHighDimensionalVectors() {
        InMemoryCacheStore s = store(InMemoryOptions.builder());
        int dim = 384;
        s.ensureIndex(Mono.just(dim)).block();
        Random r = new Random(42);
        List<float[]> vs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            float[] v = new float[dim];
            for (int j = 0; j < dim; j++) {
                v[j] = (float) r.nextGaussian() * (1 + i % 3); // unnormalised on purpose
            }
            vs.add(v);
            s.putEntry(String.format("e%03d", i), entry("m", v), null).block();
        }
        float[] q = vs.get(7).clone();
        q[0] += 0.5f;
        List<Candidate> top = s.knn(q, 10, Filter.all()).block();
        assertThat(top).hasSize(10);
        assertThat(top.get(0).key()).isEqualTo("e007");
        for (Candidate c : top) {
            double exact = TestEmbedder.cosineDistance(q, vs.get(Integer.parseInt(c.key().substring(1))));
            assertThat(c.score()).isCloseTo(exact, within(1e-6));
        }
        assertThat(top).isSortedAccordingTo(Comparator.comparingDouble(Candidate::score));
    }

    @Test
    void scoreIsRoundedLikeValkeySearchPrintsIt() {
        float[] q = InMemoryCacheStore.normalized(new float[]{1f, 0.05f, 0f, 0f});
        float[] b = InMemoryCacheStore.normalized(new float[]{0.9f, 0.1f, 0f, 0f});
        float[] a = InMemoryCacheStore.normalized(new float[]{1f, 0f, 0f, 0f});
        // Exactly the doubles the Valkey store parses from fixture 11's "__score" strings.
        assertThat(InMemoryCacheStore.score(1f - InMemoryCacheStore.dot(q, a))).isEqualTo(0.00124764442444);
        assertThat(InMemoryCacheStore.score(1f - InMemoryCacheStore.dot(q, b))).isEqualTo(0.00184160470963);
        assertThat(InMemoryCacheStore.score(1f)).isEqualTo(1.0);
        assertThat(InMemoryCacheStore.score(0f)).isEqualTo(0.0);
    }

    @Test
    void aZeroVectorIsAtDistanceOneFromEverything() {
        InMemoryCacheStore s = store(InMemoryOptions.builder());
        s.ensureIndex(Mono.just(2)).block();
        s.putEntry("zero", entry("m", 0f, 0f), null).block();
        assertThat(s.knn(new float[]{1f, 0f}, 1, Filter.all()).block().get(0).score()).isEqualTo(1.0);
    }

    @Test
    void largeScansRunOnTheParallelSchedulerSmallOnesInline() {
        InMemoryCacheStore s = store(InMemoryOptions.builder().parallelThreshold(5));
        s.ensureIndex(Mono.just(2)).block();
        for (int i = 0; i < 5; i++) {
            s.putEntry("k" + i, entry("m", 1f, i), null).block();
        }
        String caller = Thread.currentThread().getName();
        assertThat(s.knn(new float[]{1f, 0f}, 1, Filter.all()).map(x -> Thread.currentThread().getName()).block())
                .isEqualTo(caller);
        s.putEntry("k5", entry("m", 1f, 5f), null).block();
        assertThat(s.knn(new float[]{1f, 0f}, 1, Filter.all()).map(x -> Thread.currentThread().getName()).block())
                .startsWith("parallel-");
    }

    @Test
    void withoutAnIndexSearchesFailButWritesAreKeptForTheIndex() {
        InMemoryCacheStore s = store(InMemoryOptions.builder());
        s.putEntry("early", entry("m", 1f, 0f), null).block();
        assertThatThrownBy(() -> s.knn(new float[]{1f, 0f}, 1, Filter.all()).block())
                .isInstanceOf(ValkeyCommandError.class).hasMessageContaining("mem:idx");
        assertThatThrownBy(() -> s.indexStats().block()).isInstanceOf(ValkeyCommandError.class)
                .hasMessageContaining("FT.INFO");
        s.ensureIndex(Mono.just(2)).block();
        assertThat(keysOf(s.knn(new float[]{1f, 0f}, 1, Filter.all()).block())).containsExactly("early");
    }

    @Test
    void aPresetDimensionSkipsTheProbe() {
        InMemoryCacheStore s = store(InMemoryOptions.builder().dimension(3));
        assertThat(s.ensureIndex(Mono.error(new AssertionError("probed"))).block().dimension()).isEqualTo(3);
    }

    @Test
    void theFactoryHandsOutOneStorePerNameAndFactoriesAreIsolated() {
        InMemoryCacheStoreFactory server = CacheStores.inMemory();
        assertThat(server.open(new CacheKeys("x"))).isSameAs(server.open("x"));
        assertThat(server.open("x")).isNotSameAs(server.open("y"));
        server.open("x").writeRegistryMarker("mx").block();
        server.open("x").writeProtocolMarker().block();
        assertThat(server.open("y").protocolMarker()).contains("1"); // shared keys
        assertThat(server.open("y").readRegistryMarker().blockOptional()).isEmpty();
        InMemoryCacheStoreFactory other = CacheStores.inMemory();
        assertThat(other.open("x").readRegistryMarker().blockOptional()).isEmpty();
        assertThat(other.open("x").protocolMarker()).isEmpty();
    }

    @Test
    void readersAndWritersRunConcurrently() throws Exception {
        InMemoryCacheStore s = store(InMemoryOptions.builder().parallelThreshold(500));
        int dim = 16;
        s.ensureIndex(Mono.just(dim)).block();
        int writers = 4;
        int perWriter = 500;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean writing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger searches = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int id = w;
            futures.add(pool.submit(() -> {
                Random r = new Random(id);
                start.await();
                for (int i = 0; i < perWriter; i++) {
                    float[] v = new float[dim];
                    for (int j = 0; j < dim; j++) {
                        v[j] = r.nextFloat() - 0.5f;
                    }
                    s.putEntry("w" + id + ":" + i, entry("m" + (i % 3), v), null).block();
                    if (i % 50 == 0) {
                        s.deleteMatching(Filter.model("none"), 10).block();
                    }
                }
                return null;
            }));
        }
        for (int rd = 0; rd < 2; rd++) {
            futures.add(pool.submit(() -> {
                start.await();
                float[] q = new float[dim];
                q[0] = 1;
                while (writing.get()) {
                    try {
                        List<Candidate> cs = s.knn(q, 5, Filter.model("m1")).block();
                        assertThat(cs).isSortedAccordingTo(Comparator.comparingDouble(Candidate::score));
                        assertThat(cs).allMatch(c -> c.field("model").equals("m1"));
                        searches.incrementAndGet();
                    } catch (Throwable t) {
                        errors.add(t);
                        return null;
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (int i = 0; i < writers; i++) {
            futures.get(i).get(60, TimeUnit.SECONDS);
        }
        writing.set(false);
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(errors).isEmpty();
        assertThat(searches.get()).isPositive();
        assertThat(s.size()).isEqualTo(writers * perWriter);
        assertThat(s.indexStats().block().numDocs()).isEqualTo(writers * perWriter);
        assertThat(s.knn(new float[dim], 3000, Filter.all()).block()).hasSize(writers * perWriter);
    }
}
