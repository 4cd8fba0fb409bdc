package com.betterdb.semanticcache.langgraph4j;

import com.betterdb.semanticcache.testing.llm.AdapterCacheFixture;
import com.betterdb.semanticcache.ValkeyCommandError;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.testing.ForwardingCacheStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reference scenarios of the LangGraph store's delete (ADP-31..33), with the paging search scripted page by page
 * (the rest of the store is the in-memory one): which pages are asked for, which keys are deleted.
 */
class MemoryStoreDeleteScenariosTest {

    private static final String NAME = "adp";
    private static final List<String> NS = List.of("ns");

    private final List<int[]> searches = new CopyOnWriteArrayList<>();
    private final List<List<String>> deletes = new CopyOnWriteArrayList<>();
    private Function<Integer, Mono<List<Candidate>>> pages;
    private Function<List<String>, Long> delCount = keys -> (long) keys.size();
    private AdapterCacheFixture fx;

    private SemanticMemoryStore store() {
        var memory = CacheStores.inMemory();
        fx = new AdapterCacheFixture(NAME, keys -> new ForwardingCacheStore() {
            private final CacheStore inner = memory.open(keys);

            @Override
            protected CacheStore delegate() {
                return inner;
            }

            @Override
            public Mono<List<Candidate>> searchEntries(Filter filter, int offset, int limit) {
                assertThat(filter.toQuery()).isEqualTo("@category:{ns}");
                searches.add(new int[]{offset, limit});
                return pages.apply(searches.size() - 1);
            }

            @Override
            public Mono<Long> deleteEntries(List<String> entryKeys) {
                deletes.add(entryKeys);
                return Mono.just(delCount.apply(entryKeys));
            }
        });
        return new SemanticMemoryStore(fx.cache());
    }

    @AfterEach
    void close() {
        if (fx != null) {
            fx.close();
        }
    }

    /** Rows as the reference test builds them: (entry id, item key) pairs, item JSON in the response field. */
    private static List<Candidate> page(List<String[]> rows) {
        List<Candidate> out = new ArrayList<>();
        for (String[] r : rows) {
            String item = "{\"key\": \"" + r[1] + "\", \"namespace\": [\"ns\"], \"value\": {}, \"created_at\": \"\","
                    + " \"updated_at\": \"\"}";
            out.add(new Candidate(NAME + ":entry:" + r[0], Double.NaN, Map.of("response", item)));
        }
        return out;
    }

    private static List<String> deleted(List<List<String>> deletes) {
        return deletes.stream().flatMap(List::stream).toList();
    }

    @Test
    void adp31DeletesTheTargetOnEveryPage() {
        List<String[]> page0 = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            page0.add(new String[]{"other" + i, "other_key"});
        }
        page0.set(10, new String[]{"target0", "my_key"});
        page0.set(50, new String[]{"target1", "my_key"});
        List<String[]> page1 = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            page1.add(new String[]{"other" + (i + 100), "other_key"});
        }
        page1.set(3, new String[]{"target2", "my_key"});
        List<List<Candidate>> script = List.of(page(page0), page(page1), List.of());
        pages = i -> Mono.just(script.get(Math.min(i, script.size() - 1)));

        long n = store().delete(NS, "my_key").block();

        assertThat(deleted(deletes)).containsExactly("adp:entry:target0", "adp:entry:target1", "adp:entry:target2");
        assertThat(n).isEqualTo(3);
        // after a page with deletions the scan starts over at offset 0, 100 rows at a time
        assertThat(searches).extracting(s -> s[0]).containsExactly(0, 0, 0);
        assertThat(searches).extracting(s -> s[1]).containsOnly(100);
    }

    @Test
    void adp32ASearchErrorPropagatesOutOfDelete() {
        pages = i -> Mono.error(new ValkeyCommandError("FT.SEARCH", new IllegalStateException("oops")));
        assertThatThrownBy(() -> store().delete(NS, "any_key").block()).isInstanceOf(ValkeyCommandError.class);
        assertThat(deletes).isEmpty();
    }

    @Test
    void adp33AnEmptyNamespaceDeletesNothing() {
        pages = i -> Mono.just(List.of());
        assertThat(store().delete(NS, "missing_key").block()).isZero();
        assertThat(deletes).isEmpty();
        assertThat(searches).hasSize(1);
    }

    @Test
    void fullPagesWithoutTheKeyAreSkippedByOffset() {
        List<String[]> full = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            full.add(new String[]{"o" + i, "other_key"});
        }
        List<List<Candidate>> script = List.of(page(full), page(full.subList(0, 20)));
        pages = i -> Mono.just(script.get(Math.min(i, script.size() - 1)));
        assertThat(store().delete(NS, "my_key").block()).isZero();
        assertThat(searches).extracting(s -> s[0]).containsExactly(0, 100);
    }

    @Test
    void entriesTheIndexStillListsAfterTheyWereDeletedDoNotLoop() {
        // The index lags: the same row keeps coming back, DEL finds nothing to delete.
        pages = i -> Mono.just(page(List.<String[]>of(new String[]{"ghost", "my_key"})));
        delCount = keys -> 0L;
        assertThat(store().delete(NS, "my_key").block()).isZero();
        assertThat(searches).hasSize(1);
    }
}
