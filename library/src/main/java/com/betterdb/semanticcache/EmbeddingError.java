package com.betterdb.semanticcache;

/**
 * The embedding function failed. From a user-supplied function the message is {@code embedFn failed: <cause>}.
 * From a bundled provider it also names the {@link #provider() provider}, the HTTP {@link #status() status} and the
 * {@link #providerMessage() provider's own error message}, with the secrets the provider was given and the embedded
 * texts removed.
 */
public class EmbeddingError extends SemanticCacheException {
    private static final long serialVersionUID = 1L;

    private final String provider;
    private final int status;
    private final String providerMessage;
    private final boolean retryable;

    public EmbeddingError(Throwable cause) {
        this("embedFn failed: " + messageOf(cause), cause);
    }

    public EmbeddingError(String message, Throwable cause) {
        this(message, null, 0, null, false, cause);
    }

    /**
     * @param provider        the provider's name, e.g. {@code Cohere}
     * @param status          the HTTP status of the failed reply, 0 when none was received
     * @param providerMessage the error message the provider sent, or {@code null}
     * @param retryable       whether a later attempt may succeed (rate limit, server error, timeout, network)
     */
    public EmbeddingError(String message, String provider, int status, String providerMessage, boolean retryable,
                          Throwable cause) {
        super(message, cause);
        this.provider = provider;
        this.status = status;
        this.providerMessage = providerMessage;
        this.retryable = retryable;
    }

    /** The bundled provider that failed ({@code OpenAI}, {@code Bedrock}, ...), or {@code null} for a user function. */
    public String provider() {
        return provider;
    }

    /** HTTP status of the failed reply; 0 when no reply was received or the error did not come from HTTP. */
    public int status() {
        return status;
    }

    /** The provider's own error message (secrets and embedded texts removed), or {@code null}. */
    public String providerMessage() {
        return providerMessage;
    }

    /**
     * Whether the failure may pass on its own (rate limit, server error, timeout, network) and the request was given
     * up only because the retry policy ran out; {@code false} for a bad key, a bad request or a malformed reply.
     */
    public boolean retryable() {
        return retryable;
    }

    static String messageOf(Throwable cause) {
        if (cause == null) {
            return "null";
        }
        String m = cause.getMessage();
        return m != null ? m : cause.toString();
    }
}
