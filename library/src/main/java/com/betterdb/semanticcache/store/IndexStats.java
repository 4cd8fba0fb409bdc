package com.betterdb.semanticcache.store;

/** Index statistics from {@code FT.INFO}: {@code num_docs} and the raw indexing state. */
public record IndexStats(long numDocs, String indexingState) {
}
