package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.embed.BatchEmbedFn;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.store.CacheStoreFactory;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import java.util.function.Supplier;

/**
 * A {@link SemanticCache} from {@code betterdb.semantic-cache.*} properties, its store and its embedder, each
 * replaced by a bean of your own: a {@link CacheStoreFactory} bean replaces the store, an {@link EmbedFn} bean the
 * embedder (a {@link BatchEmbedFn} bean, or an embedder that is one, is used for batches), a {@link SemanticCache}
 * bean everything (nothing here is created then). The {@link MeterRegistry} and {@link ObservationRegistry} beans are used when present.
 *
 * <p>The store, in this order: {@code store=in-memory}; {@code valkey.url} (a Lettuce client of its own);
 * a {@link RedisClient} or {@link RedisClusterClient} bean; a {@code LettuceConnectionFactory} bean (Spring Data Redis,
 * {@code spring.data.redis.*}). Nothing found is a startup error that names these options.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@ConditionalOnClass(SemanticCache.class)
@ConditionalOnMissingBean(SemanticCache.class)
@ConditionalOnBooleanProperty(name = SemanticCacheProperties.PREFIX + ".enabled", matchIfMissing = true)
@EnableConfigurationProperties(SemanticCacheProperties.class)
public final class SemanticCacheAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(EmbedFn.class)
    EmbedFn semanticCacheEmbedFn(SemanticCacheProperties properties, ResourceLoader resources) {
        return Embedders.create(properties, resources.getClassLoader()); // closed by Spring (inferred) after the cache
    }

    @Bean
    @ConditionalOnMissingBean(CacheStoreFactory.class)
    SemanticCacheStore semanticCacheStore(SemanticCacheProperties properties, ObjectProvider<RedisClient> clients,
                                          ObjectProvider<RedisClusterClient> clusterClients,
                                          ObjectProvider<ConnectionFactoryClient> connectionFactories) {
        if (properties.getStore() == SemanticCacheProperties.StoreType.IN_MEMORY) {
            return SemanticCacheStore.inMemory(properties.inMemoryOptions());
        }
        SemanticCacheProperties.Valkey valkey = properties.getValkey();
        if (valkey.getUrl() != null && !valkey.getUrl().isBlank()) {
            return SemanticCacheStore.valkeyAt(valkey.getUrl(), valkey.isCluster(), properties.valkeyStoreOptions());
        }
        RedisClient client = unique(clients, "RedisClient");
        if (client != null) {
            return SemanticCacheStore.valkey(() -> client, properties.valkeyStoreOptions(), "Valkey through the"
                    + " RedisClient bean", null);
        }
        RedisClusterClient clusterClient = unique(clusterClients, "RedisClusterClient");
        if (clusterClient != null) {
            return SemanticCacheStore.valkey(() -> clusterClient, properties.valkeyStoreOptions(), "Valkey Cluster"
                    + " through the RedisClusterClient bean", null);
        }
        ConnectionFactoryClient factory = unique(connectionFactories, "LettuceConnectionFactory");
        if (factory != null) {
            return SemanticCacheStore.valkey(factory.client(), properties.valkeyStoreOptions(), factory.description(),
                    null);
        }
        throw new IllegalStateException("The semantic cache has no store: set " + SemanticCacheProperties.PREFIX
                + ".valkey.url (e.g. redis://localhost:6379), define a RedisClient, RedisClusterClient or"
                + " LettuceConnectionFactory bean, or set " + SemanticCacheProperties.PREFIX + ".store=in-memory.");
    }

    private static <T> T unique(ObjectProvider<T> beans, String type) {
        if (beans.stream().limit(2).count() > 1 && beans.getIfUnique() == null) {
            throw new IllegalStateException("The semantic cache found several " + type + " beans and none is"
                    + " @Primary: mark one, or set " + SemanticCacheProperties.PREFIX + ".valkey.url.");
        }
        return beans.getIfUnique();
    }

    /** The native Lettuce client of Spring Data Redis's connection factory, asked for when the cache connects. */
    record ConnectionFactoryClient(Supplier<AbstractRedisClient> client, String description) {
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(LettuceConnectionFactory.class)
    static class DataRedisConfiguration {

        @Bean
        @ConditionalOnBean(LettuceConnectionFactory.class)
        ConnectionFactoryClient semanticCacheConnectionFactoryClient(ObjectProvider<LettuceConnectionFactory> factory) {
            LettuceConnectionFactory f = factory.getObject();
            return new ConnectionFactoryClient(f::getRequiredNativeClient, (f.isClusterAware() ? "Valkey Cluster"
                    : "Valkey") + " through the LettuceConnectionFactory bean (spring.data.redis.*)");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CacheConfiguration {

        @Bean(destroyMethod = "close")
        SemanticCache semanticCache(SemanticCacheProperties properties, CacheStoreFactory store, EmbedFn embedFn,
                                    ObjectProvider<BatchEmbedFn> batchEmbedFn, ObjectProvider<MeterRegistry> meters,
                                    ObjectProvider<ObservationRegistry> observations,
                                    ObjectProvider<SemanticCacheOptionsCustomizer> customizers) {
            SemanticCacheOptions.Builder b = properties.applyTo(SemanticCacheOptions.builder())
                    .store(store)
                    .embedFn(embedFn);
            BatchEmbedFn batch = batchEmbedFn.getIfUnique(() -> embedFn instanceof BatchEmbedFn be ? be : null);
            if (batch != null) {
                b.batchEmbedFn(batch);
            }
            meters.ifUnique(b::meterRegistry);
            observations.ifUnique(b::observationRegistry);
            customizers.orderedStream().forEach(c -> c.customize(b));
            return SemanticCache.create(b.build());
        }

        @Bean
        SemanticCacheInitializer semanticCacheInitializer(SemanticCache semanticCache, CacheStoreFactory store,
                                                          SemanticCacheProperties properties) {
            return new SemanticCacheInitializer(semanticCache, describe(store), properties.getStartup());
        }
    }

    static String describe(CacheStoreFactory store) {
        return store instanceof SemanticCacheStore s ? s.description() : "the CacheStoreFactory bean";
    }

    /** Where {@code cache} keeps its entries, for health details and messages. */
    public static String storeOf(SemanticCache cache) {
        return cache.options().store() instanceof SemanticCacheStore s ? s.description() : "the cache's own store";
    }
}
