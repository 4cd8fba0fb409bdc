package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.BinaryNormalizer;
import com.betterdb.semanticcache.prompt.BinaryRef;
import com.betterdb.semanticcache.prompt.BinarySource;
import com.betterdb.semanticcache.prompt.ContentBlock;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The part-by-part conversion every request helper performs: a message's parts become content blocks in order, a
 * binary part's ref comes from the (possibly asynchronous) normalizer, unsupported parts are skipped.
 */
public final class BinaryParts {

    private BinaryParts() {
    }

    /**
     * Converts {@code parts} in order (one normalizer call at a time, so refs never reorder) and joins the text blocks'
     * text with one space. {@code convert} returns an empty {@code Mono} for a part that is skipped.
     */
    public static <T> Mono<SemanticParams> toParams(List<T> parts, Function<? super T, Mono<ContentBlock>> convert,
                                                    String model) {
        return Flux.fromIterable(parts)
                .concatMap(part -> Objects.requireNonNull(convert.apply(part), "convert returned null"))
                .collectList()
                .map(blocks -> SemanticParams.blocks(blocks, model));
    }

    /** A binary block whose ref is {@code normalizer}'s ref for {@code (kind, source)}. */
    public static Mono<ContentBlock> binary(BinaryNormalizer normalizer, BinaryKind kind, BinarySource source,
                                            String mediaType, String detail, String filename) {
        return Mono.defer(() -> normalizer.normalize(new BinaryRef(kind, source)))
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("the normalizer returned no ref")))
                .map(ref -> new ContentBlock.Binary(kind, mediaType, ref, detail, filename, null));
    }

    /**
     * The source of an image given as a URL: a {@code data:} URL is inline base64 (the whole URL is passed on),
     * anything else a URL source.
     */
    public static BinarySource urlOrData(String url, String mediaType) {
        return DataUrls.isDataUrl(url) ? new BinarySource.Base64(url, mediaType) : new BinarySource.Url(url);
    }
}
