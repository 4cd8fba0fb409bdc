package com.betterdb.semanticcache.store.memory;

import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The approximate (HNSW) path of the in-memory store: it finds what the exact scan finds for queries near stored
 * vectors, with the exact scores, and keeps the exact path's filter, TTL, delete and rewrite semantics.
 */
class InMemoryHnswTest {

    private static final int DIM = 16;

    private final MutableClock clock = new MutableClock(1_767_225_600_000L);

    private InMemoryCacheStore store(boolean approximate) {
        InMemoryOptions.Builder b = InMemoryOptions.builder().clock(clock).parallelThreshold(1_000_000);
        if (approximate) {
            b.hnsw(HnswOptions.builder().minEntries(0).build());
        }
        InMemoryCacheStore s = new InMemoryCacheStore(new CacheKeys("hnsw"), b.build());
        s.ensureIndex(Mono.just(DIM)).block();
        return s;
    }

    private static float[] random(Random r) {
        float[] v = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            v[j] = (float) r.nextGaussian();
        }
        return v;
    }

    private static EntryRecord entry(int i, float[] v) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("prompt", "p" + i);
        f.put("response", "r" + i);
        f.put("model", i % 2 == 0 ? "even" : "odd");
        f.put("category", "");
        return new EntryRecord(f, Float32.encode(v));
    }

    private static void fill(List<InMemoryCacheStore> stores, List<float[]> vectors, Duration ttl) {
        List<String> keys = new ArrayList<>();
        List<EntryRecord> entries = new ArrayList<>();
        for (int i = 0; i < vectors.size(); i++) {
            keys.add(String.format("hnsw:entry:%05d", i));
            entries.add(entry(i, vectors.get(i)));
        }
        for (InMemoryCacheStore s : stores) {
            s.putEntries(keys, entries, Collections.nCopies(keys.size(), ttl)).block();
        }
    }

    @Test
    void findsTheExactNearestForQueriesNearStoredVectorsWithExactScores() {
        Random r = new Random(3);
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            vectors.add(random(r));
        }
        InMemoryCacheStore exact = store(false);
        InMemoryCacheStore approx = store(true);
        fill(List.of(exact, approx), vectors, null);
        for (int q = 0; q < 100; q++) {
            float[] query = vectors.get(r.nextInt(vectors.size())).clone();
            query[q % DIM] += 0.05f;
            List<Candidate> a = approx.knn(query, 3, Filter.all()).block();
            List<Candidate> e = exact.knn(query, 3, Filter.all()).block();
            assertThat(a.get(0).key()).isEqualTo(e.get(0).key());
            assertThat(a.get(0).score()).isEqualTo(e.get(0).score()); // exact distance for what is found
            assertThat(a).hasSize(3);
            assertThat(a).isSortedAccordingTo((x, y) -> Double.compare(x.score(), y.score()));
        }
    }

    @Test
    void keepsFilterTtlDeleteAndRewriteSemantics() {
        Random r = new Random(5);
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            vectors.add(random(r));
        }
        InMemoryCacheStore approx = store(true);
        fill(List.of(approx), vectors, Duration.ofSeconds(60));
        float[] q = vectors.get(10); // entry 10 is "even"

        // Filter: only odd entries may come back, however close the even one is.
        List<Candidate> odd = approx.knn(q, 5, Filter.model("odd")).block();
        assertThat(odd).isNotEmpty().allSatisfy(c -> assertThat(c.fields().get("model")).isEqualTo("odd"));
        assertThat(approx.knn(q, 1, Filter.all()).block().get(0).key()).isEqualTo("hnsw:entry:00010");

        // Rewrite: a new vector for entry 10 moves it; the old row is dead.
        float[] moved = random(r);
        approx.putEntry("hnsw:entry:00010", entry(10, moved), null).block();
        assertThat(approx.knn(q, 1, Filter.all()).block().get(0).key()).isNotEqualTo("hnsw:entry:00010");
        assertThat(approx.knn(moved, 1, Filter.all()).block().get(0).key()).isEqualTo("hnsw:entry:00010");

        // Delete: gone from results.
        assertThat(approx.deleteMatching(Filter.model("odd"), 1000).block()).isEqualTo(250);
        assertThat(approx.knn(random(r), 20, Filter.all()).block())
                .allSatisfy(c -> assertThat(c.fields().get("model")).isEqualTo("even"));

        // TTL: past it, nothing comes back.
        clock.advance(Duration.ofSeconds(61));
        assertThat(approx.knn(q, 5, Filter.all()).block()).isEmpty();
    }

    @Test
    void manyDeletesRenumberRowsAndTheGraphFollows() {
        Random r = new Random(9);
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            vectors.add(random(r));
        }
        InMemoryCacheStore exact = store(false);
        InMemoryCacheStore approx = store(true);
        fill(List.of(exact, approx), vectors, null);
        // Delete most entries, then write new ones until the matrix compacts (renumbers its rows).
        for (InMemoryCacheStore s : List.of(exact, approx)) {
            s.deleteMatching(Filter.model("odd"), 1000).block();
        }
        List<float[]> more = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            more.add(random(r));
        }
        List<String> keys = new ArrayList<>();
        List<EntryRecord> entries = new ArrayList<>();
        for (int i = 0; i < more.size(); i++) {
            keys.add(String.format("hnsw:entry:new%05d", i));
            entries.add(entry(i, more.get(i)));
        }
        for (InMemoryCacheStore s : List.of(exact, approx)) {
            s.putEntries(keys, entries, Collections.nCopies(keys.size(), null)).block();
        }
        for (int i = 0; i < 50; i++) {
            float[] q = more.get(r.nextInt(more.size()));
            assertThat(approx.knn(q, 1, Filter.all()).block().get(0).key())
                    .isEqualTo(exact.knn(q, 1, Filter.all()).block().get(0).key());
        }
    }
}
