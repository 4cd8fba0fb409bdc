package com.betterdb.semanticcache;

/**
 * Options of {@code checkAll} / {@code storeAll}.
 *
 * @param maxInFlight      elements between request from upstream and emission downstream; bounds memory and the
 *                         number of pipelined commands on the connection
 * @param embedBatchSize   texts per call of a {@code BatchEmbedFn} (and per embedding-cache read)
 * @param embedConcurrency concurrent calls of a plain {@code EmbedFn} when no batch embedder is configured
 * @param judgeConcurrency concurrent judge / rerank calls
 * @param errorMode        what one failed element does to the stream
 */
public record BatchOptions(int maxInFlight, int embedBatchSize, int embedConcurrency, int judgeConcurrency,
                           ErrorMode errorMode) {

    private static final BatchOptions DEFAULTS = new BatchOptions(256, 32, 16, 8, ErrorMode.RESULT);

    public BatchOptions {
        require("maxInFlight", maxInFlight);
        require("embedBatchSize", embedBatchSize);
        require("embedConcurrency", embedConcurrency);
        require("judgeConcurrency", judgeConcurrency);
        errorMode = errorMode == null ? ErrorMode.RESULT : errorMode;
    }

    private static void require(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        }
    }

    public static BatchOptions defaults() {
        return DEFAULTS;
    }

    public BatchOptions withMaxInFlight(int maxInFlight) {
        return new BatchOptions(maxInFlight, embedBatchSize, embedConcurrency, judgeConcurrency, errorMode);
    }

    public BatchOptions withEmbedBatchSize(int embedBatchSize) {
        return new BatchOptions(maxInFlight, embedBatchSize, embedConcurrency, judgeConcurrency, errorMode);
    }

    public BatchOptions withErrorMode(ErrorMode errorMode) {
        return new BatchOptions(maxInFlight, embedBatchSize, embedConcurrency, judgeConcurrency, errorMode);
    }

    public enum ErrorMode {
        /** A failed element becomes a {@link CacheResult} with {@code error} set; the stream goes on (default). */
        RESULT,
        /** The first failed element terminates the stream with its error. */
        FAIL_FAST
    }
}
