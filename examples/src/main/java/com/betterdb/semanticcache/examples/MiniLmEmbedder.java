package com.betterdb.semanticcache.examples;

import com.betterdb.semanticcache.embed.BatchEmbedFn;
import com.betterdb.semanticcache.embed.EmbedFn;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.List;

/**
 * all-MiniLM-L6-v2 (384 dimensions) in-process through langchain4j's ONNX model: no network, no API key.
 * The ONNX call blocks, so it runs on a small dedicated pool. (The library's own
 * {@code com.betterdb.semanticcache.embed.local.LocalEmbedder} does the same once it is merged; swap it in with
 * one line in {@link PipelineDemo}.)
 */
final class MiniLmEmbedder implements EmbedFn, BatchEmbedFn {

    private final AllMiniLmL6V2EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();
    private final Scheduler pool = Schedulers.newBoundedElastic(2, 10_000, "minilm", 60, true);

    @Override
    public Mono<float[]> embed(String text) {
        return Mono.fromCallable(() -> model.embed(text).content().vector()).subscribeOn(pool);
    }

    @Override
    public Mono<List<float[]>> embedAll(List<String> texts) {
        return Mono.fromCallable(() -> model.embedAll(texts.stream().map(TextSegment::from).toList())
                .content().stream().map(e -> e.vector()).toList()).subscribeOn(pool);
    }
}
