package com.betterdb.semanticcache;

/**
 * @param name          the index name, {@code {name}:idx}
 * @param numDocs       documents in the index
 * @param dimension     vector dimension the cache uses
 * @param indexingState the server's raw indexing state, {@code "unknown"} when not reported
 */
public record IndexInfo(String name, long numDocs, int dimension, String indexingState) {
}
