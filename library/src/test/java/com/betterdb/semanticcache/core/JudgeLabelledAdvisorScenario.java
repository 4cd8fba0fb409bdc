package com.betterdb.semanticcache.core;

import com.betterdb.semanticcache.BatchOptions;
import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.JudgeOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.ThresholdAdvice;
import com.betterdb.semanticcache.ThresholdEffectiveness;
import com.betterdb.semanticcache.ThresholdEffectiveness.Recommendation;
import com.betterdb.semanticcache.embed.EmbedFn;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The judge-labelled advisor end to end on a store: one cached prompt, lookups at random distances 0..0.3 from it, and
 * an LLM judge that accepts a hit iff its distance is at most a hidden {@link #RULE}. After each round of lookups the
 * cache's advice (target precision 0.99) is applied to {@code {name}:__config}; from below and from above the rule,
 * the threshold must settle on the rule, and the advice must say how many verdicts it used.
 *
 * <p>Distances are exact by construction: the embedder maps {@code "q:<d>:<i>"} to a vector at cosine distance
 * {@code d} from the cached prompt's.
 */
public abstract class JudgeLabelledAdvisorScenario {

    protected static final double RULE = 0.16;
    protected static final double BAND = 0.05;
    private static final Duration T = Duration.ofSeconds(30);

    private SemanticCache cache;
    private String name;

    /** The options builder with a store and a cache name set. */
    protected abstract SemanticCacheOptions.Builder withStore(String name);

    /** A fresh cache name. */
    protected abstract String newName();

    /** {@code HSET {name}:__config threshold <t>} in the store. */
    protected abstract void writeThreshold(String name, double threshold);

    /** Deletes what the test left (flush keeps the config). */
    protected void cleanUp(String name) {
    }

    static final EmbedFn CONTROLLED = text -> {
        double d = text.startsWith("q:") ? Double.parseDouble(text.split(":")[1]) : 0;
        double c = 1 - d;
        return Mono.just(new float[]{(float) c, (float) Math.sqrt(1 - c * c), 0, 0});
    };

    @AfterEach
    void tearDown() {
        if (cache != null) {
            cache.flush().onErrorResume(e -> Mono.empty()).block(T);
            cache.close();
            cleanUp(name);
        }
    }

    @Test
    void convergesOnTheJudgesHiddenThresholdFromBelow() {
        converge(0.06);
    }

    @Test
    void convergesOnTheJudgesHiddenThresholdFromAbove() {
        converge(0.30);
    }

    private void converge(double start) {
        name = newName();
        cache = SemanticCache.create(withStore(name)
                .embedFn(CONTROLLED)
                .defaultThreshold(start)
                .uncertaintyBand(BAND)
                .meterRegistry(new SimpleMeterRegistry())
                .embeddingCache(SemanticCacheOptions.EmbeddingCache.disabled())
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .build());
        cache.initialize().block(T);
        cache.store("the cached prompt", "the cached answer").block(T);
        CheckOptions judged = CheckOptions.builder()
                .judge(JudgeOptions.of(ctx -> Mono.just(ctx.similarity() <= RULE))).build();

        Random random = new Random(11);
        double current = start;
        List<String> path = new ArrayList<>();
        ThresholdEffectiveness advice = null;
        int judged0 = 0;
        for (int round = 0; round < 12; round++) {
            List<String> prompts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                prompts.add("q:" + 0.3 * random.nextDouble() + ":" + i);
            }
            // The batch path (pipelined searches, one bookkeeping flush per chunk) runs the judge as check() does.
            List<CacheResult> results = cache.checkAllText(Flux.fromIterable(prompts), judged, BatchOptions.defaults())
                    .collectList().block(T);
            assertThat(results).hasSize(200).allSatisfy(r -> assertThat(r.error()).isNull());
            advice = cache.thresholdEffectiveness(null, ThresholdAdvice.judgeLabelled(0.99)).block(T);
            path.add(String.format("%.4f %s (%d labels)", current, advice.recommendation().label(),
                    advice.labels().labelsUsed()));
            assertThat(advice.labels().labelsUsed()).as("verdicts accumulate").isGreaterThan(judged0);
            judged0 = advice.labels().labelsUsed();
            if (advice.recommendation() == Recommendation.OPTIMAL) {
                break;
            }
            assertThat(advice.recommendation()).as(path.toString())
                    .isIn(Recommendation.TIGHTEN_THRESHOLD, Recommendation.LOOSEN_THRESHOLD);
            current = advice.recommendedThreshold();
            writeThreshold(name, current);
            assertThat(cache.refreshConfig().block(T)).isTrue();
            assertThat(cache.currentConfig().defaultThreshold()).isEqualTo(current);
        }
        assertThat(advice.recommendation()).as("settled: %s", path).isEqualTo(Recommendation.OPTIMAL);
        assertThat(current).as("path %s", path).isCloseTo(RULE, within(0.005));
        assertThat(advice.labels().expectedPrecision()).isGreaterThanOrEqualTo(0.98);
        assertThat(advice.labels().accepted()).isLessThan(advice.labels().labelsUsed());
        // The label-free reference mode is untouched by the verdicts: it still reads the window only.
        ThresholdEffectiveness reference = cache.thresholdEffectiveness(null, 10).block(T);
        assertThat(reference.labels()).isNull();
        assertThat(reference.sampleCount()).isEqualTo(advice.sampleCount());
    }
}
