package com.betterdb.semanticcache.spring.boot.actuate;

import com.betterdb.semanticcache.CacheStats;
import com.betterdb.semanticcache.IndexInfo;
import com.betterdb.semanticcache.SemanticCache;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code semanticCache} in {@code /actuator/info}: name, store, the effective default threshold (after
 * {@code __config}), category thresholds, and, once initialized, the vector dimension, the document count and the hit
 * counters. What the store does not return within the timeout is left out and {@code error} says why.
 */
public class SemanticCacheInfoContributor implements InfoContributor {

    private final SemanticCache cache;
    private final String store;
    private final Duration timeout;

    public SemanticCacheInfoContributor(SemanticCache cache, String store, Duration timeout) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.store = store;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public void contribute(Info.Builder builder) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("name", cache.name());
        details.put("store", store);
        details.put("threshold", cache.currentConfig().defaultThreshold());
        if (!cache.currentConfig().categoryThresholds().isEmpty()) {
            details.put("categoryThresholds", cache.currentConfig().categoryThresholds());
        }
        try {
            Map.Entry<IndexInfo, CacheStats> state = Mono.zip(cache.indexInfo(), cache.stats(), Map::entry)
                    .timeout(timeout)
                    .block();
            IndexInfo index = Objects.requireNonNull(state).getKey();
            CacheStats stats = state.getValue();
            details.put("dimension", index.dimension());
            details.put("documents", index.numDocs());
            details.put("hits", stats.hits());
            details.put("misses", stats.misses());
            details.put("hitRate", stats.hitRate());
            details.put("costSavedMicros", stats.costSavedMicros());
        } catch (RuntimeException e) {
            details.put("error", reactor.core.Exceptions.unwrap(e).toString());
        }
        builder.withDetail("semanticCache", details);
    }
}
