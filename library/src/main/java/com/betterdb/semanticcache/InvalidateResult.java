package com.betterdb.semanticcache;

/** @param deleted keys found and deleted; @param truncated true when the batch limit (1000) was reached. */
public record InvalidateResult(long deleted, boolean truncated) {
}
