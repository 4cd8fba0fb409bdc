package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.cost.ModelCost;
import com.betterdb.semanticcache.embed.BatchEmbedFn;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.store.CacheStoreFactory;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every condition of the auto-configuration, on the in-memory store or without connecting (startup mode manual). */
class SemanticCacheAutoConfigurationTest {

    static final Duration T = Duration.ofSeconds(10);
    static final String P = SemanticCacheProperties.PREFIX + ".";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SemanticCacheAutoConfiguration.class));

    /** In memory, with the test embedder as the user's EmbedFn bean. */
    private ApplicationContextRunner inMemory() {
        return runner.withPropertyValues(P + "store=in-memory")
                .withBean(EmbedFn.class, () -> TestEmbedder.embedFn(8));
    }

    @Test
    void anInitializedCacheFromTwoProperties() {
        inMemory().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(SemanticCache.class);
            SemanticCache cache = context.getBean(SemanticCache.class);
            assertThat(context.getBean(SemanticCacheInitializer.class).state())
                    .isEqualTo(SemanticCacheInitializer.State.READY);
            cache.store("What is the capital of France?", "Paris").block(T);
            CacheResult hit = cache.check("What is the capital of France?").block(T);
            assertThat(hit.hit()).isTrue();
            assertThat(hit.response()).isEqualTo("Paris");
            assertThat(context.getBean(SemanticCacheStore.class).description()).isEqualTo("in-memory");
        });
    }

    @Test
    void unsetPropertiesKeepTheLibraryDefaults() {
        inMemory().run(context -> {
            SemanticCacheOptions o = context.getBean(SemanticCache.class).options();
            SemanticCacheOptions d = SemanticCacheOptions.builder().store(CacheStores.inMemory())
                    .embedFn(TestEmbedder.embedFn(8)).build();
            assertThat(o.name()).isEqualTo(d.name());
            assertThat(o.defaultThreshold()).isEqualTo(d.defaultThreshold());
            assertThat(o.defaultTtl()).isEqualTo(d.defaultTtl()).isNull();
            assertThat(o.categoryThresholds()).isEqualTo(d.categoryThresholds()).isEmpty();
            assertThat(o.uncertaintyBand()).isEqualTo(d.uncertaintyBand());
            assertThat(o.useDefaultCostTable()).isEqualTo(d.useDefaultCostTable());
            assertThat(o.embeddingCache()).isEqualTo(d.embeddingCache());
            assertThat(o.configRefresh()).isEqualTo(d.configRefresh());
            assertThat(o.discovery()).isEqualTo(d.discovery());
            assertThat(o.coalescing()).isEqualTo(d.coalescing());
            assertThat(o.telemetry().metricsPrefix()).isEqualTo(d.telemetry().metricsPrefix());
            assertThat(o.telemetry().tracerName()).isEqualTo(d.telemetry().tracerName());
            SemanticCacheProperties defaults = new SemanticCacheProperties();
            assertThat(defaults.valkeyStoreOptions().searchConnections())
                    .isEqualTo(com.betterdb.semanticcache.store.valkey.ValkeyStoreOptions.DEFAULT_SEARCH_CONNECTIONS);
            assertThat(defaults.valkeyStoreOptions().pipelineDepth())
                    .isEqualTo(com.betterdb.semanticcache.store.valkey.ValkeyStoreOptions.DEFAULT_PIPELINE_DEPTH);
            assertThat(defaults.retryPolicy().toString())
                    .isEqualTo(com.betterdb.semanticcache.embed.RetryPolicy.defaults().toString());
        });
    }

    @Test
    void everySimpleOptionIsBound() {
        inMemory().withPropertyValues(P + "name=bound", P + "default-threshold=0.2", P + "default-ttl=1h",
                        P + "category-thresholds.faq=0.08", P + "category-thresholds.legal=0.01",
                        P + "uncertainty-band=0.03", P + "use-default-cost-table=false",
                        P + "embedding-cache.enabled=false", P + "embedding-cache.ttl=2h",
                        P + "config-refresh.enabled=false", P + "config-refresh.interval=5s",
                        P + "discovery.enabled=false", P + "discovery.heartbeat-interval=10s",
                        P + "discovery.include-categories=false", P + "coalescing.enabled=false",
                        P + "coalescing.max-in-flight=7", P + "coalescing.max-age=1m",
                        P + "telemetry.metrics-prefix=llm_cache", P + "telemetry.tracer-name=svc")
                .run(context -> {
                    SemanticCacheOptions o = context.getBean(SemanticCache.class).options();
                    assertThat(o.name()).isEqualTo("bound");
                    assertThat(o.defaultThreshold()).isEqualTo(0.2);
                    assertThat(o.defaultTtl()).isEqualTo(Duration.ofHours(1));
                    assertThat(o.categoryThresholds()).containsExactlyInAnyOrderEntriesOf(
                            Map.of("faq", 0.08, "legal", 0.01));
                    assertThat(o.uncertaintyBand()).isEqualTo(0.03);
                    assertThat(o.useDefaultCostTable()).isFalse();
                    assertThat(o.embeddingCache()).isEqualTo(
                            new SemanticCacheOptions.EmbeddingCache(false, Duration.ofHours(2)));
                    assertThat(o.configRefresh()).isEqualTo(
                            new SemanticCacheOptions.ConfigRefresh(false, Duration.ofSeconds(5)));
                    assertThat(o.discovery()).isEqualTo(
                            new SemanticCacheOptions.Discovery(false, Duration.ofSeconds(10), false));
                    assertThat(o.coalescing()).isEqualTo(
                            new SemanticCacheOptions.Coalescing(false, 7, Duration.ofMinutes(1)));
                    assertThat(o.telemetry().metricsPrefix()).isEqualTo("llm_cache");
                    assertThat(o.telemetry().tracerName()).isEqualTo("svc");
                });
    }

    @Test
    void disabledByProperty() {
        inMemory().withPropertyValues(P + "enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SemanticCache.class)
                        .doesNotHaveBean(SemanticCacheStore.class).doesNotHaveBean(SemanticCacheInitializer.class));
    }

    @Test
    void aUserCacheBeanReplacesEverything() {
        SemanticCache own = SemanticCache.create(SemanticCacheOptions.builder().name("own")
                .store(CacheStores.inMemory()).embedFn(TestEmbedder.embedFn(8)).build());
        inMemory().withBean(SemanticCache.class, () -> own).run(context -> {
            assertThat(context).hasSingleBean(SemanticCache.class).doesNotHaveBean(SemanticCacheInitializer.class)
                    .doesNotHaveBean(SemanticCacheStore.class).hasSingleBean(EmbedFn.class);
            assertThat(context.getBean(SemanticCache.class)).isSameAs(own);
        });
        own.close();
    }

    @Test
    void aUserEmbedFnBeanWinsOverTheProviderProperty() {
        // provider=openai without a key would fail: the user's bean means it is never built.
        inMemory().withPropertyValues(P + "embedding.provider=openai").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(EmbedFn.class);
            assertThat(context.getBean(SemanticCache.class).options().embedFn())
                    .isSameAs(context.getBean(EmbedFn.class));
        });
    }

    @Test
    void noEmbedderIsAStartupErrorNamingTheOptions() {
        runner.withPropertyValues(P + "store=in-memory").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("define an EmbedFn bean")
                .hasMessageContaining(P + "embedding.provider")
                .hasMessageContaining("openai, ollama, local, bedrock, voyage, cohere, google"));
    }

    @Test
    void batchEmbedderIsTheUsersBeanOrTheEmbedderWhenItIsOne() {
        inMemory().run(context -> assertThat(context.getBean(SemanticCache.class).options().batchEmbedFn()).isNull());

        BatchEmbedFn batch = texts -> Mono.just(texts.stream().map(t -> TestEmbedder.embed(t, 8)).toList());
        inMemory().withBean(BatchEmbedFn.class, () -> batch).run(context ->
                assertThat(context.getBean(SemanticCache.class).options().batchEmbedFn()).isSameAs(batch));

        runner.withPropertyValues(P + "store=in-memory", P + "embedding.provider=ollama",
                P + "startup.mode=manual").run(context -> {
                    SemanticCacheOptions o = context.getBean(SemanticCache.class).options();
                    assertThat(o.embedFn()).isInstanceOf(BatchEmbedFn.class);
                    assertThat(o.batchEmbedFn()).isSameAs(o.embedFn());
                });
    }

    @Test
    void meterAndObservationRegistryBeansAreUsedWhenPresent() {
        inMemory().run(context -> {
            SemanticCacheOptions.Telemetry t = context.getBean(SemanticCache.class).options().telemetry();
            assertThat(t.meterRegistry()).isSameAs(Metrics.globalRegistry);
            assertThat(t.observationRegistry()).isSameAs(ObservationRegistry.NOOP);
        });
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ObservationRegistry observations = ObservationRegistry.create();
        inMemory().withBean(SimpleMeterRegistry.class, () -> meters)
                .withBean(ObservationRegistry.class, () -> observations)
                .withPropertyValues(P + "name=metered")
                .run(context -> {
                    SemanticCache cache = context.getBean(SemanticCache.class);
                    assertThat(cache.options().telemetry().observationRegistry()).isSameAs(observations);
                    cache.check("anything").block(T);
                    assertThat(meters.find("semantic_cache_requests_total").tag("cache_name", "metered").counters())
                            .isNotEmpty();
                });
    }

    @Test
    void customizersSeeThePropertiesAndAreApplied() {
        AtomicInteger calls = new AtomicInteger();
        SemanticCacheOptionsCustomizer customizer = b -> {
            calls.incrementAndGet();
            b.modelCost("my-model", new ModelCost(1.0, 2.0));
        };
        inMemory().withBean(SemanticCacheOptionsCustomizer.class, () -> customizer).run(context -> {
            assertThat(calls).hasValue(1);
            assertThat(context.getBean(SemanticCache.class).options().costTable()).containsKey("my-model");
        });
    }

    @Test
    void aUserStoreFactoryBeanWins() {
        AtomicInteger opened = new AtomicInteger();
        CacheStoreFactory inMemory = CacheStores.inMemory();
        CacheStoreFactory own = keys -> {
            opened.incrementAndGet();
            return inMemory.open(keys);
        };
        runner.withBean(EmbedFn.class, () -> TestEmbedder.embedFn(8)).withBean(CacheStoreFactory.class, () -> own)
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(SemanticCacheStore.class);
                    assertThat(opened).hasValue(1);
                });
    }

    // ------------------------------------------------------------------------------------------ where the store is

    /** Valkey stores without connecting: startup mode manual, so no command is sent. */
    private ApplicationContextRunner valkey() {
        return runner.withPropertyValues(P + "startup.mode=manual").withBean(EmbedFn.class, () -> TestEmbedder.embedFn(8));
    }

    @Test
    void noValkeyIsAStartupErrorNamingTheOptions() {
        valkey().run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                .hasMessageContaining(P + "valkey.url")
                .hasMessageContaining("RedisClient, RedisClusterClient or LettuceConnectionFactory bean")
                .hasMessageContaining(P + "store=in-memory"));
    }

    @Test
    void valkeyUrlGivesAStoreWithItsOwnClientShownWithoutThePassword() {
        valkey().withPropertyValues(P + "valkey.url=redis://user:s3cret@valkey.example:6390/2").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(SemanticCacheStore.class)
                    .doesNotHaveBean(RedisClient.class);
            String description = context.getBean(SemanticCacheStore.class).description();
            assertThat(description).isEqualTo("Valkey at redis://valkey.example:6390/2 (" + P + "valkey.url)")
                    .doesNotContain("s3cret");
        });
        valkey().withPropertyValues(P + "valkey.url=redis://valkey.example:7000", P + "valkey.cluster=true")
                .run(context -> assertThat(context.getBean(SemanticCacheStore.class).description())
                        .startsWith("Valkey Cluster at redis://valkey.example:7000"));
    }

    @Test
    void aRedisClientBeanIsUsedAndNotShutDown() {
        RedisClient client = RedisClient.create("redis://127.0.0.1:1");
        try {
            // Spring itself would shut a bean down (inferred destroy method): off here, to see what the cache does.
            valkey().withBean(RedisClient.class, () -> client, bd -> bd.setDestroyMethodName(""))
                    .run(context -> assertThat(context.getBean(SemanticCacheStore.class).description())
                            .contains("RedisClient bean"));
            // The context is closed: the cache must not have shut down a client it did not create.
            assertThat(client.getResources().eventExecutorGroup().isShuttingDown()).isFalse();
        } finally {
            client.shutdown();
        }
    }

    @Test
    void theUrlWinsOverAClientBean() {
        RedisClient client = RedisClient.create("redis://127.0.0.1:1");
        try {
            valkey().withBean(RedisClient.class, () -> client)
                    .withPropertyValues(P + "valkey.url=redis://valkey.example:6379")
                    .run(context -> assertThat(context.getBean(SemanticCacheStore.class).description())
                            .startsWith("Valkey at redis://valkey.example:6379"));
        } finally {
            client.shutdown();
        }
    }

    @Test
    void twoClientBeansWithoutAPrimaryAreAnError() {
        RedisClient a = RedisClient.create("redis://127.0.0.1:1");
        RedisClient b = RedisClient.create("redis://127.0.0.1:2");
        try {
            valkey().withBean("a", RedisClient.class, () -> a).withBean("b", RedisClient.class, () -> b)
                    .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                            .hasMessageContaining("several RedisClient beans"));
        } finally {
            a.shutdown();
            b.shutdown();
        }
    }

    @Test
    void aLettuceConnectionFactoryBeanIsUsed() {
        valkey().withBean(LettuceConnectionFactory.class,
                        () -> new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 1)))
                .run(context -> assertThat(context.getBean(SemanticCacheStore.class).description())
                        .isEqualTo("Valkey through the LettuceConnectionFactory bean (spring.data.redis.*)"));
    }

    @Test
    void inMemoryWhenAskedEvenWithAUrl() {
        valkey().withPropertyValues(P + "store=in-memory", P + "valkey.url=redis://valkey.example:6379")
                .run(context -> assertThat(context.getBean(SemanticCacheStore.class).isInMemory()).isTrue());
    }

    @Test
    void manualStartupLeavesTheCacheUninitialized() {
        inMemory().withPropertyValues(P + "startup.mode=manual").run(context -> {
            SemanticCache cache = context.getBean(SemanticCache.class);
            assertThat(context.getBean(SemanticCacheInitializer.class).state())
                    .isEqualTo(SemanticCacheInitializer.State.NOT_STARTED);
            assertThatThrownBy(() -> cache.check("x").block(T)).isInstanceOf(SemanticCacheUsageError.class);
            cache.initialize().block(T);
            assertThat(cache.check("x").block(T).hit()).isFalse();
        });
    }

    @Test
    void theCacheIsClosedWhenTheContextStops() {
        AtomicInteger closedStores = new AtomicInteger();
        CacheStoreFactory inMemory = CacheStores.inMemory();
        CacheStoreFactory counting = keys -> new com.betterdb.semanticcache.testing.ForwardingCacheStore() {
            private final com.betterdb.semanticcache.store.CacheStore store = inMemory.open(keys);

            @Override
            protected com.betterdb.semanticcache.store.CacheStore delegate() {
                return store;
            }

            @Override
            public Mono<Void> closeAsync() {
                closedStores.incrementAndGet();
                return super.closeAsync();
            }
        };
        List<SemanticCache> caches = new java.util.ArrayList<>();
        runner.withBean(EmbedFn.class, () -> TestEmbedder.embedFn(8)).withBean(CacheStoreFactory.class, () -> counting)
                .run(context -> caches.add(context.getBean(SemanticCache.class)));
        assertThat(closedStores).hasValue(1);
        assertThatThrownBy(() -> caches.get(0).check("x").block(T)).isInstanceOf(SemanticCacheUsageError.class)
                .hasMessageContaining("closed");
    }
}
