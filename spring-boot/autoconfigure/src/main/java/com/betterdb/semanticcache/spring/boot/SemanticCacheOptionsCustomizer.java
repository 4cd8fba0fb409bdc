package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.SemanticCacheOptions;

/**
 * Changes the options of the auto-configured cache after the properties are applied, for what has no simple value
 * (a cost table, a clock). Beans of this type are applied in {@code @Order}.
 */
@FunctionalInterface
public interface SemanticCacheOptionsCustomizer {

    void customize(SemanticCacheOptions.Builder builder);
}
