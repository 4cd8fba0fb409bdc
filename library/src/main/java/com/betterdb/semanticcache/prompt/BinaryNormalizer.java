package com.betterdb.semanticcache.prompt;

import reactor.core.publisher.Mono;

/**
 * Maps a binary part to the opaque ref string stored in {@code binary_refs} and in binary content blocks
 * (docs/data-format.md §12.3). Equal content must give equal refs, so that lookups can require them.
 * The cache itself never calls a normalizer; adapters do. See {@link Normalizers} for the built-in ones.
 */
@FunctionalInterface
public interface BinaryNormalizer {
    Mono<String> normalize(BinaryRef ref);
}
