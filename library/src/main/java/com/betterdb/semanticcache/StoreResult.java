package com.betterdb.semanticcache;

/**
 * One element of {@code storeAll}: the entry key, or (in {@link BatchOptions.ErrorMode#RESULT} mode) why this
 * element was not stored. A batch API for backfills must not lose the rest of a stream to one bad element, so a
 * failure is reported here instead of terminating the {@code Flux}.
 */
public record StoreResult(String key, Throwable error) {

    public static StoreResult stored(String key) {
        return new StoreResult(key, null);
    }

    public static StoreResult failed(Throwable error) {
        return new StoreResult(null, error);
    }

    public boolean isError() {
        return error != null;
    }
}
