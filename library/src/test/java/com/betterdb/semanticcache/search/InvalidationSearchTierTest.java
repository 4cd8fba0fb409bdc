package com.betterdb.semanticcache.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.betterdb.semanticcache.BatchOptions;
import com.betterdb.semanticcache.InvalidateResult;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.StoreRequest;
import com.betterdb.semanticcache.StoreResult;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.testing.ValkeySearchServer;
import com.betterdb.semanticcache.testing.ValkeySearchTest;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Invalidation on the real module when more entries match than one {@code FT.SEARCH ... LIMIT 0 1000} returns: the
 * first call deletes 1,000 and says {@code truncated}, {@code invalidateByCategory} pages until none is left and
 * counts each entry once, and nothing that does not match is touched.
 */
@ValkeySearchTest
class InvalidationSearchTierTest {

    private static final int BULK = 2_345;
    private static final int KEEP = 25;

    private final SearchCaches caches;
    private SemanticCache cache;
    private String name;

    InvalidationSearchTierTest(ValkeySearchServer server) {
        this.caches = new SearchCaches(server);
    }

    @BeforeEach
    void open() {
        name = caches.newName("inv");
        cache = caches.initialized(name, TestEmbedder.embedFn(16), b -> { });
        Flux<StoreRequest> bulk = Flux.range(0, BULK).map(i -> StoreRequest.of("bulk prompt " + i, "r" + i,
                StoreOptions.builder().category("bulk").model(i % 2 == 0 ? "gpt-4o" : "claude-3").build()));
        Flux<StoreRequest> keep = Flux.range(0, KEEP).map(i -> StoreRequest.of("kept prompt " + i, "k" + i,
                StoreOptions.builder().category("keep").model("gpt-4o").build()));
        List<StoreResult> stored = cache.storeAll(Flux.concat(bulk, keep), BatchOptions.defaults()).collectList()
                .block(SearchCaches.T);
        assertThat(stored).hasSize(BULK + KEEP).noneMatch(StoreResult::isError);
        SearchCaches.awaitDocs(cache, BULK + KEEP);
    }

    @AfterEach
    void close() {
        caches.close();
    }

    @Test
    void oneInvalidateDeletesAThousandAndSaysMoreMayRemain() {
        InvalidateResult first = cache.invalidate(Filter.category("bulk")).block(SearchCaches.T);
        assertThat(first).isEqualTo(new InvalidateResult(1000, true));
        assertThat(entryKeys()).isEqualTo(BULK + KEEP - 1000);
    }

    @Test
    void invalidateByCategoryPagesUntilNoneIsLeftAndCountsEachEntryOnce() {
        assertThat(cache.invalidateByCategory("bulk").block(SearchCaches.T)).isEqualTo(BULK);
        assertThat(entryKeys()).isEqualTo(KEEP);
        SearchCaches.awaitDocs(cache, KEEP);
        assertThat(cache.invalidate(Filter.category("bulk")).block(SearchCaches.T))
                .isEqualTo(new InvalidateResult(0, false));
        // The kept entries are still served.
        assertThat(cache.check("kept prompt 3").block(SearchCaches.T).response()).isEqualTo("k3");
    }

    @Test
    void invalidateByModelCrossesCategories() {
        int gpt = (BULK + 1) / 2 + KEEP;
        assertThat(cache.invalidateByModel("gpt-4o").block(SearchCaches.T)).isEqualTo(gpt);
        assertThat(entryKeys()).isEqualTo(BULK + KEEP - gpt);
    }

    /** The entry hashes left in the keyspace (SCAN, not the index: the index may lag behind a DEL). */
    private long entryKeys() {
        return caches.entryKeyCount(name);
    }
}
