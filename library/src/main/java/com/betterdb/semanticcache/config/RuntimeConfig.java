package com.betterdb.semanticcache.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Effective runtime configuration overlaid from {@code {name}:__config} (docs/decision-rules.md §14,
 * docs/data-format.md §10).
 *
 * @param defaultThreshold   default cosine-distance threshold
 * @param categoryThresholds per-category thresholds (unmodifiable, insertion-ordered copy)
 * @param defaultTtl         default entry TTL; {@code null} = no TTL
 */
public record RuntimeConfig(double defaultThreshold, Map<String, Double> categoryThresholds, Duration defaultTtl) {

    public RuntimeConfig {
        Map<String, Double> copy = new LinkedHashMap<>();
        if (categoryThresholds != null) {
            categoryThresholds.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "category"),
                    Objects.requireNonNull(v, "threshold")));
        }
        categoryThresholds = Collections.unmodifiableMap(copy);
    }

    /** Threshold for {@code category} if configured, else the default (docs/decision-rules.md §3, minus the per-call override). */
    public double thresholdFor(String category) {
        if (category != null) {
            Double t = categoryThresholds.get(category);
            if (t != null) {
                return t;
            }
        }
        return defaultThreshold;
    }
}
