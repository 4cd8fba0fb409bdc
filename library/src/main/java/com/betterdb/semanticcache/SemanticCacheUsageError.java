package com.betterdb.semanticcache;

/**
 * The caller used the cache in a way it does not support: an operation before {@code initialize()},
 * an embedding of the wrong dimension, an invalid option, a discovery name collision, a filter the
 * configured store cannot evaluate. Retrying the same call does not help.
 */
public class SemanticCacheUsageError extends SemanticCacheException {
    private static final long serialVersionUID = 1L;

    public SemanticCacheUsageError(String message) {
        super(message);
    }

    public SemanticCacheUsageError(String message, Throwable cause) {
        super(message, cause);
    }
}
