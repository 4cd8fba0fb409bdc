package com.betterdb.semanticcache.embed.langchain4j;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.EmbeddingError;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.store.CacheStores;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LangChain4jEmbeddingsTest {

    /** A model that maps a text to [length, 1] and records the threads and batch sizes it is called with. */
    static final class FakeModel implements EmbeddingModel {
        final List<String> threads = new CopyOnWriteArrayList<>();
        final List<Integer> batches = new CopyOnWriteArrayList<>();
        volatile boolean fail;

        @Override
        public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            threads.add(Thread.currentThread().getName());
            batches.add(segments.size());
            if (fail) {
                throw new IllegalStateException("model offline");
            }
            return Response.from(segments.stream().map(s -> Embedding.from(new float[]{s.text().length(), 1f})).toList());
        }
    }

    @Test
    void embedsOffTheCallerThreadInOrder() {
        FakeModel model = new FakeModel();
        LangChain4jEmbeddings e = LangChain4jEmbeddings.of(model);
        assertThat(e.embed("abc").block()).containsExactly(3f, 1f);
        List<float[]> all = e.embedAll(List.of("a", "bbbb", "cc")).block();
        assertThat(all).extracting(v -> v[0]).containsExactly(1f, 4f, 2f);
        assertThat(model.batches).containsExactly(1, 3);
        assertThat(model.threads).allSatisfy(t -> assertThat(t).contains("boundedElastic"));
    }

    @Test
    void worksAsTheCacheEmbedderAndErrorsBecomeEmbeddingErrors() {
        FakeModel model = new FakeModel();
        LangChain4jEmbeddings e = LangChain4jEmbeddings.of(model);
        SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder().store(CacheStores.inMemory())
                .embedFn(e).batchEmbedFn(e).discovery(SemanticCacheOptions.Discovery.disabled()).build());
        cache.initialize().block();
        cache.store("hello", "world").block();
        CacheResult r = cache.check("hello").block();
        assertThat(r.hit()).isTrue();
        model.fail = true;
        assertThatThrownBy(() -> cache.check("other").block()).isInstanceOf(EmbeddingError.class)
                .hasMessage("LangChain4j embedding request failed: IllegalStateException: model offline");
        cache.close();
    }
}
