package com.betterdb.semanticcache.embed.support;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Splits a batch at the provider's limit and puts the vectors back in input order. */
public final class Batches {

    private Batches() {
    }

    /**
     * Embeds {@code texts} with one {@code call} per chunk of at most {@code maxBatchSize}, at most
     * {@code concurrency} chunks in flight, and returns the vectors in input order. An empty list makes no call.
     */
    public static Mono<List<float[]>> inChunks(List<String> texts, int maxBatchSize, int concurrency,
                                               Function<List<String>, Mono<List<float[]>>> call) {
        if (texts.isEmpty()) {
            return Mono.just(List.of());
        }
        if (texts.size() <= maxBatchSize) {
            return Mono.defer(() -> call.apply(texts));
        }
        int chunks = (texts.size() + maxBatchSize - 1) / maxBatchSize;
        return Flux.range(0, chunks)
                .flatMapSequential(c -> Mono.defer(() -> call.apply(
                        texts.subList(c * maxBatchSize, Math.min(texts.size(), (c + 1) * maxBatchSize)))), concurrency)
                .collect(() -> new ArrayList<float[]>(texts.size()), List::addAll)
                .map(l -> (List<float[]>) l);
    }
}
