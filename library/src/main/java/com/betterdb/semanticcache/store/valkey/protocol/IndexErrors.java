package com.betterdb.semanticcache.store.valkey.protocol;

import java.util.Locale;

/**
 * "Index does not exist" classification (docs/data-format.md §4.4): a message counts when, lower-cased, it contains
 * {@code unknown index name}, or {@code no such index}, or both {@code not found} and {@code index}.
 * valkey-search 1.2 says {@code Index with name '<idx>' not found in database 0} for FT.INFO, FT.SEARCH and
 * FT.DROPINDEX alike (fixtures 01–03).
 */
public final class IndexErrors {

    /** Causes followed at most; guards against cyclic cause chains. */
    private static final int MAX_CAUSES = 8;

    private IndexErrors() {
    }

    /**
     * Whether the error (or one of its causes, so wrapped errors such as a {@code CompletionException} or
     * {@code ValkeyCommandError} still classify) reports a missing index. {@code null} → false.
     */
    public static boolean isIndexMissing(Throwable error) {
        Throwable t = error;
        for (int i = 0; t != null && i < MAX_CAUSES; i++) {
            if (isIndexMissing(t.getMessage())) {
                return true;
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return false;
    }

    /** Classifies a server error message. {@code null} → false. */
    public static boolean isIndexMissing(String message) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("unknown index name")
                || m.contains("no such index")
                || (m.contains("not found") && m.contains("index"));
    }

    /**
     * The reference packages' form: only exceptions can mean "index missing"; any other value (a plain string,
     * null, an arbitrary object) is false (INFO-08, INIT-10).
     */
    public static boolean isIndexMissingValue(Object value) {
        return value instanceof Throwable t && isIndexMissing(t);
    }
}
