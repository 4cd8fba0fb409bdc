package com.betterdb.semanticcache.store.memory;

import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's exact KNN over several blocks of the matrix (a dimension that is not a multiple of 4, deleted and
 * rewritten entries, parallel slices) returns exactly the brute-force answer: the same keys, in (distance, key)
 * order, with scores computed by the scalar reference dot product.
 */
class InMemoryBlockedScanTest {

    private static final int DIM = 385;

    private static float[] gaussian(Random r) {
        float[] v = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            v[j] = (float) r.nextGaussian();
        }
        return v;
    }

    private static EntryRecord entry(String key, float[] v) {
        return new EntryRecord(Map.of("prompt", key, "response", "r", "model", "m", "category", ""),
                Float32.encode(v));
    }

    @Test
    void knnOverManyBlocksEqualsBruteForceWithReferenceScores() {
        Random r = new Random(5);
        InMemoryCacheStore store = new InMemoryCacheStore(new CacheKeys("blk"),
                InMemoryOptions.builder().parallelThreshold(200).build());
        store.ensureIndex(Mono.just(DIM)).block();
        TreeMap<String, float[]> live = new TreeMap<>();
        for (int i = 0; i < 3 * VectorMatrix.BLOCK + 17; i++) {
            String key = String.format("blk:entry:%04d", i);
            float[] v = gaussian(r);
            store.putEntry(key, entry(key, v), null).block();
            live.put(key, v);
        }
        List<String> gone = new ArrayList<>();
        for (String key : live.keySet()) {
            if (r.nextInt(5) == 0) {
                gone.add(key);
            }
        }
        store.deleteEntries(gone).block();
        gone.forEach(live::remove);
        for (String key : new ArrayList<>(live.keySet()).subList(0, 40)) { // rewritten: a new row, the old one dead
            float[] v = gaussian(r);
            store.putEntry(key, entry(key, v), null).block();
            live.put(key, v);
        }
        for (int q = 0; q < 10; q++) {
            float[] query = q == 0 ? live.firstEntry().getValue() : gaussian(r);
            float[] unit = InMemoryCacheStore.normalized(query);
            List<Map.Entry<String, Float>> expected = new ArrayList<>();
            live.forEach((key, v) -> expected.add(
                    Map.entry(key, 1f - InMemoryCacheStore.dot(unit, InMemoryCacheStore.normalized(v)))));
            expected.sort(Comparator.<Map.Entry<String, Float>>comparingDouble(Map.Entry::getValue)
                    .thenComparing(Map.Entry::getKey));
            List<Candidate> found = store.knn(query, 5, Filter.all()).block();
            assertThat(found).hasSize(5);
            for (int i = 0; i < 5; i++) {
                assertThat(found.get(i).key()).as("query %d rank %d", q, i).isEqualTo(expected.get(i).getKey());
                assertThat(found.get(i).score()).isEqualTo(InMemoryCacheStore.score(expected.get(i).getValue()));
            }
        }
    }
}
