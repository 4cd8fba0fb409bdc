package com.betterdb.semanticcache.spring.boot.actuate;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.spring.boot.SemanticCacheAutoConfiguration;
import com.betterdb.semanticcache.spring.boot.SemanticCacheInitializer;
import com.betterdb.semanticcache.spring.boot.SemanticCacheProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.info.ConditionalOnEnabledInfoContributor;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The cache's health indicator ({@code management.health.semantic-cache.enabled}) and info contributor
 * ({@code management.info.semantic-cache.enabled}), each only when its part of the actuator is on the class path and
 * there is a {@link SemanticCache} bean (auto-configured or your own).
 */
@AutoConfiguration(after = SemanticCacheAutoConfiguration.class)
@ConditionalOnBean(SemanticCache.class)
@EnableConfigurationProperties(SemanticCacheProperties.class)
public final class SemanticCacheActuatorAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ReactiveHealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("semantic-cache")
    static class HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "semanticCacheHealthIndicator")
        SemanticCacheHealthIndicator semanticCacheHealthIndicator(SemanticCache cache,
                                                                  ObjectProvider<SemanticCacheInitializer> initializer,
                                                                  SemanticCacheProperties properties) {
            return new SemanticCacheHealthIndicator(cache, SemanticCacheAutoConfiguration.storeOf(cache),
                    initializer.getIfUnique(),
                    properties.getActuatorTimeout());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(InfoContributor.class)
    @ConditionalOnEnabledInfoContributor("semantic-cache")
    static class InfoConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "semanticCacheInfoContributor")
        SemanticCacheInfoContributor semanticCacheInfoContributor(SemanticCache cache,
                                                                  SemanticCacheProperties properties) {
            return new SemanticCacheInfoContributor(cache, SemanticCacheAutoConfiguration.storeOf(cache),
                    properties.getActuatorTimeout());
        }
    }
}
