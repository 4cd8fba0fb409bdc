package com.betterdb.semanticcache.store;

/**
 * What the cache needs to know about its vector index.
 *
 * @param dimension     vector dimension
 * @param hasBinaryRefs whether the index has the {@code binary_refs} TAG attribute (older indexes may not)
 */
public record IndexDescriptor(int dimension, boolean hasBinaryRefs) {
}
