package com.betterdb.semanticcache.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Overlay of the {@code {name}:__config} hash on the constructor values, following the TS
 * reference (docs/decision-rules.md §14, docs/data-format.md §10; parsing differences: docs/compatibility.md §2).
 */
public final class ConfigParser {

    /** Hash field for the default threshold. */
    public static final String THRESHOLD_FIELD = "threshold";
    /** Prefix of per-category threshold fields. */
    public static final String CATEGORY_PREFIX = "threshold:";
    /** Hash field for the default TTL in seconds. */
    public static final String TTL_FIELD = "ttl";
    public static final double MIN_THRESHOLD = 0;
    public static final double MAX_THRESHOLD = 2;
    public static final long MIN_TTL_SECONDS = 10;
    public static final long MAX_TTL_SECONDS = 86_400;

    private ConfigParser() {
    }

    /**
     * Computes the effective config from the constructor values ({@code initial}) and the current
     * hash contents. Every call starts from {@code initial}: removed fields revert.
     *
     * @param initial    constructor values
     * @param configHash {@code HGETALL} result ({@code null} or empty = nothing overridden)
     */
    public static RuntimeConfig apply(RuntimeConfig initial, Map<String, String> configHash) {
        double nextDefault = initial.defaultThreshold();
        Map<String, Double> nextCategories = new LinkedHashMap<>(initial.categoryThresholds());
        Duration nextTtl = initial.defaultTtl();
        if (configHash != null) {
            for (Map.Entry<String, String> e : configHash.entrySet()) {
                String field = e.getKey();
                if (field == null) {
                    continue;
                }
                double x = JsNumber.parse(e.getValue());
                if (!Double.isFinite(x) || x < MIN_THRESHOLD || x > MAX_THRESHOLD) {
                    continue;
                }
                if (field.equals(THRESHOLD_FIELD)) {
                    nextDefault = x;
                } else if (field.startsWith(CATEGORY_PREFIX)) {
                    String category = field.substring(CATEGORY_PREFIX.length());
                    if (!category.isEmpty()) {
                        nextCategories.put(category, x);
                    }
                }
            }
            String ttl = configHash.get(TTL_FIELD);
            if (ttl != null && !ttl.isEmpty()) {
                double v = JsNumber.parse(ttl);
                if (Double.isFinite(v) && v == Math.rint(v) && v >= MIN_TTL_SECONDS && v <= MAX_TTL_SECONDS) {
                    nextTtl = Duration.ofSeconds((long) v);
                }
            }
        }
        return new RuntimeConfig(nextDefault, nextCategories, nextTtl);
    }
}
