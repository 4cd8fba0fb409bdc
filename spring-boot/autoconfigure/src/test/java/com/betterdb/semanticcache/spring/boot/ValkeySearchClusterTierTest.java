package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.testing.ValkeySearchCluster;
import com.betterdb.semanticcache.testing.ValkeySearchClusterTest;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.time.Duration;

import static com.betterdb.semanticcache.spring.boot.SemanticCacheAutoConfigurationTest.P;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code valkey.url} of a Valkey Cluster seed node with {@code valkey.cluster=true}, on the valkey-search cluster tier. */
@ValkeySearchClusterTest
class ValkeySearchClusterTierTest {

    private static final Duration T = Duration.ofSeconds(30);

    private final ValkeySearchCluster cluster;
    private String name;

    ValkeySearchClusterTierTest(ValkeySearchCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void name() {
        name = cluster.uniqueCacheName("bootc");
    }

    @AfterEach
    void cleanUp() {
        cluster.dropCache(name);
        cluster.connection().sync().hdel(CacheKeys.REGISTRY_KEY, name);
    }

    @Test
    void aClusterSeedUrl() {
        RedisURI seed = cluster.seeds().get(0);
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SemanticCacheAutoConfiguration.class))
                .withPropertyValues(P + "name=" + name, P + "valkey.cluster=true",
                        P + "valkey.url=redis://" + seed.getHost() + ":" + seed.getPort())
                .withBean(EmbedFn.class, () -> TestEmbedder.embedFn(8))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(SemanticCacheStore.class).description())
                            .startsWith("Valkey Cluster at redis://" + seed.getHost());
                    SemanticCache cache = context.getBean(SemanticCache.class);
                    cache.store("What is the capital of France?", "Paris").block(T);
                    // The entry is indexed on its shard; the coordinator's fan-out sees it once indexed.
                    await().atMost(T).until(() -> cache.check("What is the capital of France?").block(T).hit());
                    assertThat(cache.check("What is the capital of France?").block(T).response()).isEqualTo("Paris");
                });
        assertThat(cluster.connection().sync().exists(CacheKeys.HEARTBEAT_PREFIX + name)).isZero();
    }
}
