package com.betterdb.semanticcache.store.memory;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CacheStats;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.Confidence;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.cost.ModelCost;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.testing.TieOrderStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code SemanticCache} over the in-memory store with hand-made 2-d vectors, so every distance is known: the text
 * {@code "d0.08"} embeds at cosine distance 0.08 from {@code [1, 0]}. Threshold 0.1, uncertainty band 0.05 (defaults).
 * Runs once per order of equal distances ({@link TieOrderStore}): no test may depend on the order of ties.
 */
@ParameterizedClass
@EnumSource(TieOrderStore.Order.class)
class SemanticCacheInMemoryTest {

    private final MutableClock clock = new MutableClock(1_780_000_000_000L);
    private final InMemoryCacheStoreFactory server =
            CacheStores.inMemory(InMemoryOptions.builder().clock(clock).build());
    private final Map<String, float[]> vectors = new HashMap<>();
    private SemanticCache cache;
    private final TieOrderStore.Order ties;

    SemanticCacheInMemoryTest(TieOrderStore.Order ties) {
        this.ties = ties;
    }

    /** The unit vector at cosine distance {@code d} from [1, 0]. */
    private static float[] at(double d) {
        double cos = 1 - d;
        return new float[]{(float) cos, (float) Math.sqrt(1 - cos * cos)};
    }

    @BeforeEach
    void setUp() {
        vectors.put("probe", new float[]{1f, 0f});
        vectors.put("stored", new float[]{1f, 0f});
        for (double d : new double[]{0.02, 0.08, 0.3}) {
            vectors.put("d" + d, at(d));
        }
        cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name("facade")
                .store(TieOrderStore.wrap(server, ties))
                .embedFn(text -> Mono.justOrEmpty(vectors.get(text))
                        .switchIfEmpty(Mono.error(new IllegalArgumentException("no vector for " + text))))
                .categoryThreshold("strict", 0.01)
                .modelCost("m-cost", new ModelCost(1.0, 2.0))
                .defaultTtl(Duration.ofSeconds(60))
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .clock(clock)
                .build());
        cache.initialize().block();
    }

    @AfterEach
    void tearDown() {
        cache.close();
    }

    private InMemoryCacheStore store() {
        return server.open("facade");
    }

    @Test
    void hitUncertainAndMissAroundTheThreshold() {
        String key = cache.store("stored", "R").block();

        CacheResult high = cache.check("d0.02").block();
        assertThat(high.hit()).isTrue();
        assertThat(high.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(high.matchedKey()).isEqualTo(key);
        assertThat(high.similarity()).isCloseTo(0.02, within(1e-6));

        CacheResult uncertain = cache.check("d0.08").block();
        assertThat(uncertain.hit()).isTrue();
        assertThat(uncertain.confidence()).isEqualTo(Confidence.UNCERTAIN);

        CacheResult miss = cache.check("d0.3").block();
        assertThat(miss.hit()).isFalse();
        assertThat(miss.similarity()).isCloseTo(0.3, within(1e-6));
        assertThat(miss.nearestMiss()).isNotNull();

        // Equality with the threshold is a hit; just below it is a miss.
        double s = miss.similarity();
        assertThat(cache.check("d0.3", CheckOptions.builder().threshold(s).build()).block().hit()).isTrue();
        assertThat(cache.check("d0.3", CheckOptions.builder().threshold(s - 1e-9).build()).block().hit()).isFalse();
    }

    @Test
    void categoryThresholdsOverrideTheDefault() {
        cache.store("stored", "R").block();
        assertThat(cache.check("d0.02").block().hit()).isTrue();
        assertThat(cache.check("d0.02", CheckOptions.builder().category("strict").build()).block().hit()).isFalse();
        assertThat(cache.check("d0.02", CheckOptions.builder().category("other").build()).block().hit()).isTrue();
    }

    @Test
    void filtersSelectAmongEqualCandidates() {
        String a = cache.store("stored", "from a", StoreOptions.builder().model("model-a").build()).block();
        String b = cache.store("stored", "from b", StoreOptions.builder().model("model-b").build()).block();
        CacheResult rb = cache.check("d0.02", CheckOptions.builder().filter(Filter.model("model-b")).build()).block();
        assertThat(rb.matchedKey()).isEqualTo(b);
        assertThat(rb.response()).isEqualTo("from b");
        CacheResult ra = cache.check("d0.02", CheckOptions.builder().filter(Filter.raw("@model:{model\\-a}")).build())
                .block();
        assertThat(ra.matchedKey()).isEqualTo(a);
        CacheResult none = cache.check("d0.02", CheckOptions.builder().filter(Filter.model("zzz")).build()).block();
        assertThat(none.hit()).isFalse();
        assertThat(none.similarity()).isNull();
        assertThatThrownBy(() -> cache.check("d0.02", CheckOptions.builder().filter(Filter.raw("@prompt:x")).build())
                .block()).isInstanceOf(SemanticCacheUsageError.class);
    }

    @Test
    void rerankSeesTheKNearestCandidates() {
        float[] v = at(0.05);
        vectors.put("second", new float[]{v[0], -v[1]}); // 0.13 from "d0.02": above the threshold, second nearest
        cache.store("stored", "first").block();
        cache.store("second", "second").block();
        CacheResult r = cache.check("d0.02", CheckOptions.builder().rerank(2, (q, cands) -> {
            assertThat(cands).hasSize(2);
            assertThat(cands.get(0).response()).isEqualTo("first");
            return Mono.just(1);
        }).build()).block();
        assertThat(r.hit()).isTrue();
        assertThat(r.response()).isEqualTo("second");
    }

    @Test
    void statsWindowAndCostSaved() {
        String key = cache.store("stored", "R", StoreOptions.builder().model("m-cost").tokens(1000, 500).build())
                .block();
        long costMicros = Long.parseLong(store().entryFields(key).orElseThrow().get("cost_micros"));
        assertThat(costMicros).isEqualTo(2_000_000L); // $1 per 1k in + $2 per 1k out

        CacheResult hit = cache.check("d0.02").block();
        assertThat(hit.costSaved()).isEqualTo(2.0);
        cache.check("d0.3").block();

        CacheStats stats = cache.stats().block();
        assertThat(stats.hits()).isEqualTo(1);
        assertThat(stats.misses()).isEqualTo(1);
        assertThat(stats.total()).isEqualTo(2);
        assertThat(stats.costSavedMicros()).isEqualTo(2_000_000L);
        assertThat(store().readWindow().block()).hasSize(2);
        assertThat(cache.indexInfo().block().numDocs()).isEqualTo(1);
    }

    @Test
    void aHitRefreshesTheEntryTtl() {
        String key = cache.store("stored", "R").block();
        assertThat(store().entryTtl(key)).contains(Duration.ofSeconds(60));
        clock.advance(Duration.ofSeconds(50));
        assertThat(cache.check("d0.02").block().hit()).isTrue();
        assertThat(store().entryTtl(key)).contains(Duration.ofSeconds(60));
        clock.advance(Duration.ofSeconds(50)); // 100 s after the write: alive thanks to the refresh
        assertThat(cache.check("d0.02").block().hit()).isTrue();
        clock.advance(Duration.ofSeconds(61));
        assertThat(cache.check("d0.02").block().hit()).isFalse();
    }

    @Test
    void invalidateAndConfigFromTheStore() {
        cache.store("stored", "R", StoreOptions.builder().model("old").build()).block();
        cache.store("stored", "R", StoreOptions.builder().model("new").build()).block();
        assertThat(cache.invalidateByModel("old").block()).isEqualTo(1);
        assertThat(cache.indexInfo().block().numDocs()).isEqualTo(1);

        store().putConfig("threshold", "0.01");
        assertThat(cache.refreshConfig().block()).isTrue();
        assertThat(cache.check("d0.02").block().hit()).isFalse();
        store().removeConfig("threshold");
        assertThat(cache.refreshConfig().block()).isTrue();
        assertThat(cache.check("d0.02").block().hit()).isTrue();
    }

    @Test
    void aSecondCacheOnTheSameFactorySharesTheData() {
        cache.store("stored", "R").block();
        vectors.remove("probe"); // the second instance must not need to probe
        try (SemanticCache second = SemanticCache.create(cache.options())) {
            second.initialize().block();
            assertThat(second.check("d0.02").block().response()).isEqualTo("R");
        }
    }

    @Test
    void flushEmptiesTheCacheAndKeepsConfig() {
        cache.store("stored", "R").block();
        store().putConfig("threshold", "0.2");
        cache.flush().block();
        cache.initialize().block();
        assertThat(cache.check("d0.02").block().hit()).isFalse();
        assertThat(store().readConfig().block()).containsEntry("threshold", "0.2");
    }
}
