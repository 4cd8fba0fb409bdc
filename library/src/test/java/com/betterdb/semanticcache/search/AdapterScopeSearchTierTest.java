package com.betterdb.semanticcache.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.betterdb.semanticcache.Answer;
import com.betterdb.semanticcache.CacheEntry;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.betterdb.semanticcache.adapter.CachedCall;
import com.betterdb.semanticcache.adapter.CachingOptions;
import com.betterdb.semanticcache.adapter.RequestScope;
import com.betterdb.semanticcache.adapter.SemanticParams;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.testing.ValkeySearchServer;
import com.betterdb.semanticcache.testing.ValkeySearchTest;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The adapters' scope on the real module: the {@code scope:sha256:...} ref is a {@code @binary_refs} TAG clause that
 * valkey-search matches exactly (its {@code :} escaped), so the same question under another system prompt or model
 * misses; and an index created without {@code binary_refs} is never matched unscoped.
 */
@ValkeySearchTest
class AdapterScopeSearchTierTest {

    private static final String QUESTION = "what is the capital of france";

    private final SearchCaches caches;
    private final AtomicInteger calls = new AtomicInteger();

    AdapterScopeSearchTierTest(ValkeySearchServer server) {
        this.caches = new SearchCaches(server);
    }

    @AfterEach
    void close() {
        caches.close();
    }

    /** One adapter call: the provider answers with {@code answer} and the model that answered. */
    private Map<String, Object> ask(SemanticCache cache, RequestScope scope, String answer) {
        return CachedCall.readThrough(cache, CachingOptions.defaults(), scope,
                        Mono.just(SemanticParams.text(QUESTION, scope.model())),
                        () -> Mono.fromCallable(() -> {
                            calls.incrementAndGet();
                            return Map.<String, Object>of("text", answer);
                        }),
                        r -> Optional.of(Answer.of((String) r.get("text"), scope.model() + "-2025", 10, 5)),
                        hit -> CacheHitMetadata.of(hit))
                .block(SearchCaches.T);
    }

    @Test
    void scopesAreMatchedExactlyByTheModule() {
        String name = caches.newName("scope");
        SemanticCache cache = caches.initialized(name, TestEmbedder.embedFn(16), b -> { });
        assertThat(cache.matchesBinaryRefs()).isTrue();
        RequestScope terse = RequestScope.of("gpt-4o", List.of("system:You are terse."));
        ask(cache, terse, "Paris.");
        SearchCaches.awaitDocs(cache, 1);

        assertThat(CacheHitMetadata.isCached(ask(cache, terse, "never"))).isTrue();
        assertThat(CacheHitMetadata.isCached(ask(cache, RequestScope.of("gpt-4o", List.of("system:Be a pirate.")),
                "Arr, Paris."))).isFalse();
        assertThat(CacheHitMetadata.isCached(ask(cache, RequestScope.of("gpt-4o-mini", terse.system()),
                "Paris (mini)."))).isFalse();
        assertThat(calls).hasValue(3);
        SearchCaches.awaitDocs(cache, 3);
        // Stored with the model that answered and no category of the adapter's own.
        List<CacheEntry> gpt4o = cache.entries(Filter.model("gpt-4o-2025"), 0, 10).block(SearchCaches.T);
        assertThat(gpt4o).hasSize(2).allSatisfy(e -> assertThat(e.field("category")).isEmpty());
    }

    @Test
    void anIndexWithoutBinaryRefsIsNeverMatchedUnscoped() {
        String name = caches.newName("oldidx");
        caches.createIndexWithoutBinaryRefs(name, 16);
        SemanticCache cache = caches.create(name, TestEmbedder.embedFn(16), b -> { });
        RequestScope terse = RequestScope.of("gpt-4o", List.of("system:You are terse."));
        ask(cache, terse, "Paris.");
        assertThat(cache.matchesBinaryRefs()).isFalse();
        // A plain lookup of the same text would hit anything stored; the adapter neither stores nor looks up.
        assertThat(CacheHitMetadata.isCached(ask(cache, RequestScope.of("gpt-4o", List.of("system:Be a pirate.")),
                "Arr, Paris."))).isFalse();
        assertThat(calls).hasValue(2);
        assertThat(caches.entryKeyCount(name)).isZero();
        assertThat(cache.stats().block(SearchCaches.T).total()).isZero();
    }
}
