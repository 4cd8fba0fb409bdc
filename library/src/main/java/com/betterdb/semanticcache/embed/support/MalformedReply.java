package com.betterdb.semanticcache.embed.support;

/**
 * Thrown while reading a reply that does not have the documented shape. The message describes the shape only (counts,
 * types), never content, so it is safe in an error message.
 */
public final class MalformedReply extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedReply(String description) {
        super(description, null, false, false);
    }
}
