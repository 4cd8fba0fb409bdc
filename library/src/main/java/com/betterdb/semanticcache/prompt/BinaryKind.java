package com.betterdb.semanticcache.prompt;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** The {@code kind} of a binary content block. */
public enum BinaryKind {
    IMAGE, AUDIO, DOCUMENT;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
