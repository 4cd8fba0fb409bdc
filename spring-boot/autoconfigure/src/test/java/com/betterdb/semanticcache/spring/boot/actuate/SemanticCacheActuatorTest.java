package com.betterdb.semanticcache.spring.boot.actuate;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.spring.boot.SemanticCacheAutoConfiguration;
import com.betterdb.semanticcache.spring.boot.SemanticCacheProperties;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The health indicator and the info contributor: when they exist, and what they say on the in-memory store. */
class SemanticCacheActuatorTest {

    static final String P = SemanticCacheProperties.PREFIX + ".";
    static final Duration T = Duration.ofSeconds(10);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SemanticCacheAutoConfiguration.class,
                    SemanticCacheActuatorAutoConfiguration.class))
            .withPropertyValues(P + "store=in-memory", P + "name=actuated")
            .withBean(EmbedFn.class, () -> TestEmbedder.embedFn(8));

    static Health health(org.springframework.context.ApplicationContext context) {
        return context.getBean(SemanticCacheHealthIndicator.class).health().block(T);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> info(org.springframework.context.ApplicationContext context) {
        Info.Builder builder = new Info.Builder();
        context.getBean(SemanticCacheInfoContributor.class).contribute(builder);
        return (Map<String, Object>) builder.build().getDetails().get("semanticCache");
    }

    @Test
    void upWithTheIndexState() {
        runner.run(context -> {
            context.getBean(SemanticCache.class).store("a question", "an answer").block(T);
            Health h = health(context);
            assertThat(h.getStatus()).isEqualTo(Status.UP);
            assertThat(h.getDetails()).containsEntry("name", "actuated").containsEntry("store", "in-memory")
                    .containsEntry("index", "actuated:idx").containsEntry("documents", 1L)
                    .containsEntry("dimension", 8).containsKey("indexingState");
        });
    }

    @Test
    void downUntilInitialized() {
        runner.withPropertyValues(P + "startup.mode=manual").run(context -> {
            Health h = health(context);
            assertThat(h.getStatus()).isEqualTo(Status.DOWN);
            assertThat(h.getDetails()).containsEntry("initialized", false).containsEntry("startup", "manual, not_started")
                    .containsKey("error");
            context.getBean(SemanticCache.class).initialize().block(T);
            assertThat(health(context).getStatus()).isEqualTo(Status.UP);
        });
    }

    @Test
    void infoShowsNameDimensionThresholdAndHitRate() {
        runner.withPropertyValues(P + "default-threshold=0.12", P + "category-thresholds.faq=0.05").run(context -> {
            SemanticCache cache = context.getBean(SemanticCache.class);
            cache.store("What is the capital of France?", "Paris").block(T);
            cache.check("What is the capital of France?").block(T);
            cache.check("How do I bake sourdough bread?").block(T);
            Map<String, Object> info = info(context);
            assertThat(info).containsEntry("name", "actuated").containsEntry("store", "in-memory")
                    .containsEntry("threshold", 0.12).containsEntry("categoryThresholds", Map.of("faq", 0.05))
                    .containsEntry("dimension", 8).containsEntry("documents", 1L)
                    .containsEntry("hits", 1L).containsEntry("misses", 1L).containsEntry("hitRate", 0.5)
                    .doesNotContainKey("error");
        });
    }

    @Test
    void infoBeforeInitializationSaysWhy() {
        runner.withPropertyValues(P + "startup.mode=manual").run(context -> assertThat(info(context))
                .containsEntry("name", "actuated").containsKey("threshold").doesNotContainKey("hitRate")
                .hasEntrySatisfying("error", e -> assertThat(e.toString()).contains("initialize()")));
    }

    @Test
    void onlyWithTheActuatorOnTheClassPath() {
        runner.withClassLoader(new FilteredClassLoader(ReactiveHealthIndicator.class))
                .run(context -> assertThat(context).hasNotFailed()
                        .doesNotHaveBean(SemanticCacheHealthIndicator.class)
                        .hasSingleBean(SemanticCacheInfoContributor.class));
        runner.withClassLoader(new FilteredClassLoader(InfoContributor.class))
                .run(context -> assertThat(context).hasNotFailed()
                        .hasSingleBean(SemanticCacheHealthIndicator.class)
                        .doesNotHaveBean(SemanticCacheInfoContributor.class));
    }

    @Test
    void offByManagementProperties() {
        runner.withPropertyValues("management.health.semantic-cache.enabled=false",
                        "management.info.semantic-cache.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(SemanticCacheHealthIndicator.class)
                        .doesNotHaveBean(SemanticCacheInfoContributor.class));
    }

    @Test
    void alsoForTheUsersOwnCache() {
        SemanticCache own = SemanticCache.create(SemanticCacheOptions.builder().name("own")
                .store(CacheStores.inMemory()).embedFn(TestEmbedder.embedFn(8)).build());
        runner.withBean(SemanticCache.class, () -> own).run(context -> {
            own.initialize().block(T);
            Health h = health(context);
            assertThat(h.getStatus()).isEqualTo(Status.UP);
            assertThat(h.getDetails()).containsEntry("name", "own").containsEntry("store", "the cache's own store");
        });
    }

    /** Under the name the docs give for the readiness group, in Spring Boot's own health endpoint. */
    @Test
    void inTheHealthEndpointAsSemanticCacheAndInAGroup() {
        runner.withConfiguration(AutoConfigurations.of(HealthContributorRegistryAutoConfiguration.class,
                        HealthEndpointAutoConfiguration.class))
                .withPropertyValues(P + "startup.mode=manual", "management.endpoints.jmx.exposure.include=health",
                        "management.endpoint.health.group.readiness.include=semanticCache")
                .run(context -> {
                    HealthEndpoint endpoint = context.getBean(HealthEndpoint.class);
                    assertThat(endpoint.healthForPath("semanticCache").getStatus()).isEqualTo(Status.DOWN);
                    assertThat(endpoint.healthForPath("readiness").getStatus()).isEqualTo(Status.DOWN);
                    context.getBean(SemanticCache.class).initialize().block(T);
                    assertThat(endpoint.healthForPath("semanticCache").getStatus()).isEqualTo(Status.UP);
                    assertThat(endpoint.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
                });
    }

    @Test
    void noCacheNoIndicator() {
        runner.withPropertyValues(P + "enabled=false").run(context -> assertThat(context)
                .doesNotHaveBean(SemanticCacheHealthIndicator.class).doesNotHaveBean(SemanticCacheInfoContributor.class));
    }
}
