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
import com.betterdb.semanticcache.store.CacheStoreFactory;
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
 * In-memory store unless {@code VALKEY_SEARCH_URL} is set.
 */
public final class BatchBackfill {

    private BatchBackfill() {
    }

    public static void main(String[] args) throws Exception {
        DemoPrompts prompts = DemoPrompts.load();
        String url = System.getenv("VALKEY_SEARCH_URL");
        RedisClient redis = url == null || url.isBlank() ? null : RedisClient.create(url);
        CacheStoreFactory store = redis == null ? CacheStores.inMemory() : CacheStores.valkey(redis);
        try (LocalEmbedder embedder = LocalEmbedder.create()) {
            SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
                    .name("backfill_demo")
                    .store(store)
                    .embedFn(embedder)
                    .batchEmbedFn(embedder)
                    .defaultThreshold(0.25)
                    .discovery(SemanticCacheOptions.Discovery.disabled())
                    .build());
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

            long t1 = System.nanoTime();
            List<CacheResult> results = cache.checkAll(Flux.fromIterable(traffic).map(Prompt::of),
                    CheckOptions.defaults(), BatchOptions.defaults().withMaxInFlight(64)).collectList().block();
            double checkSecs = (System.nanoTime() - t1) / 1e9;
            long hits = results.stream().filter(CacheResult::hit).count();
            var stats = cache.stats().block();
            System.out.printf(Locale.ROOT, "checked %d prompts in %.2f s: %d hits (%.0f%%), cost saved $%.6f%n",
                    results.size(), checkSecs, hits, 100.0 * hits / results.size(), stats.costSavedMicros() / 1e6);
            cache.flush().block();
            cache.close();
        } finally {
            if (redis != null) {
                redis.shutdown();
            }
        }
    }
}
