package com.betterdb.semanticcache;

/** Base of every exception the cache raises on purpose. Unchecked, as in Reactor and Lettuce. */
public abstract class SemanticCacheException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected SemanticCacheException(String message) {
        super(message);
    }

    protected SemanticCacheException(String message, Throwable cause) {
        super(message, cause);
    }
}
