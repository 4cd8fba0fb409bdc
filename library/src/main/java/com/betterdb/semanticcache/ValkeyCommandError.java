package com.betterdb.semanticcache;

/**
 * A Valkey command the cache depends on failed. Message: {@code Valkey command '<COMMAND>' failed: <cause>}.
 * Best-effort bookkeeping writes (stats, window, embedding cache, discovery) never raise this.
 */
public class ValkeyCommandError extends SemanticCacheException {
    private static final long serialVersionUID = 1L;

    private final String command;

    public ValkeyCommandError(String command, Throwable cause) {
        super("Valkey command '" + command + "' failed: " + EmbeddingError.messageOf(cause), cause);
        this.command = command;
    }

    public ValkeyCommandError(String command, String reason) {
        super("Valkey command '" + command + "' failed: " + reason);
        this.command = command;
    }

    /** The command name, e.g. {@code FT.SEARCH}. */
    public String command() {
        return command;
    }
}
