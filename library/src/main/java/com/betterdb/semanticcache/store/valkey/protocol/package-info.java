/**
 * The valkey-search wire protocol of the cache, as pure functions and Lettuce outputs.
 * <ul>
 *   <li>{@link com.betterdb.semanticcache.store.valkey.protocol.FtKeywords} — FT.* command names for
 *       {@code dispatch};</li>
 *   <li>{@link com.betterdb.semanticcache.store.valkey.protocol.FtCommands} — exact argument vectors
 *       (docs/data-format.md §4.1, §13);</li>
 *   <li>{@link com.betterdb.semanticcache.store.valkey.protocol.FtSearchOutput} — streaming FT.SEARCH decoding
 *       into {@code Candidate}s; {@link com.betterdb.semanticcache.store.valkey.protocol.GenericReplyOutput} plus
 *       {@link com.betterdb.semanticcache.store.valkey.protocol.FtReplies} for FT.INFO, FT._LIST and status
 *       replies;</li>
 *   <li>{@link com.betterdb.semanticcache.store.valkey.protocol.IndexErrors} — "index does not exist"
 *       classification (docs/data-format.md §4.4).</li>
 * </ul>
 * Lettuce's built-in {@code ftSearch}/{@code ftInfo} target RediSearch's reply layout and are not used.
 * Connections are expected to use {@code ByteArrayCodec}.
 */
package com.betterdb.semanticcache.store.valkey.protocol;
