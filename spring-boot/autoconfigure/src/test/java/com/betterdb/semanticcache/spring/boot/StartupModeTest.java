package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import io.lettuce.core.RedisConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static com.betterdb.semanticcache.spring.boot.SemanticCacheAutoConfigurationTest.P;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Startup modes against a Valkey URL where nothing listens (the recovery side is in the valkey-search tier test). */
class StartupModeTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SemanticCacheAutoConfiguration.class))
            .withBean(EmbedFn.class, () -> TestEmbedder.embedFn(8));

    /** A loopback URL where nothing listens: connections are refused at once. */
    static String deadUrl() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "redis://127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void failFastIsTheDefaultAndSaysWhereAndWhy() throws IOException {
        String url = deadUrl();
        runner.withPropertyValues(P + "valkey.url=" + url).run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            SemanticCacheStartupException e = find(failure, SemanticCacheStartupException.class);
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).startsWith("Semantic cache 'betterdb_scache' did not initialize on Valkey at "
                    + url + " (" + P + "valkey.url): RedisConnectionException");
            assertThat(find(failure, RedisConnectionException.class)).isNotNull();
        });
    }

    @Test
    void theStartupReportSuggestsBackgroundMode() throws IOException {
        String url = deadUrl();
        String output = StartupReport.of("--" + P + "valkey.url=" + url);
        assertThat(output).contains("Semantic cache 'betterdb_scache' did not initialize on Valkey at " + url)
                .contains("Make sure the server is up and runs Valkey 9 with valkey-search 1.2.1 or newer (FT.INFO must"
                        + " work there): Valkey at " + url)
                .contains(P + "startup.mode=background");
    }

    @Test
    void backgroundStartsWithoutValkeyAndKeepsTrying() throws IOException {
        runner.withPropertyValues(P + "valkey.url=" + deadUrl(), P + "startup.mode=background",
                P + "startup.max-retry-interval=1s").run(context -> {
                    assertThat(context).hasNotFailed();
                    SemanticCacheInitializer initializer = context.getBean(SemanticCacheInitializer.class);
                    await().atMost(Duration.ofSeconds(20)).until(() -> initializer.lastError() != null);
                    assertThat(initializer.state()).isEqualTo(SemanticCacheInitializer.State.INITIALIZING);
                    assertThat(find(initializer.lastError(), RedisConnectionException.class)).isNotNull();
                    assertThatThrownBy(() -> context.getBean(SemanticCache.class).check("x").block())
                            .isInstanceOf(SemanticCacheUsageError.class);
                });
    }

    @Test
    void manualNeverConnects() throws IOException {
        runner.withPropertyValues(P + "valkey.url=" + deadUrl(), P + "startup.mode=manual").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(SemanticCacheInitializer.class).state())
                    .isEqualTo(SemanticCacheInitializer.State.NOT_STARTED);
        });
    }

    static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
