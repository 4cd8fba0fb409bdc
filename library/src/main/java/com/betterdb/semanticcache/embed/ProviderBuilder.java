package com.betterdb.semanticcache.embed;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings every bundled embedding provider has. All take plain values, so that a provider can be built from
 * configuration properties.
 *
 * @param <B> the provider's own builder
 */
public abstract class ProviderBuilder<B extends ProviderBuilder<B>> {

    private String model;
    private Integer dimensions;
    private Integer maxBatchSize;
    private int concurrency = 4;
    private Duration timeout = Duration.ofSeconds(30);
    private RetryPolicy retryPolicy = RetryPolicy.defaults();

    protected ProviderBuilder(String defaultModel) {
        this.model = defaultModel;
    }

    @SuppressWarnings("unchecked")
    protected final B self() {
        return (B) this;
    }

    /** The model (for Bedrock, the model id). */
    public B model(String model) {
        this.model = Objects.requireNonNull(model, "model");
        return self();
    }

    /** Ask the model for shorter vectors (models that support it); every reply is checked against it. */
    public B dimensions(int dimensions) {
        if (dimensions < 1) {
            throw new IllegalArgumentException("dimensions must be >= 1, got " + dimensions);
        }
        this.dimensions = dimensions;
        return self();
    }

    /** Texts per request (default: the provider's documented limit); larger batches are split. */
    public B maxBatchSize(int maxBatchSize) {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatchSize);
        }
        this.maxBatchSize = maxBatchSize;
        return self();
    }

    /** Requests of one split batch in flight at once (default 4). */
    public B concurrency(int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
        }
        this.concurrency = concurrency;
        return self();
    }

    /** The time one attempt may take, connecting and reading the reply included (default 30 s). */
    public B timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        this.timeout = timeout;
        return self();
    }

    /** How failed requests are retried (default {@link RetryPolicy#defaults()}). */
    public B retryPolicy(RetryPolicy retryPolicy) {
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        return self();
    }

    /** The model set so far. */
    public final String model() {
        return model;
    }

    /** The dimensions set so far, 0 when not set. */
    public final int dimensions() {
        return dimensions == null ? 0 : dimensions;
    }

    /** The batch size set so far, else {@code limit} (the provider's own). */
    public final int maxBatchSizeOr(int limit) {
        return maxBatchSize != null ? maxBatchSize : limit;
    }

    public final int concurrency() {
        return concurrency;
    }

    public final Duration timeout() {
        return timeout;
    }

    public final RetryPolicy retryPolicy() {
        return retryPolicy;
    }
}
