package com.betterdb.semanticcache.core;

import com.betterdb.semanticcache.BatchOptions;
import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CheckDetail;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.CheckRequest;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.prompt.Prompt;
import com.betterdb.semanticcache.store.CacheStores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code checkAllDetailed}: the same results as {@code checkAll}, each with the query vector, the threshold in force
 * and the distance up to which another prompt may share its answer, so that callers can match lookups against each
 * other without embedding again. Vectors are 2-d and hand-made: "stored" at angle 0, the others at their
 * cosine distance from it.
 */
class CheckAllDetailedTest {

    private final List<String> embedded = new CopyOnWriteArrayList<>();

    private static float[] at(double d) {
        double cos = 1 - d;
        return new float[]{(float) cos, (float) Math.sqrt(1 - cos * cos)};
    }

    /** The cosine distance between {@code at(a)} and {@code at(b)}. */
    private static double between(double a, double b) {
        return 1 - Math.cos(Math.acos(1 - a) - Math.acos(1 - b));
    }

    private final Map<String, float[]> vectors = Map.of("probe", at(0), "stored", at(0), "q", at(0.005), "q-near", at(0.025),
            "q-far", at(0.3));

    private SemanticCache cache() {
        SemanticCache c = SemanticCache.create(SemanticCacheOptions.builder()
                .name("detail")
                .store(CacheStores.inMemory())
                .embedFn(text -> {
                    embedded.add(text);
                    return Mono.justOrEmpty(vectors.get(text))
                            .switchIfEmpty(Mono.error(new IllegalArgumentException("no vector")));
                })
                .defaultThreshold(0.1)
                .categoryThreshold("strict", 0.01)
                .uncertaintyBand(0.05)
                .meterRegistry(new SimpleMeterRegistry())
                .embeddingCache(SemanticCacheOptions.EmbeddingCache.disabled())
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .build());
        c.initialize().block();
        return c;
    }

    @Test
    void carriesTheQueryVectorAndTheRuleOfEachLookupWithTheSameResultsAsCheckAll() {
        SemanticCache cache = cache();
        cache.store("stored", "answer").block();
        Filter filter = Filter.tag("model", "m1");
        List<CheckRequest> requests = List.of(
                CheckRequest.of(Prompt.of("q"), CheckOptions.defaults()),
                CheckRequest.of(Prompt.of("q-near"), CheckOptions.builder().category("strict").build()),
                CheckRequest.of(Prompt.of("q-far"), CheckOptions.builder().threshold(0.5).filter(filter).build()),
                CheckRequest.of(Prompt.of("q"), CheckOptions.builder().judge(ctx -> Mono.just(true)).build()),
                CheckRequest.of(Prompt.of("unknown"), CheckOptions.defaults()));
        List<CacheResult> plain = cache.checkAll(Flux.fromIterable(requests), BatchOptions.defaults()).collectList().block();
        embedded.clear();

        List<CheckDetail> detailed = cache.checkAllDetailed(Flux.fromIterable(requests), BatchOptions.defaults())
                .collectList().block();

        assertThat(embedded).as("one embedding per prompt, none again for the details")
                .containsExactly("q", "q-near", "q-far", "q", "unknown");
        assertThat(detailed).hasSize(5);
        for (int i = 0; i < 4; i++) {
            assertThat(detailed.get(i).result().hit()).as("result %d", i).isEqualTo(plain.get(i).hit());
            assertThat(detailed.get(i).result().similarity()).isEqualTo(plain.get(i).similarity());
        }
        CheckDetail q = detailed.get(0);
        assertThat(q.result().hit()).isTrue();
        assertThat(q.vector()).containsExactly(at(0.005));
        assertThat(q.threshold()).isEqualTo(0.1);
        assertThat(q.category()).isEmpty();
        assertThat(q.filter()).isEqualTo(Filter.all());
        assertThat(q.joinDistance()).as("no judge: the threshold").isEqualTo(0.1);

        CheckDetail strict = detailed.get(1);
        assertThat(strict.result().hit()).isFalse();
        assertThat(strict.category()).isEqualTo("strict");
        assertThat(strict.threshold()).as("the category's threshold").isEqualTo(0.01);
        assertThat(strict.distanceTo(q)).isCloseTo(between(0.025, 0.005), within(1e-6));
        assertThat(q.distanceTo(strict)).isCloseTo(strict.distanceTo(q), within(1e-12));

        CheckDetail far = detailed.get(2);
        assertThat(far.threshold()).as("the request's threshold").isEqualTo(0.5);
        assertThat(far.filter().toQuery()).isEqualTo(filter.toQuery());
        assertThat(far.distanceTo(q)).isCloseTo(between(0.3, 0.005), within(1e-6));

        CheckDetail judged = detailed.get(3);
        assertThat(judged.joinDistance()).as("with a judge: only what is served without asking it")
                .isLessThan(0.1 - 0.05).isCloseTo(0.05, within(1e-9));

        CheckDetail failed = detailed.get(4);
        assertThat(failed.result().isError()).isTrue();
        assertThat(failed.vector()).as("no vector when the embedding failed").isNull();
        assertThat(failed.distanceTo(q)).isEqualTo(Double.POSITIVE_INFINITY);
    }
}
