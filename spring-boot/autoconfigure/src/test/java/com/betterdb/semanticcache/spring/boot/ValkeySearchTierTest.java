package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.spring.boot.actuate.SemanticCacheActuatorAutoConfiguration;
import com.betterdb.semanticcache.spring.boot.actuate.SemanticCacheHealthIndicator;
import com.betterdb.semanticcache.spring.boot.actuate.SemanticCacheInfoContributor;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.testing.ValkeySearchServer;
import com.betterdb.semanticcache.testing.ValkeySearchTest;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static com.betterdb.semanticcache.spring.boot.SemanticCacheAutoConfigurationTest.P;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The auto-configured cache on a real Valkey with valkey-search (the search test tier): each way to name the server,
 * the shutdown order (the heartbeat key is deleted, which needs the connection still open when the cache closes), and
 * the health indicator through an outage, made by cutting a proxy in front of the shared server.
 */
@ValkeySearchTest
class ValkeySearchTierTest {

    private static final Duration T = Duration.ofSeconds(15);

    private final ValkeySearchServer server;
    private String name;

    ValkeySearchTierTest(ValkeySearchServer server) {
        this.server = server;
    }

    @BeforeEach
    void name() {
        name = server.uniqueCacheName("boot");
    }

    @AfterEach
    void cleanUp() {
        server.dropCache(name);
        server.deleteKeys(name + ":*");
        server.commands().hdel(CacheKeys.REGISTRY_KEY, name);
        server.commands().del(CacheKeys.HEARTBEAT_PREFIX + name);
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                        SemanticCacheAutoConfiguration.class, SemanticCacheActuatorAutoConfiguration.class))
                .withPropertyValues(P + "name=" + name, P + "actuator-timeout=1s")
                .withBean(EmbedFn.class, () -> TestEmbedder.embedFn(8));
    }

    private boolean heartbeat() {
        return server.commands().exists(CacheKeys.HEARTBEAT_PREFIX + name) == 1;
    }

    private long clientsNamed(String clientName) {
        return server.commands().clientList().lines().filter(l -> l.contains(" name=" + clientName + " ")).count();
    }

    private static void roundTrip(SemanticCache cache) {
        cache.store("What is the capital of France?", "Paris").block(T);
        CacheResult hit = cache.check("What is the capital of France?").block(T);
        assertThat(hit.hit()).isTrue();
        assertThat(hit.response()).isEqualTo("Paris");
    }

    @Test
    void fromTheUrlWithItsOwnClientClosedAfterTheCache() {
        String clientName = "sc-" + name.replace(':', '-');
        runner().withPropertyValues(P + "valkey.url=" + server.url() + "?clientName=" + clientName).run(context -> {
            assertThat(context).hasNotFailed();
            roundTrip(context.getBean(SemanticCache.class));
            assertThat(heartbeat()).isTrue();
            assertThat(clientsNamed(clientName)).as("one general and two search connections").isEqualTo(3);
        });
        assertThat(heartbeat()).as("deleted by the cache while its connection was open").isFalse();
        await().atMost(T).until(() -> clientsNamed(clientName) == 0);
    }

    @Test
    void throughARedisClientBean() {
        runner().withBean(RedisClient.class, () -> RedisClient.create(server.uri())).run(context -> {
            assertThat(context.getBean(SemanticCacheStore.class).description()).contains("RedisClient bean");
            roundTrip(context.getBean(SemanticCache.class));
            assertThat(heartbeat()).isTrue();
        });
        // Spring shuts the client bean down too, but only after the cache stopped (lifecycle before destruction).
        assertThat(heartbeat()).isFalse();
    }

    @Test
    void throughSpringDataRedisConnectionFactory() {
        runner().withPropertyValues("spring.data.redis.url=" + server.url()).run(context -> {
            assertThat(context.getBean(SemanticCacheStore.class).description())
                    .contains("LettuceConnectionFactory bean");
            roundTrip(context.getBean(SemanticCache.class));
            assertThat(heartbeat()).isTrue();
        });
        // The factory stops in lifecycle phase 0, after the cache's phase: the heartbeat was deleted first.
        assertThat(heartbeat()).isFalse();
    }

    private static Health health(ApplicationContext context) {
        return context.getBean(SemanticCacheHealthIndicator.class).health().block(T);
    }

    @Test
    void healthFollowsAnOutageAndTheIndex() throws IOException {
        try (OutageProxy proxy = new OutageProxy(server.host(), server.port(), true)) {
            runner().withPropertyValues(P + "valkey.url=" + proxy.url()).run(context -> {
                SemanticCache cache = context.getBean(SemanticCache.class);
                roundTrip(cache);
                Health up = health(context);
                assertThat(up.getStatus()).isEqualTo(Status.UP);
                assertThat(up.getDetails()).containsEntry("documents", 1L).containsEntry("dimension", 8)
                        .containsEntry("index", name + ":idx")
                        .containsEntry("store", "Valkey at " + proxy.url() + " (" + P + "valkey.url)");

                proxy.cut();
                Health down = health(context);
                assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                assertThat(down.getDetails()).containsEntry("reachable", false).containsKey("error");

                proxy.open();
                await().atMost(Duration.ofSeconds(60)).until(() -> health(context).getStatus() == Status.UP);

                server.call("FT.DROPINDEX", name + ":idx");
                Health noIndex = health(context);
                assertThat(noIndex.getStatus()).isEqualTo(Status.DOWN);
                assertThat(noIndex.getDetails()).containsEntry("reachable", true);
            });
        }
    }

    @Test
    void backgroundStartupWaitsForValkeyThenInitializes() throws IOException {
        try (OutageProxy proxy = new OutageProxy(server.host(), server.port(), false)) {
            runner().withPropertyValues(P + "valkey.url=" + proxy.url(), P + "startup.mode=background",
                    P + "startup.max-retry-interval=1s").run(context -> {
                        assertThat(context).hasNotFailed();
                        SemanticCacheInitializer initializer = context.getBean(SemanticCacheInitializer.class);
                        await().atMost(T).until(() -> initializer.lastError() != null);
                        Health down = health(context);
                        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                        assertThat(down.getDetails()).containsEntry("initialized", false)
                                .containsEntry("startup", "background, initializing")
                                .hasEntrySatisfying("error", e -> assertThat(e.toString())
                                        .contains("RedisConnectionException"));

                        proxy.open();
                        await().atMost(Duration.ofSeconds(30))
                                .until(() -> initializer.state() == SemanticCacheInitializer.State.READY);
                        assertThat(health(context).getStatus()).isEqualTo(Status.UP);
                        roundTrip(context.getBean(SemanticCache.class));
                    });
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void infoFromTheServer() {
        runner().withPropertyValues(P + "valkey.url=" + server.url()).run(context -> {
            SemanticCache cache = context.getBean(SemanticCache.class);
            roundTrip(cache);
            cache.check("How do I bake sourdough bread?").block(T);
            Info.Builder builder = new Info.Builder();
            context.getBean(SemanticCacheInfoContributor.class).contribute(builder);
            Map<String, Object> info = (Map<String, Object>) builder.build().getDetails().get("semanticCache");
            assertThat(info).containsEntry("name", name).containsEntry("dimension", 8)
                    .containsEntry("hits", 1L).containsEntry("misses", 1L).containsEntry("hitRate", 0.5)
                    .containsEntry("threshold", 0.1);
        });
    }
}
