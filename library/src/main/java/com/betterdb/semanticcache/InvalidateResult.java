package com.betterdb.semanticcache;

/**
 * @param deleted   entries deleted (a key the index still listed after an earlier delete is not counted)
 * @param truncated true when the batch limit (1000) was reached, so more entries may match
 */
public record InvalidateResult(long deleted, boolean truncated) {
}
