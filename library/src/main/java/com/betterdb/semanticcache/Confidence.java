package com.betterdb.semanticcache;

/** How sure a lookup is. Serialised in lower case ({@code high}, {@code uncertain}, {@code miss}) as in the spec. */
public enum Confidence {
    HIGH, UNCERTAIN, MISS;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
