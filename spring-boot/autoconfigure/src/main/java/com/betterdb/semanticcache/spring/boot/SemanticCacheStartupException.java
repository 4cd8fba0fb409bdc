package com.betterdb.semanticcache.spring.boot;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** The cache did not initialize at startup (startup mode {@code fail-fast}); the message says where and why. */
public class SemanticCacheStartupException extends RuntimeException {

    private final String store;

    public SemanticCacheStartupException(String cacheName, String store, Duration timeout, Throwable cause) {
        super("Semantic cache '" + cacheName + "' did not initialize on " + store + ": " + describe(cause, timeout),
                cause);
        this.store = store;
    }

    /** Where the cache keeps its entries, e.g. {@code Valkey at redis://localhost:6379 (...)}. */
    public String store() {
        return store;
    }

    /** The cause and its root cause in one line, e.g. {@code RedisConnectionException: Unable to connect ...}. */
    static String describe(Throwable e, Duration timeout) {
        if (e instanceof TimeoutException) {
            return "no answer within " + timeout.toMillis() + " ms";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = e.getClass().getSimpleName() + ": " + e.getMessage();
        return root == e ? text : text + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
}
