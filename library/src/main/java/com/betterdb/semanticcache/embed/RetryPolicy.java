package com.betterdb.semanticcache.embed;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.Objects;

/**
 * How the bundled embedding providers retry a request that failed for a reason that may pass: HTTP 408, 429 or 5xx,
 * a timeout, a broken connection. Other failures (a bad key, a bad request, a malformed reply) are not retried.
 *
 * <p>The wait before retry {@code n} (1-based) is {@code min(maxBackoff, initialBackoff * 2^(n-1))}, shortened by a
 * random fraction of at most {@code jitter} so that clients rate-limited together do not retry together. When the
 * provider says how long to wait ({@code Retry-After} in seconds or as an HTTP date, or {@code retry-after-ms}),
 * that wait is used instead; if it is longer than {@code maxBackoff}, the request fails at once rather than holding
 * the caller. At most {@code maxAttempts} requests are sent in all.
 *
 * <pre>{@code
 * RetryPolicy.builder().maxAttempts(5).initialBackoff(Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(30)).build();
 * }</pre>
 */
public final class RetryPolicy {

    private static final RetryPolicy DEFAULTS = builder().build();
    private static final RetryPolicy NONE = builder().maxAttempts(1).build();

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final double jitter;
    private final Scheduler scheduler;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.jitter = b.jitter;
        this.scheduler = b.scheduler;
    }

    /** 3 attempts, backoff from 500 ms up to 10 s, jitter 0.5. */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /** One attempt, no retry. */
    public static RetryPolicy none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().maxAttempts(maxAttempts).initialBackoff(initialBackoff).maxBackoff(maxBackoff)
                .jitter(jitter).scheduler(scheduler);
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public double jitter() {
        return jitter;
    }

    /** Where the waits between attempts are scheduled (and whose clock reads an HTTP-date {@code Retry-After}). */
    public Scheduler scheduler() {
        return scheduler;
    }

    /**
     * The wait before retry {@code retry} (1-based) when the provider did not say: exponential, capped, with
     * {@code random} (in [0, 1)) taking off up to {@code jitter} of it.
     */
    public Duration backoff(int retry, double random) {
        long initial = initialBackoff.toMillis();
        long cap = maxBackoff.toMillis();
        int shift = Math.min(Math.max(retry - 1, 0), 30);
        long base = initial > (cap >> shift) ? cap : Math.min(cap, initial << shift);
        return Duration.ofMillis(base - (long) (base * jitter * random));
    }

    @Override
    public String toString() {
        return "RetryPolicy{maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff + ", maxBackoff="
                + maxBackoff + ", jitter=" + jitter + '}';
    }

    public static final class Builder {
        private int maxAttempts = 3;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private double jitter = 0.5;
        private Scheduler scheduler = Schedulers.parallel();

        private Builder() {
        }

        /** Requests sent in all, the first included (>= 1; 1 disables retries). */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = nonNegative("initialBackoff", initialBackoff);
            return this;
        }

        /** The longest wait before a retry; a provider asking for a longer one ends the retries. */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = nonNegative("maxBackoff", maxBackoff);
            return this;
        }

        /** Fraction in [0, 1] of each backoff that is randomly taken off. */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new IllegalArgumentException("jitter must be in [0, 1], got " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /** Where waits are scheduled; {@code Schedulers.parallel()} by default. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        public RetryPolicy build() {
            if (initialBackoff.compareTo(maxBackoff) > 0) {
                throw new IllegalArgumentException("initialBackoff " + initialBackoff + " exceeds maxBackoff " + maxBackoff);
            }
            return new RetryPolicy(this);
        }

        private static Duration nonNegative(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, got " + d);
            }
            return d;
        }
    }
}
