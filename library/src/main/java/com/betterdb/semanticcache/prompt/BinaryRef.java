package com.betterdb.semanticcache.prompt;

import java.util.Objects;

/** A binary prompt part to be turned into a ref string by a {@link BinaryNormalizer}. */
public record BinaryRef(BinaryKind kind, BinarySource source) {
    public BinaryRef {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
    }
}
