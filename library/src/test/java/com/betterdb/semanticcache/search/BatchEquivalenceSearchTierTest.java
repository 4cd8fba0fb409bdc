package com.betterdb.semanticcache.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.betterdb.semanticcache.BatchOptions;
import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CacheStats;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.StoreRequest;
import com.betterdb.semanticcache.StoreResult;
import com.betterdb.semanticcache.prompt.Prompt;
import com.betterdb.semanticcache.testing.ValkeySearchServer;
import com.betterdb.semanticcache.testing.ValkeyServer;
import com.betterdb.semanticcache.testing.ValkeySearchTest;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * The batch APIs against their single forms on the real module, over more entries than one invalidation page:
 * {@code storeAll} writes exactly what {@code store} writes, and {@code checkAll} answers every prompt as
 * {@code check} does (same decision, same score, an equally near entry).
 */
@ValkeySearchTest
class BatchEquivalenceSearchTierTest {

    private static final int DIM = 64;
    private static final int STORED = 1_050;
    private static final List<String> TEXTS = TestEmbedder.variedTexts(STORED + 150);
    private static final List<String> PROMPTS = TEXTS.subList(0, STORED);
    private static final List<float[]> VECTORS = PROMPTS.stream().map(p -> TestEmbedder.spread(p, DIM)).toList();

    private final ValkeySearchServer server;
    private final SearchCaches caches;

    BatchEquivalenceSearchTierTest(ValkeySearchServer server) {
        this.server = server;
        this.caches = new SearchCaches(server);
    }

    @AfterEach
    void close() {
        caches.close();
    }

    private static StoreRequest request(int i) {
        StoreOptions.Builder o = StoreOptions.builder().category("c" + i % 5).model(i % 3 == 0 ? "gpt-4o" : "claude-3")
                .tokens(10 + i % 7, 20 + i % 11).metadata("n", i);
        if (i % 4 == 0) {
            o.ttl(Duration.ofHours(1));
        }
        if (i % 6 == 0) {
            o.temperature(0.1 * (i % 10)).topP(0.5).seed(i);
        }
        return StoreRequest.of(PROMPTS.get(i), "answer " + i, o.build());
    }

    private SemanticCache cache(String prefix) {
        // Spread vectors: HNSW is approximate, and the test is about the batch paths, not about recall.
        return caches.initialized(caches.newName(prefix), TestEmbedder.spreadEmbedFn(DIM), b -> { });
    }

    @Test
    void storeAllWritesWhatStoreWrites() {
        SemanticCache batch = cache("sall");
        SemanticCache single = cache("sone");
        List<StoreResult> results = batch.storeAll(Flux.range(0, STORED).map(BatchEquivalenceSearchTierTest::request),
                BatchOptions.defaults()).collectList().block(SearchCaches.T);
        assertThat(results).hasSize(STORED).noneMatch(StoreResult::isError);
        List<String> keys = Flux.range(0, STORED)
                .flatMapSequential(i -> single.store(request(i).prompt(), request(i).response(), request(i).options()), 16)
                .collectList().block(SearchCaches.T);
        assertThat(keys).hasSize(STORED).doesNotHaveDuplicates();
        Map<String, Map<String, String>> written = entriesByPrompt(batch.name());
        assertThat(written).hasSize(STORED);
        assertThat(written).isEqualTo(entriesByPrompt(single.name()));
        SearchCaches.awaitDocs(batch, STORED);
        SearchCaches.awaitDocs(single, STORED);
    }

    @Test
    void checkAllAnswersEveryPromptAsCheckDoes() {
        SemanticCache cache = cache("call");
        cache.storeAll(Flux.range(0, STORED).map(BatchEquivalenceSearchTierTest::request), BatchOptions.defaults())
                .blockLast(SearchCaches.T);
        SearchCaches.awaitDocs(cache, STORED);

        List<CacheResult> batch = cache.checkAll(Flux.fromIterable(TEXTS).map(Prompt::of)).collectList()
                .block(SearchCaches.T);
        List<CacheResult> single = Flux.fromIterable(TEXTS).flatMapSequential(cache::check, 8).collectList()
                .block(SearchCaches.T);
        assertThat(batch).hasSize(TEXTS.size());
        int hits = 0;
        for (int i = 0; i < TEXTS.size(); i++) {
            CacheResult b = batch.get(i);
            CacheResult s = single.get(i);
            String what = TEXTS.get(i) + ": batch " + b + " single " + s;
            assertThat(b.error()).as(what).isNull();
            assertThat(b.hit()).as(what).isEqualTo(s.hit());
            assertThat(b.confidence()).as(what).isEqualTo(s.confidence());
            assertThat(b.similarity()).as(what).isEqualTo(s.similarity());
            if (b.hit()) {
                hits++;
                List<String> nearest = TestEmbedder.nearest(TestEmbedder.spread(TEXTS.get(i), DIM), VECTORS, 1e-6).stream()
                        .map(j -> "answer " + j).toList();
                assertThat(b.response()).as(what).isIn(nearest);
                assertThat(s.response()).as(what).isIn(nearest);
            }
        }
        assertThat(IntStream.range(0, STORED).filter(i -> batch.get(i).hit()).count())
                .as("stored prompts found again").isEqualTo(STORED);
        CacheStats stats = cache.stats().block(SearchCaches.T);
        assertThat(stats.total()).isEqualTo(2L * TEXTS.size());
        assertThat(stats.hits()).isEqualTo(2L * hits);
    }

    /** Every entry hash of the cache, keyed by prompt: fields as text, the embedding as hex, TTL as set or not. */
    private Map<String, Map<String, String>> entriesByPrompt(String name) {
        List<String> keys = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = server.commands().scan(cursor,
                    ScanArgs.Builder.matches(name + ":entry:*").limit(1000));
            keys.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        Map<String, Map<String, String>> out = new TreeMap<>();
        try (ValkeyServer.BinaryConnection binary = server.openBinary()) {
            RedisAsyncCommands<byte[], byte[]> async = binary.connection().async();
            List<RedisFuture<Map<byte[], byte[]>>> hashes = new ArrayList<>();
            List<RedisFuture<Long>> ttls = new ArrayList<>();
            for (String key : keys) { // pipelined: one round trip for all
                hashes.add(async.hgetall(key.getBytes(StandardCharsets.UTF_8)));
                ttls.add(async.ttl(key.getBytes(StandardCharsets.UTF_8)));
            }
            for (int i = 0; i < keys.size(); i++) {
                Map<String, String> fields = new HashMap<>();
                hashes.get(i).toCompletableFuture().join().forEach((f, v) -> {
                    String field = new String(f, StandardCharsets.UTF_8);
                    fields.put(field, field.equals("embedding") ? HexFormat.of().formatHex(v)
                            : new String(v, StandardCharsets.UTF_8));
                });
                fields.remove("inserted_at"); // the time of the write
                fields.put("(ttl set)", Boolean.toString(ttls.get(i).toCompletableFuture().join() > 0));
                out.put(fields.get("prompt"), fields);
            }
        }
        return out;
    }
}
