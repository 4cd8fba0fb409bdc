package com.betterdb.semanticcache.embed.support;

import java.time.Duration;

/**
 * Why one request to a provider failed, as the retry loop needs it. Internal: it never leaves the loop (the caller
 * sees an {@code EmbeddingError}), and its fields may hold raw provider text, so it has no message of its own.
 *
 * @param status          HTTP status of the reply, 0 when none was received
 * @param providerMessage the provider's error message as received (redacted before anyone sees it), or null
 * @param description     what went wrong in our words (never contains provider text), or null
 * @param retryAfter      the wait the provider asked for, or null
 * @param retryable       whether another attempt may succeed
 * @param cause           a local exception safe to expose (I/O, timeout), or null
 */
public final class AttemptFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient String providerMessage;
    private final String description;
    private final transient Duration retryAfter;
    private final boolean retryable;

    public AttemptFailure(int status, String providerMessage, String description, Duration retryAfter,
                          boolean retryable, Throwable cause) {
        super(null, cause, false, false);
        this.status = status;
        this.providerMessage = providerMessage;
        this.description = description;
        this.retryAfter = retryAfter;
        this.retryable = retryable;
    }

    /** An error reply: retryable when the status says the condition may pass (408, 429, 5xx). */
    public static AttemptFailure reply(int status, String providerMessage, Duration retryAfter) {
        return new AttemptFailure(status, providerMessage, null, retryAfter, retryableStatus(status), null);
    }

    /** A reply with a success status whose body is not what the provider documents. */
    public static AttemptFailure malformed(int status, String description) {
        return new AttemptFailure(status, null, description, null, false, null);
    }

    public static boolean retryableStatus(int status) {
        return status == 408 || status == 429 || status >= 500;
    }

    public int status() {
        return status;
    }

    public String providerMessage() {
        return providerMessage;
    }

    public String description() {
        return description;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public boolean retryable() {
        return retryable;
    }
}
