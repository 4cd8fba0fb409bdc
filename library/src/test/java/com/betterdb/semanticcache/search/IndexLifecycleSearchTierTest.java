package com.betterdb.semanticcache.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.betterdb.semanticcache.BatchOptions;
import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.IndexInfo;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.StoreRequest;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Prompt;
import com.betterdb.semanticcache.testing.ValkeySearchServer;
import com.betterdb.semanticcache.testing.ValkeySearchTest;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The index's life on the real module: creation raced by another instance, initialising while the index back-fills,
 * a dimension that does not fit the existing index, an index created without {@code binary_refs}, k larger than the
 * index, and FT.DROPINDEX on flush followed by a fresh FT.CREATE.
 */
@ValkeySearchTest
class IndexLifecycleSearchTierTest {

    private final ValkeySearchServer server;
    private final SearchCaches caches;

    IndexLifecycleSearchTierTest(ValkeySearchServer server) {
        this.server = server;
        this.caches = new SearchCaches(server);
    }

    @AfterEach
    void close() {
        caches.close();
    }

    /** Embeds with {@link TestEmbedder} at {@code dim} and counts the calls. */
    private static EmbedFn counting(int dim, AtomicInteger calls) {
        return text -> Mono.fromCallable(() -> {
            calls.incrementAndGet();
            return TestEmbedder.embed(text, dim);
        });
    }

    private List<String> indexes() {
        return server.indexNames();
    }

    @Test
    void anotherInstanceCreatingTheIndexBetweenInfoAndCreateIsAdopted() {
        String name = caches.newName("race");
        SemanticCache first = caches.create(name, TestEmbedder.embedFn(8), b -> { });
        // The second instance's dimension probe runs after its FT.INFO found no index and before its FT.CREATE:
        // the first instance creates the index right then, so the second's FT.CREATE meets "already exists".
        AtomicInteger probes = new AtomicInteger();
        SemanticCache second = caches.create(name, text -> probes.getAndIncrement() == 0
                ? first.initialize().then(Mono.fromCallable(() -> TestEmbedder.embed(text, 8)))
                : Mono.fromCallable(() -> TestEmbedder.embed(text, 8)), b -> { });
        second.initialize().block(SearchCaches.T);

        assertThat(indexes()).containsOnlyOnce(name + ":idx");
        assertThat(second.indexInfo().block(SearchCaches.T).dimension()).isEqualTo(8);
        first.store("written by the first", "one").block(SearchCaches.T);
        second.store("written by the second", "two").block(SearchCaches.T);
        SearchCaches.awaitDocs(first, 2);
        assertThat(second.check("written by the first").block(SearchCaches.T).response()).isEqualTo("one");
        assertThat(first.check("written by the second").block(SearchCaches.T).response()).isEqualTo("two");
    }

    @Test
    void manyInstancesInitialisingAtOnceShareOneIndex() {
        String name = caches.newName("crowd");
        List<SemanticCache> crowd = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            crowd.add(caches.create(name, TestEmbedder.embedFn(8), b -> { }));
        }
        Flux.fromIterable(crowd).flatMap(c -> c.initialize().subscribeOn(Schedulers.parallel())).blockLast(SearchCaches.T);
        assertThat(indexes()).containsOnlyOnce(name + ":idx");
        for (SemanticCache c : crowd) {
            assertThat(c.indexInfo().block(SearchCaches.T).dimension()).isEqualTo(8);
        }
    }

    @Test
    void aDimensionThatDoesNotFitTheExistingIndexIsAUsageError() {
        String name = caches.newName("dims");
        caches.initialized(name, TestEmbedder.embedFn(8), b -> { });
        AtomicInteger calls = new AtomicInteger();
        SemanticCache wide = caches.initialized(name, counting(16, calls), b -> { });
        assertThat(calls).as("an existing index gives the dimension; no probe").hasValue(0);
        assertThat(wide.indexInfo().block(SearchCaches.T).dimension()).isEqualTo(8);
        assertThatThrownBy(() -> wide.check("anything").block(SearchCaches.T))
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessageContaining("index expects 8, embedFn returned 16");
        assertThatThrownBy(() -> wide.store("anything", "x").block(SearchCaches.T))
                .isInstanceOf(SemanticCacheUsageError.class)
                .hasMessageContaining("index expects 8, embedFn returned 16");
        assertThat(caches.entryKeyCount(name)).isZero();
    }

    @Test
    void initialisingWhileTheIndexBackFillsUsesItsDimensionAndNeverFails() {
        String name = caches.newName("backfill");
        int docs = 3_000;
        SemanticCache writer = caches.initialized(name, TestEmbedder.spreadEmbedFn(32), b -> { });
        List<String> prompts = TestEmbedder.variedTexts(docs);
        writer.storeAll(Flux.range(0, docs).map(i -> StoreRequest.of(prompts.get(i), "r" + i)),
                BatchOptions.defaults()).blockLast(SearchCaches.T);
        server.call("FT.DROPINDEX", name + ":idx"); // keeps the hashes: the next FT.CREATE back-fills them

        SemanticCache creator = caches.initialized(name, TestEmbedder.spreadEmbedFn(32), b -> { });
        IndexInfo justCreated = creator.indexInfo().block(SearchCaches.T);
        assertThat(justCreated.indexingState()).isEqualTo("backfill_in_progress");

        AtomicInteger probes = new AtomicInteger();
        SemanticCache late = caches.initialized(name, text -> {
            probes.incrementAndGet();
            return Mono.just(TestEmbedder.spread(text, 32));
        }, b -> { });
        assertThat(probes).as("FT.INFO of a back-filling index gives the dimension").hasValue(0);
        List<String> states = new CopyOnWriteArrayList<>();
        List<CacheResult> during = new ArrayList<>();
        IndexInfo info;
        do {
            info = late.indexInfo().block(SearchCaches.T);
            states.add(info.indexingState());
            during.add(late.check(prompts.get(7)).block(SearchCaches.T));
        } while (!"ready".equals(info.indexingState()) && states.size() < 2_000);
        assertThat(states).as("states seen while back-filling").isSubsetOf("backfill_in_progress", "ready")
                .endsWith("ready");
        assertThat(during).as("checks during the back-fill answer (hit or miss), never fail")
                .allSatisfy(r -> assertThat(r.error()).isNull());
        SearchCaches.awaitDocs(late, docs);
        List<float[]> vectors = prompts.stream().map(p -> TestEmbedder.spread(p, 32)).toList();
        List<String> nearest = TestEmbedder.nearest(vectors.get(7), vectors, 1e-6).stream().map(j -> "r" + j).toList();
        assertThat(late.check(prompts.get(7)).block(SearchCaches.T).response()).isIn(nearest);
    }

    @Test
    void anIndexWithoutBinaryRefsIsUsedWithoutRefFilters() {
        String name = caches.newName("norefs");
        caches.createIndexWithoutBinaryRefs(name, 16);
        SemanticCache cache = caches.initialized(name, TestEmbedder.embedFn(16), b -> { });
        Prompt withRef = Prompt.of(ContentBlock.text("describe the picture"),
                ContentBlock.binary(BinaryKind.IMAGE, "image/png", "sha256:ab12"));
        cache.storeMultipart(withRef, List.of(ContentBlock.text("a cat")), StoreOptions.defaults()).block(SearchCaches.T);
        SearchCaches.awaitDocs(cache, 1);
        Prompt otherRef = Prompt.of(ContentBlock.text("describe the picture"),
                ContentBlock.binary(BinaryKind.IMAGE, "image/png", "sha256:ffff"));
        CacheResult r = cache.check(otherRef, CheckOptions.defaults()).block(SearchCaches.T);
        assertThat(r.hit()).as("no binary_refs attribute: refs cannot be filtered on, the text decides").isTrue();
        assertThat(r.contentBlocks()).containsExactly(ContentBlock.text("a cat"));
    }

    @Test
    void kLargerThanTheIndexReturnsEveryEntry() {
        String name = caches.newName("bigk");
        SemanticCache cache = caches.initialized(name, TestEmbedder.embedFn(16), b -> { });
        cache.store("alpha beta gamma", "one").block(SearchCaches.T);
        cache.store("alpha beta delta", "two").block(SearchCaches.T);
        cache.store("something else entirely", "three").block(SearchCaches.T);
        SearchCaches.awaitDocs(cache, 3);
        List<String> seen = new CopyOnWriteArrayList<>();
        CacheResult r = cache.check("alpha beta gamma", CheckOptions.builder().threshold(2).rerank(50, (q, c) -> {
            c.forEach(x -> seen.add(x.response()));
            return Mono.just(0);
        }).build()).block(SearchCaches.T);
        assertThat(seen).containsExactlyInAnyOrder("one", "two", "three");
        assertThat(seen.get(0)).isEqualTo("one");
        assertThat(r.response()).isEqualTo("one");
    }

    @Test
    void flushDropsTheIndexAndInitializeCreatesAFreshOne() {
        String name = caches.newName("flush");
        AtomicInteger calls = new AtomicInteger();
        SemanticCache cache = caches.initialized(name, counting(16, calls), b -> { });
        cache.storeAll(Flux.range(0, 20).map(i -> StoreRequest.of("p" + i, "r" + i)), BatchOptions.defaults())
                .blockLast(SearchCaches.T);
        cache.check("p1").block(SearchCaches.T);
        server.commands().hset(name + ":__config", "threshold", "0.2");
        assertThat(indexes()).contains(name + ":idx");

        cache.flush().block(SearchCaches.T);
        assertThat(indexes()).doesNotContain(name + ":idx");
        assertThat(caches.entryKeyCount(name)).isZero();
        assertThat(server.commands().keys(name + ":embed:*")).isEmpty();
        assertThat(server.commands().exists(name + ":__stats", name + ":__similarity_window")).isZero();
        assertThat(server.commands().hget(name + ":__config", "threshold")).isEqualTo("0.2");

        int before = calls.get();
        cache.initialize().block(SearchCaches.T);
        assertThat(calls.get()).as("a fresh FT.CREATE probes the dimension again").isEqualTo(before + 1);
        assertThat(indexes()).containsOnlyOnce(name + ":idx");
        assertThat(cache.indexInfo().block(SearchCaches.T).numDocs()).isZero();
        assertThat(cache.check("p1").block(SearchCaches.T).hit()).isFalse();
    }
}
