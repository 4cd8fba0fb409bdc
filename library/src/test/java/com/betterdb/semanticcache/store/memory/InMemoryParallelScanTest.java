package com.betterdb.semanticcache.store.memory;

import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A scan split into parallel slices returns exactly what one scan returns (order, ties, filters). */
class InMemoryParallelScanTest {

    private static InMemoryCacheStore store(int parallelThreshold, List<String> keys, List<EntryRecord> entries) {
        InMemoryCacheStore s = new InMemoryCacheStore(new CacheKeys("par"),
                InMemoryOptions.builder().parallelThreshold(parallelThreshold).build());
        s.ensureIndex(Mono.just(16)).block();
        s.putEntries(keys, entries, Collections.nCopies(keys.size(), null)).block();
        return s;
    }

    @Test
    void slicedScanEqualsSingleScan() {
        Random r = new Random(11);
        List<String> keys = new ArrayList<>();
        List<EntryRecord> entries = new ArrayList<>();
        float[] dup = null;
        for (int i = 0; i < 6000; i++) {
            float[] v = new float[16];
            for (int j = 0; j < 16; j++) {
                v[j] = (float) r.nextGaussian();
            }
            if (i % 1000 == 7) { // identical vectors in different slices: ties broken by key
                dup = dup == null ? v : dup;
                v = dup.clone();
            }
            Map<String, String> f = new LinkedHashMap<>();
            f.put("prompt", "p" + i);
            f.put("response", "r" + i);
            f.put("model", i % 2 == 0 ? "even" : "odd");
            f.put("category", "");
            keys.add("par:entry:" + String.format("%05d", i));
            entries.add(new EntryRecord(f, Float32.encode(v)));
        }
        InMemoryCacheStore sliced = store(1000, keys, entries);   // several slices on any multi-core machine
        InMemoryCacheStore single = store(1_000_000, keys, entries); // one inline scan
        for (int q = 0; q < 20; q++) {
            float[] query = q == 0 ? dup : new float[16];
            if (q > 0) {
                for (int j = 0; j < 16; j++) {
                    query[j] = (float) r.nextGaussian();
                }
            }
            for (Filter filter : List.of(Filter.all(), Filter.model("odd"))) {
                List<Candidate> a = sliced.knn(query, 7, filter).block();
                List<Candidate> b = single.knn(query, 7, filter).block();
                assertThat(a).isEqualTo(b);
                assertThat(a).hasSize(7);
            }
        }
        // The duplicated vector is at distance ~0 in six places; the smallest keys come first.
        List<Candidate> ties = sliced.knn(dup, 6, Filter.all()).block();
        assertThat(ties).extracting(Candidate::key).isSorted();
        assertThat(ties.get(0).key()).isEqualTo("par:entry:00007");
    }
}
