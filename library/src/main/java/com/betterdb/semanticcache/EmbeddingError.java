package com.betterdb.semanticcache;

/** The embedding function failed; the cause is the provider's error. Message: {@code embedFn failed: <cause>}. */
public class EmbeddingError extends SemanticCacheException {
    private static final long serialVersionUID = 1L;

    public EmbeddingError(Throwable cause) {
        super("embedFn failed: " + messageOf(cause), cause);
    }

    public EmbeddingError(String message, Throwable cause) {
        super(message, cause);
    }

    static String messageOf(Throwable cause) {
        if (cause == null) {
            return "null";
        }
        String m = cause.getMessage();
        return m != null ? m : cause.toString();
    }
}
