package com.betterdb.semanticcache.entries;

import com.betterdb.semanticcache.CacheEntry;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.testing.ForwardingCacheStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The whole-entry API ({@code entries}, {@code similarEntries}, {@code deleteEntries}) over the in-memory store, with
 * 2-d vectors at known, distinct distances from the query "q": near 0.02, mid 0.08, far 0.3.
 */
class EntryAccessTest {

    private final Map<String, float[]> vectors = new HashMap<>();
    private final List<List<String>> deletes = new CopyOnWriteArrayList<>();
    private SemanticCache cache;

    private static float[] at(double d) {
        double cos = 1 - d;
        return new float[]{(float) cos, (float) Math.sqrt(1 - cos * cos)};
    }

    private SemanticCache cache(boolean initialize) {
        vectors.put("probe", at(0));
        vectors.put("q", at(0));
        vectors.put("near", at(0.02));
        vectors.put("mid", at(0.08));
        vectors.put("far", at(0.3));
        var memory = CacheStores.inMemory();
        cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name("ea")
                .store(keys -> new ForwardingCacheStore() {
                    private final CacheStore inner = memory.open(keys);

                    @Override
                    protected CacheStore delegate() {
                        return inner;
                    }

                    @Override
                    public Mono<Long> deleteEntries(List<String> entryKeys) {
                        deletes.add(entryKeys);
                        return super.deleteEntries(entryKeys);
                    }
                })
                .embedFn(text -> Mono.justOrEmpty(vectors.get(text))
                        .switchIfEmpty(Mono.error(new IllegalArgumentException("no vector for " + text))))
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .build());
        if (initialize) {
            cache.initialize().block();
        }
        return cache;
    }

    @AfterEach
    void tearDown() {
        if (cache != null) {
            cache.close();
        }
    }

    private String store(String prompt, String response, String category) {
        return cache.store(prompt, response, StoreOptions.builder().category(category).build()).block();
    }

    @Test
    void entriesPagesACategoryInInsertionOrderWithEveryField() {
        SemanticCache c = cache(true);
        String k1 = store("near", "r1", "notes");
        String k2 = store("mid", "r2", "notes");
        store("far", "r3", "other");

        List<CacheEntry> page = c.entries(Filter.category("notes"), 0, 10).block();
        assertThat(page).extracting(CacheEntry::key).containsExactlyInAnyOrder(k1, k2);
        CacheEntry e = page.stream().filter(x -> x.key().equals(k1)).findFirst().orElseThrow();
        assertThat(e.response()).isEqualTo("r1");
        assertThat(e.prompt()).isEqualTo("near");
        assertThat(e.category()).isEqualTo("notes");
        assertThat(e.field("metadata")).isEqualTo("{}");
        assertThat(e.field("inserted_at")).isNotEmpty();
        assertThat(e.distance()).isNaN();
        assertThat(c.entries(Filter.category("notes"), 1, 10).block()).hasSize(1);
        assertThat(c.entries(Filter.category("none"), 0, 10).block()).isEmpty();
    }

    @Test
    void similarEntriesKeepsTheNearestWithinTheThresholdClosestFirst() {
        SemanticCache c = cache(true);
        String near = store("near", "r-near", "notes");
        String mid = store("mid", "r-mid", "notes");
        store("far", "r-far", "notes");
        store("near", "r-elsewhere", "other");

        List<CacheEntry> within = c.similarEntries("q", 10, Filter.category("notes"), 0.1).block();
        assertThat(within).extracting(CacheEntry::key).containsExactly(near, mid);
        assertThat(within.get(0).distance()).isCloseTo(0.02, within(1e-4));
        assertThat(within.get(0).response()).isEqualTo("r-near");

        assertThat(c.similarEntries("q", 1, Filter.category("notes"), 0.1).block())
                .extracting(CacheEntry::key).containsExactly(near);
        assertThat(c.similarEntries("q", 10, Filter.category("notes"), 0.05).block())
                .extracting(CacheEntry::key).containsExactly(near);
        assertThat(c.similarEntries("q", 10, Filter.category("notes"), 2).block()).hasSize(3);
        // not a lookup: no stats recorded
        assertThat(c.stats().block().total()).isZero();
    }

    @Test
    void deleteEntriesDeletesTheGivenKeysOnly() {
        SemanticCache c = cache(true);
        String k1 = store("near", "r1", "notes");
        String k2 = store("mid", "r2", "notes");
        assertThat(c.deleteEntries(List.of(k1, "ea:entry:missing")).block()).isEqualTo(1);
        assertThat(c.entries(Filter.category("notes"), 0, 10).block()).extracting(CacheEntry::key).containsExactly(k2);
    }

    @Test
    void deleteEntriesRefusesKeysOfOtherCachesAndSendsNothingForAnEmptyList() {
        SemanticCache c = cache(true);
        String k1 = store("near", "r1", "notes");
        assertThatThrownBy(() -> c.deleteEntries(List.of(k1, "other:entry:x")).block())
                .isInstanceOf(SemanticCacheUsageError.class).hasMessageContaining("other:entry:x");
        assertThatThrownBy(() -> c.deleteEntries(List.of("ea:entry:")).block())
                .isInstanceOf(SemanticCacheUsageError.class);
        assertThat(c.deleteEntries(List.of()).block()).isZero();
        assertThat(deletes).isEmpty();
        assertThat(c.entries(Filter.category("notes"), 0, 10).block()).hasSize(1);
    }

    @Test
    void everyOperationNeedsInitialize() {
        SemanticCache c = cache(false);
        assertThatThrownBy(() -> c.entries(Filter.category("x"), 0, 10).block())
                .isInstanceOf(SemanticCacheUsageError.class);
        assertThatThrownBy(() -> c.similarEntries("q", 10, Filter.category("x"), 0.1).block())
                .isInstanceOf(SemanticCacheUsageError.class);
        assertThatThrownBy(() -> c.deleteEntries(List.of("ea:entry:1")).block())
                .isInstanceOf(SemanticCacheUsageError.class);
    }

    @Test
    void invalidArgumentsFailFast() {
        SemanticCache c = cache(true);
        assertThatThrownBy(() -> c.entries(Filter.category("x"), -1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.entries(Filter.category("x"), 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.similarEntries("q", 0, Filter.category("x"), 0.1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.similarEntries("q", 1, Filter.category("x"), 2.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
