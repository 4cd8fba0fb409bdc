package com.betterdb.semanticcache.spring.boot.kafka;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.kafka.SemanticCacheProcessor;
import com.betterdb.semanticcache.kafka.SemanticCacheProcessorConfig;
import com.betterdb.semanticcache.spring.boot.SemanticCacheAutoConfiguration;
import com.betterdb.semanticcache.spring.boot.SemanticCacheProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * The Kafka processor around the cache, when {@code betterdb.semantic-cache.kafka.prompts-topic} is set: connected
 * with Spring Boot's {@code spring.kafka.*} settings, started and stopped with the application context. It needs
 * {@code semantic-cache-kafka} and Spring Boot's Kafka support ({@code spring-boot-starter-kafka}); when the topic is
 * set and either is missing the application fails to start, saying which.
 */
@AutoConfiguration(after = SemanticCacheAutoConfiguration.class,
        afterName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@ConditionalOnProperty(prefix = SemanticCacheProperties.PREFIX + ".kafka", name = "prompts-topic")
@ConditionalOnBooleanProperty(name = SemanticCacheProperties.PREFIX + ".kafka.enabled", matchIfMissing = true)
public final class SemanticCacheKafkaAutoConfiguration {

    static final String PROCESSOR_CLASS = "com.betterdb.semanticcache.kafka.SemanticCacheProcessor";
    static final String KAFKA_PROPERTIES_CLASS = "org.springframework.boot.kafka.autoconfigure.KafkaProperties";

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {PROCESSOR_CLASS, KAFKA_PROPERTIES_CLASS})
    @ConditionalOnBean(SemanticCache.class)
    @EnableConfigurationProperties({SemanticCacheProperties.class, KafkaProperties.class})
    static class ProcessorConfiguration {

        @Bean
        @ConditionalOnMissingBean
        SemanticCacheProcessor semanticCacheProcessor(SemanticCacheProperties properties, KafkaProperties kafka,
                                                      SemanticCache cache, ObjectProvider<MeterRegistry> meters) {
            return SemanticCacheProcessor.create(config(properties.getKafka(), KafkaConnection.of(kafka)), cache,
                    meters.getIfUnique(() -> Metrics.globalRegistry));
        }

        @Bean
        @ConditionalOnMissingBean
        SemanticCacheProcessorLifecycle semanticCacheProcessorLifecycle(SemanticCacheProcessor processor) {
            return new SemanticCacheProcessorLifecycle(processor);
        }

        /** The processor's settings; only this class may touch the Kafka classes, which may be missing. */
        static SemanticCacheProcessorConfig config(SemanticCacheProperties.Kafka k, KafkaConnection connection) {
            SemanticCacheProcessorConfig.Builder b = SemanticCacheProcessorConfig.builder()
                    .bootstrapServers(connection.bootstrapServers())
                    .groupId(k.getGroupId())
                    .clientId(k.getClientId())
                    .promptsTopic(k.getPromptsTopic())
                    .responsesTopic(k.getResponsesTopic())
                    .llmRequestsTopic(k.getLlmRequestsTopic())
                    .llmRepliesTopic(k.getLlmRepliesTopic())
                    .deadLetterTopic(k.getDeadLetterTopic())
                    .maxInFlight(k.getMaxInFlight())
                    .maxPollRecords(k.getMaxPollRecords())
                    .chunkSize(k.getChunkSize())
                    .llmTimeout(k.getLlmTimeout())
                    .llmMaxAttempts(k.getLlmMaxAttempts())
                    .coalescing(k.isCoalescing())
                    .maxProcessingAttempts(k.getMaxProcessingAttempts())
                    .stopTimeout(k.getStopTimeout())
                    .consumerProperties(connection.consumer())
                    .producerProperties(connection.producer());
            if (k.getMaxInFlightPerPartition() != null) {
                b.maxInFlightPerPartition(k.getMaxInFlightPerPartition());
            }
            try {
                return b.build();
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("Invalid " + SemanticCacheProperties.PREFIX + ".kafka.* settings: "
                        + e.getMessage(), e);
            }
        }
    }

    /** prompts-topic set, but the processor or Spring Boot's Kafka support is not on the class path. */
    @Configuration(proxyBeanMethods = false)
    @Conditional(KafkaClassesMissing.class)
    static class MissingClassesConfiguration {

        @Bean
        Object semanticCacheProcessor() {
            throw new IllegalStateException(SemanticCacheProperties.PREFIX + ".kafka.prompts-topic is set, but the"
                    + " Kafka processor needs com.betterdb:semantic-cache-kafka and Spring Boot's Kafka support"
                    + " (org.springframework.boot:spring-boot-starter-kafka) on the class path: add them, or remove"
                    + " the property (or set " + SemanticCacheProperties.PREFIX + ".kafka.enabled=false).");
        }
    }

    static class KafkaClassesMissing extends AnyNestedCondition {

        KafkaClassesMissing() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnMissingClass(PROCESSOR_CLASS)
        static class NoProcessor {
        }

        @ConditionalOnMissingClass(KAFKA_PROPERTIES_CLASS)
        static class NoKafkaProperties {
        }
    }
}
