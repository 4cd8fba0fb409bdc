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

/**
 * Binary message parts as content blocks, by the reference adapters' rules (docs/compatibility.md): a part given as a URL is a
 * URL source unless it is a {@code data:} URL, which is base64 data whose media type is read from the URL
 * ({@link DataUrls}); inline base64 or bytes keep the media type the message states, else the adapter's default for
 * that kind. The block's ref is whatever the normalizer makes of the source.
 */
public final class ContentParts {

    private ContentParts() {
    }

    /** A part given by URL: a {@code data:} URL is base64 (media type from the URL), any other URL a URL source. */
    public static Mono<ContentBlock> url(BinaryKind kind, String url, String defaultMediaType, String detail,
                                         String filename, BinaryNormalizer normalizer) {
        Objects.requireNonNull(url, "url");
        if (DataUrls.isDataUrl(url)) {
            String mediaType = DataUrls.mediaType(url, defaultMediaType);
            return block(kind, new BinarySource.Base64(url, mediaType), mediaType, detail, filename, normalizer);
        }
        return block(kind, new BinarySource.Url(url), defaultMediaType, detail, filename, normalizer);
    }

    /** Inline base64 data; {@code mediaType} as the message states it, {@code null} for the default. */
    public static Mono<ContentBlock> base64(BinaryKind kind, String data, String mediaType, String defaultMediaType,
                                            String detail, String filename, BinaryNormalizer normalizer) {
        String mt = mediaType == null || mediaType.isEmpty() ? defaultMediaType : mediaType;
        return block(kind, new BinarySource.Base64(data, mt), mt, detail, filename, normalizer);
    }

    /** Raw bytes; {@code mediaType} as the message states it, {@code null} for the default. */
    public static Mono<ContentBlock> bytes(BinaryKind kind, byte[] data, String mediaType, String defaultMediaType,
                                           String detail, String filename, BinaryNormalizer normalizer) {
        String mt = mediaType == null || mediaType.isEmpty() ? defaultMediaType : mediaType;
        return block(kind, new BinarySource.Bytes(data), mt, detail, filename, normalizer);
    }

    /**
     * The lookup parameters of a multi-part message: the parts' blocks in message order (each normalised on
     * subscription, one after the other), the text being the text blocks' text joined with one space.
     */
    public static Mono<SemanticParams> params(List<Mono<ContentBlock>> parts, String model) {
        return Flux.fromIterable(parts)
                .concatMap(p -> p)
                .collectList()
                .map(blocks -> SemanticParams.blocks(blocks, model));
    }

    private static Mono<ContentBlock> block(BinaryKind kind, BinarySource source, String mediaType, String detail,
                                            String filename, BinaryNormalizer normalizer) {
        Objects.requireNonNull(normalizer, "normalizer");
        return Mono.defer(() -> Objects.requireNonNull(normalizer.normalize(new BinaryRef(kind, source)),
                        "the normalizer returned null instead of a Mono"))
                .map(ref -> new ContentBlock.Binary(kind, mediaType, ref, detail, filename, null));
    }
}
