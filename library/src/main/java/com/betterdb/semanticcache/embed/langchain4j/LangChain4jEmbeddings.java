package com.betterdb.semanticcache.embed.langchain4j;

import com.betterdb.semanticcache.embed.BatchEmbedFn;
import com.betterdb.semanticcache.embed.EmbedFn;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Any LangChain4j {@link EmbeddingModel} (OpenAI, Azure, Vertex, Ollama, ONNX, ...) as the cache's embedder.
 * LangChain4j's API blocks, so calls run on a scheduler meant for blocking work ({@code boundedElastic} unless
 * given), never on the caller's thread. Needs {@code dev.langchain4j:langchain4j-core} (an optional dependency of
 * this library).
 */
public final class LangChain4jEmbeddings implements EmbedFn, BatchEmbedFn {

    private final EmbeddingModel model;
    private final Scheduler scheduler;

    private LangChain4jEmbeddings(EmbeddingModel model, Scheduler scheduler) {
        this.model = Objects.requireNonNull(model, "model");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    public static LangChain4jEmbeddings of(EmbeddingModel model) {
        return new LangChain4jEmbeddings(model, Schedulers.boundedElastic());
    }

    public static LangChain4jEmbeddings of(EmbeddingModel model, Scheduler scheduler) {
        return new LangChain4jEmbeddings(model, scheduler);
    }

    @Override
    public Mono<float[]> embed(String text) {
        return Mono.fromCallable(() -> model.embed(text).content().vector()).subscribeOn(scheduler);
    }

    /** One {@code embedAll} call of the model for the whole list. */
    @Override
    public Mono<List<float[]>> embedAll(List<String> texts) {
        return Mono.fromCallable(() -> {
            List<Embedding> out = model.embedAll(texts.stream().map(TextSegment::from).toList()).content();
            if (out == null || out.size() != texts.size()) {
                throw new IllegalStateException("EmbeddingModel returned " + (out == null ? 0 : out.size())
                        + " embeddings for " + texts.size() + " texts");
            }
            List<float[]> vectors = new ArrayList<>(out.size());
            out.forEach(e -> vectors.add(e.vector()));
            return vectors;
        }).subscribeOn(scheduler);
    }
}
