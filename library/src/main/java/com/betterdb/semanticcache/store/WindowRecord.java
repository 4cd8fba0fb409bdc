package com.betterdb.semanticcache.store;

/** A raw member of the similarity window (or of the judge-verdict set) and its zset score (the ms time it was recorded). */
public record WindowRecord(String member, double timestampMs) {
}
