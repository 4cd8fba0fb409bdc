package com.betterdb.semanticcache.store.valkey.protocol;

import io.lettuce.core.protocol.ProtocolKeyword;

import java.nio.charset.StandardCharsets;

/**
 * The valkey-search command names, as Lettuce {@link ProtocolKeyword}s for
 * {@code connection.async().dispatch(keyword, output, args)}.
 * <p>
 * We deliberately do not use Lettuce's built-in {@code ftSearch} family: it targets RediSearch's reply
 * layout, while valkey-search 1.2 replies differently (docs/data-format.md §4.3, §13).
 */
public enum FtKeywords implements ProtocolKeyword {

    /** {@code FT.CREATE}. */
    CREATE("FT.CREATE"),
    /** {@code FT.INFO}. */
    INFO("FT.INFO"),
    /** {@code FT.SEARCH}. */
    SEARCH("FT.SEARCH"),
    /** {@code FT.DROPINDEX} (never sent with {@code DD}: valkey-search 1.2 rejects it). */
    DROPINDEX("FT.DROPINDEX"),
    /** {@code FT._LIST}. */
    LIST("FT._LIST");

    private final String command;

    // Encoded once: Lettuce writes these bytes for every command it sends.
    private final byte[] bytes;

    FtKeywords(String command) {
        this.command = command;
        this.bytes = command.getBytes(StandardCharsets.US_ASCII);
    }

    /** The command name as sent on the wire, e.g. {@code FT.SEARCH}. Callers must not modify the array. */
    @Override
    public byte[] getBytes() {
        return bytes;
    }

    /** The command name, e.g. {@code FT.SEARCH} (also what {@code ValkeyCommandError} reports). */
    public String command() {
        return command;
    }

    @Override
    public String toString() {
        return command;
    }
}
