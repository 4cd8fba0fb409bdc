package com.betterdb.semanticcache.store;

import java.util.Objects;

/**
 * Every Valkey key name of one cache, derived once from the cache name (docs/data-format.md §2). The name is used
 * verbatim: no escaping, no hash tags, exactly as the TypeScript and Python packages do.
 */
public record CacheKeys(String name) {

    public static final String REGISTRY_KEY = "__betterdb:caches";
    public static final String PROTOCOL_KEY = "__betterdb:protocol";
    public static final String HEARTBEAT_PREFIX = "__betterdb:heartbeat:";

    public CacheKeys {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("cache name must not be empty");
        }
    }

    public String indexName() {
        return name + ":idx";
    }

    public String entryPrefix() {
        return name + ":entry:";
    }

    public String entryKey(String id) {
        return entryPrefix() + id;
    }

    public String embedPrefix() {
        return name + ":embed:";
    }

    public String embedKey(String sha256Hex) {
        return embedPrefix() + sha256Hex;
    }

    public String statsKey() {
        return name + ":__stats";
    }

    public String windowKey() {
        return name + ":__similarity_window";
    }

    /**
     * The judge-verdict set (a zset, this library only): the LLM judge's verdicts on uncertain hits with their
     * distances, for the label-based threshold advice. Not read or written by the TypeScript and Python packages.
     */
    public String judgeVerdictsKey() {
        return name + ":__judge_verdicts";
    }

    public String missPendingKey() {
        return name + ":__miss_pending";
    }

    public String configKey() {
        return name + ":__config";
    }

    public String heartbeatKey() {
        return HEARTBEAT_PREFIX + name;
    }
}
