package com.betterdb.semanticcache.examples;

import com.betterdb.semanticcache.BatchOptions;
import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.StoreRequest;
import com.betterdb.semanticcache.StoreResult;
import com.betterdb.semanticcache.embed.local.LocalEmbedder;
import com.betterdb.semanticcache.prompt.Prompt;
import com.betterdb.semanticcache.store.CacheStores;
import io.lettuce.core.RedisClient;
import reactor.core.publisher.Flux;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A batch backfill: loads question/answer pairs into the cache with {@code storeAll} (embedded in batches, written in
 * pipelined chunks), then replays paraphrases through {@code checkAll} and reports the hit rate. The first prompt of
 * every paraphrase group of the demo set is the "historical" question; the others are the traffic that follows.
 *
 * <pre>./mvnw -B -q -Pdemo compile -Ddemo.main=com.betterdb.semanticcache.examples.BatchBackfill</pre>
 * In-memory store unless {@code VALKEY_SEARCH_URL} is set. Like the pipeline demo it counts the hits that served
 * another paraphrase group's answer (wrong answers served), and it closes the cache before the Valkey client.
 */
public final class BatchBackfill {

    private BatchBackfill() {
    }

    public static void main(String[] args) throws Exception {
        DemoPrompts prompts = DemoPrompts.load();
        String url = System.getenv("VALKEY_SEARCH_URL");
        RedisClient redis = url == null || url.isBlank() ? null : RedisClient.create(url);
        LocalEmbedder embedder = LocalEmbedder.create();
        SemanticCache cache = null;
        try {
            cache = SemanticCache.create(SemanticCacheOptions.builder()
                    .name("backfill_demo")
                    .store(redis == null ? CacheStores.inMemory() : CacheStores.valkey(redis))
                    .embedFn(embedder)
                    .batchEmbedFn(embedder)
                    .defaultThreshold(embedder.recommendedThreshold()) // the model's calibrated threshold
                    .discovery(SemanticCacheOptions.Discovery.disabled())
                    .build());
            run(cache, prompts);
        } finally {
            // Dependency order: the cache, then the client it talks through, then the model it embedded with.
            if (cache != null) {
                cache.close();
            }
            if (redis != null) {
                redis.shutdown();
            }
            embedder.close();
        }
    }

    private static void run(SemanticCache cache, DemoPrompts prompts) {
        cache.initialize().block();

        List<StoreRequest> history = new ArrayList<>();
        List<String> traffic = new ArrayList<>();
        for (List<String> group : prompts.groups()) {
            history.add(StoreRequest.of(group.get(0), "Answer to: " + group.get(0),
                    StoreOptions.builder().model("gpt-4o-mini").tokens(40, 120).build()));
            traffic.addAll(group.subList(1, group.size()));
        }
        traffic.addAll(prompts.unrelated());

        long t0 = System.nanoTime();
        List<StoreResult> stored = cache.storeAll(Flux.fromIterable(history), BatchOptions.defaults())
                .collectList().block();
        double storeSecs = (System.nanoTime() - t0) / 1e9;
        long failed = stored.stream().filter(StoreResult::isError).count();
        System.out.printf(Locale.ROOT, "backfilled %d entries in %.2f s (%d failed)%n", stored.size() - failed,
                storeSecs, failed);
        AnswerQuality quality = new AnswerQuality(prompts);
        for (int i = 0; i < stored.size(); i++) {
            if (!stored.get(i).isError()) {
                quality.stored(stored.get(i).key(), history.get(i).prompt().text());
            }
        }

        long t1 = System.nanoTime();
        List<CacheResult> results = cache.checkAll(Flux.fromIterable(traffic).map(Prompt::of),
                CheckOptions.defaults(), BatchOptions.defaults().withMaxInFlight(64)).collectList().block();
        double checkSecs = (System.nanoTime() - t1) / 1e9;
        for (int i = 0; i < results.size(); i++) {
            CacheResult r = results.get(i);
            if (r.hit()) {
                quality.hit(traffic.get(i), r.matchedKey(), r.similarity());
            }
        }
        long hits = results.stream().filter(CacheResult::hit).count();
        var stats = cache.stats().block();
        System.out.printf(Locale.ROOT, "checked %d prompts in %.2f s: %d hits (%.0f%%), cost saved $%.6f%n",
                results.size(), checkSecs, hits, 100.0 * hits / results.size(), stats.costSavedMicros() / 1e6);
        AnswerQuality.Report q = quality.report(3);
        System.out.printf(Locale.ROOT, "right answers %d of %d hits, wrong answers served %d%n", q.sameGroup(),
                q.hits(), q.wrong());
        for (AnswerQuality.Hit w : q.worst()) {
            System.out.printf(Locale.ROOT, "  wrong: \"%s\" -> \"%s\"  %.3f%n", w.prompt(), w.matchedPrompt(),
                    w.distance());
        }
        cache.flush().block();
    }
}
