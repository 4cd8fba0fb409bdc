package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.BinaryNormalizer;
import com.betterdb.semanticcache.prompt.BinaryRef;
import com.betterdb.semanticcache.prompt.BinarySource;
import com.betterdb.semanticcache.prompt.ContentBlock;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A message's parts as content blocks, by the reference packages' rules (docs/adapters.md, "Reading a request"):
 * every request reader turns the parts of the selected user message into one {@code Mono<ContentBlock>} each, in
 * message order, and {@link #params} joins them. A binary block's ref is whatever the normalizer makes of its
 * source; the normalizer runs on subscription, one part after the other, so refs never reorder.
 *
 * <p>A part a reader has no block form for is {@code null} in the list: {@link #params} skips it (as the reference
 * packages skip unknown parts), and {@link #representable} says whether there was one (the caching wrappers do not
 * cache such requests: their answer would be shared with requests that differ only in that part).
 *
 * <p>The {@code data:} URL rule: for a string starting with {@code data:}, the media type is the text between
 * {@code data:} and the first {@code ;} when that {@code ;} comes after the prefix, else the reader's default; the
 * whole URL is handed to the normalizer as base64 data ({@link com.betterdb.semanticcache.prompt.Normalizers#hashBase64}
 * strips the prefix).
 */
public final class ContentParts {

    private static final String DATA_PREFIX = "data:";

    private ContentParts() {
    }

    /** Whether {@code value} is a {@code data:} URL. */
    public static boolean isDataUrl(String value) {
        return value != null && value.startsWith(DATA_PREFIX);
    }

    /** The media type a {@code data:} URL names, or {@code fallback} when it names none (or is not a data URL). */
    public static String dataUrlMediaType(String value, String fallback) {
        if (!isDataUrl(value)) {
            return fallback;
        }
        int semi = value.indexOf(';');
        return semi > DATA_PREFIX.length() ? value.substring(DATA_PREFIX.length(), semi) : fallback;
    }

    /** A text part. */
    public static Mono<ContentBlock> text(String text) {
        return Mono.just(ContentBlock.text(text));
    }

    /** A part given by URL: a {@code data:} URL is base64 (media type from the URL), any other URL a URL source. */
    public static Mono<ContentBlock> url(BinaryKind kind, String url, String defaultMediaType, String detail,
                                         String filename, BinaryNormalizer normalizer) {
        Objects.requireNonNull(url, "url");
        if (isDataUrl(url)) {
            String mediaType = dataUrlMediaType(url, defaultMediaType);
            return binary(kind, new BinarySource.Base64(url, mediaType), mediaType, detail, filename, normalizer);
        }
        return binary(kind, new BinarySource.Url(url), defaultMediaType, detail, filename, normalizer);
    }

    /** Inline base64 data; {@code mediaType} as the message states it, {@code null} or empty for the default. */
    public static Mono<ContentBlock> base64(BinaryKind kind, String data, String mediaType, String defaultMediaType,
                                            String detail, String filename, BinaryNormalizer normalizer) {
        String mt = orDefault(mediaType, defaultMediaType);
        return binary(kind, new BinarySource.Base64(data, mt), mt, detail, filename, normalizer);
    }

    /** Raw bytes; {@code mediaType} as the message states it, {@code null} or empty for the default. */
    public static Mono<ContentBlock> bytes(BinaryKind kind, byte[] data, String mediaType, String defaultMediaType,
                                           String detail, String filename, BinaryNormalizer normalizer) {
        String mt = orDefault(mediaType, defaultMediaType);
        return binary(kind, new BinarySource.Bytes(data), mt, detail, filename, normalizer);
    }

    /**
     * A binary block of {@code source} (any source: a URL taken as it is, a provider's file id, ...) whose ref is the
     * normalizer's. A normalizer that returns {@code null} or completes empty fails the part: a part silently left
     * out would change what is matched.
     */
    public static Mono<ContentBlock> binary(BinaryKind kind, BinarySource source, String mediaType, String detail,
                                            String filename, BinaryNormalizer normalizer) {
        Objects.requireNonNull(normalizer, "normalizer");
        return Mono.defer(() -> Objects.requireNonNull(normalizer.normalize(new BinaryRef(kind, source)),
                        "the normalizer returned null instead of a Mono"))
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("the normalizer returned no ref")))
                .map(ref -> new ContentBlock.Binary(kind, mediaType, ref, detail, filename, null));
    }

    /**
     * One block per part of a message, in order: {@code block} gives a part's block, or {@code null} for a part
     * without a block form. Nothing is normalised before a block is subscribed to.
     */
    public static <T> List<Mono<ContentBlock>> each(List<T> parts, Function<? super T, Mono<ContentBlock>> block) {
        List<Mono<ContentBlock>> out = new ArrayList<>(parts.size());
        parts.forEach(p -> out.add(block.apply(p)));
        return out;
    }

    /**
     * The lookup parameters of a multi-part message: the parts' blocks in message order ({@code null} parts
     * skipped), the text being the text blocks' text joined with one space.
     */
    public static Mono<SemanticParams> params(List<Mono<ContentBlock>> parts, String model) {
        // Reactor rejects null elements: the skipped parts are left out before.
        return Flux.fromIterable(parts.stream().filter(Objects::nonNull).toList())
                .concatMap(p -> p)
                .collectList()
                .map(blocks -> SemanticParams.blocks(blocks, model));
    }

    /** Whether every part has a block form (no {@code null} in {@code parts}). */
    public static boolean representable(List<Mono<ContentBlock>> parts) {
        return parts.stream().allMatch(Objects::nonNull);
    }

    private static String orDefault(String mediaType, String defaultMediaType) {
        return mediaType == null || mediaType.isEmpty() ? defaultMediaType : mediaType;
    }
}
