package com.betterdb.semanticcache.embed.http;

import com.betterdb.semanticcache.embed.BatchEmbedFn;
import com.betterdb.semanticcache.embed.EmbedFn;
import reactor.core.publisher.Mono;

import java.util.List;

/** An HTTP embedder whose one-text call is its batch call with a list of one. */
abstract class HttpEmbeddings implements EmbedFn, BatchEmbedFn {

    @Override
    public final Mono<float[]> embed(String text) {
        return embedAll(List.of(text)).map(l -> l.get(0));
    }
}
