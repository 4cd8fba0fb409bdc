package com.betterdb.semanticcache.filter;

/**
 * Escapes a value for use inside a valkey-search TAG clause {@code @field:{...}} (docs/data-format.md §13): each of
 * {@code , . < > { } [ ] " ' : ; ! @ # $ % ^ & * ( ) - + = ~ | / \} and the ASCII space gets a backslash.
 * Everything else is unchanged (the reference packages share the same gaps: {@code ?}, backtick, tabs).
 */
public final class TagEscaper {

    private static final boolean[] SPECIAL = new boolean[128];

    static {
        for (char c : ",.<>{}[]\"':;!@#$%^&*()-+=~|/\\ ".toCharArray()) {
            SPECIAL[c] = true;
        }
    }

    private TagEscaper() {
    }

    public static String escape(String value) {
        int n = value.length();
        StringBuilder sb = null;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 128 && SPECIAL[c]) {
                if (sb == null) {
                    sb = new StringBuilder(n + 8).append(value, 0, i);
                }
                sb.append('\\');
            }
            if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? value : sb.toString();
    }
}
