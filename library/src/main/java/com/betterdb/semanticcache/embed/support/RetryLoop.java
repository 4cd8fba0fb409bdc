package com.betterdb.semanticcache.embed.support;

import com.betterdb.semanticcache.EmbeddingError;
import com.betterdb.semanticcache.embed.RetryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs one provider request under a {@link RetryPolicy}: each attempt has a timeout; a retryable failure is retried
 * after the provider's {@code Retry-After} or an exponential backoff with jitter; the final failure becomes an
 * {@link EmbeddingError} naming the provider, the HTTP status and the provider's message, with secrets and embedded
 * texts removed. Retries are logged at DEBUG with the status only, never provider text.
 */
public final class RetryLoop {

    private static final Logger log = LoggerFactory.getLogger(RetryLoop.class);

    private final String provider;
    private final RetryPolicy policy;
    private final Duration timeout;

    /** @param timeout per attempt; null for none (the transport enforces its own) */
    public RetryLoop(String provider, RetryPolicy policy, Duration timeout) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.policy = Objects.requireNonNull(policy, "retryPolicy");
        this.timeout = timeout;
    }

    public String provider() {
        return provider;
    }

    /** Now on the policy's scheduler clock, for reading an HTTP-date {@code Retry-After}. */
    public long nowMillis() {
        return policy.scheduler().now(java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * Subscribes to {@code attempt.get()} until it succeeds or the policy gives up. The attempt signals a failed
     * reply with {@link AttemptFailure}; timeouts and I/O errors count as retryable, anything else as final.
     */
    public <T> Mono<T> run(Supplier<Mono<T>> attempt, Redactor redactor) {
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<String> note = new AtomicReference<>();
        Mono<T> one = Mono.defer(() -> {
            attempts.incrementAndGet();
            return attempt.get();
        });
        if (timeout != null) {
            one = one.timeout(timeout);
        }
        return one
                .onErrorMap(e -> !(e instanceof AttemptFailure), this::classify)
                .retryWhen(Retry.from(signals -> signals.concatMap(s -> {
                    AttemptFailure f = (AttemptFailure) s.failure();
                    int n = attempts.get();
                    if (!f.retryable() || n >= policy.maxAttempts()) {
                        return Mono.error(f);
                    }
                    Duration wait = f.retryAfter();
                    if (wait != null && wait.compareTo(policy.maxBackoff()) > 0) {
                        note.set("asked to retry after " + wait.toMillis() + " ms, more than maxBackoff "
                                + policy.maxBackoff().toMillis() + " ms");
                        return Mono.error(f);
                    }
                    if (wait == null) {
                        wait = policy.backoff(n, ThreadLocalRandom.current().nextDouble());
                    }
                    if (log.isDebugEnabled()) {
                        log.debug("{} embedding request: attempt {} of {} failed ({}), retrying in {} ms", provider, n,
                                policy.maxAttempts(), f.status() > 0 ? "HTTP " + f.status() : "no reply",
                                wait.toMillis());
                    }
                    return wait.isZero() ? Mono.just(0L) : Mono.delay(wait, policy.scheduler());
                })))
                .onErrorMap(e -> toError(e instanceof AttemptFailure f ? f : classify(e), attempts.get(), note.get(),
                        redactor));
    }

    private AttemptFailure classify(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof AttemptFailure f) {
            return f;
        }
        if (t instanceof TimeoutException) {
            return new AttemptFailure(0, null, "no reply within " + timeout.toMillis() + " ms", null, true, null);
        }
        if (t instanceof IOException) {
            return new AttemptFailure(0, null, t.getClass().getSimpleName() + describe(t), null, true, t);
        }
        if (t instanceof MalformedReply) {
            return AttemptFailure.malformed(0, t.getMessage());
        }
        return new AttemptFailure(0, null, t.getClass().getSimpleName() + describe(t), null, false, t);
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null ? "" : ": " + t.getMessage();
    }

    private EmbeddingError toError(AttemptFailure f, int attempts, String note, Redactor redactor) {
        String providerMessage = redactor.clean(f.providerMessage());
        StringBuilder m = new StringBuilder(provider).append(" embedding request failed");
        if (f.status() > 0) {
            m.append(": HTTP ").append(f.status());
        }
        if (providerMessage != null && !providerMessage.isEmpty()) {
            m.append(": ").append(providerMessage);
        }
        if (f.description() != null) {
            m.append(": ").append(redactor.clean(f.description()));
        }
        if (attempts > 1) {
            m.append(" (after ").append(attempts).append(" attempts)");
        }
        if (note != null) {
            m.append(" (").append(note).append(")");
        }
        return new EmbeddingError(m.toString(), provider, f.status(), providerMessage, f.retryable(), f.getCause());
    }
}
