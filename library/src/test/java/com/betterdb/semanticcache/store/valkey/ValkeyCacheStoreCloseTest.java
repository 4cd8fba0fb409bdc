package com.betterdb.semanticcache.store.valkey;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.testing.ValkeyServer;
import com.betterdb.semanticcache.testing.ValkeyTest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ValkeyCacheStore#closeAsync()} completes when a connection the store owns is closed, so shutting the client
 * down right after does not close it a second time (Lettuce then warns "Connection is already closed"), and it
 * leaves a borrowed connection open.
 */
@ValkeyTest
class ValkeyCacheStoreCloseTest {

    @Test
    void theClientCanBeShutDownRightAfterTheOwnedConnectionIsClosed(ValkeyServer server) {
        Logger lettuce = (Logger) LoggerFactory.getLogger(RedisChannelHandler.class);
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        warnings.start();
        lettuce.addAppender(warnings);
        ClientResources resources = DefaultClientResources.create();
        CountingClient client = new CountingClient(resources, server.uri());
        try {
            StatefulRedisConnection<byte[], byte[]> owned = client.connect(ByteArrayCodec.INSTANCE);
            assertThat(client.openResources()).isEqualTo(1);
            new ValkeyCacheStore(owned, true, new CacheKeys(server.uniqueCacheName("close")))
                    .closeAsync().block(Duration.ofSeconds(10));
            // Completed means closed: the client no longer tracks the connection, so shutdown() leaves it alone.
            assertThat(client.openResources()).isZero();
        } finally {
            client.shutdown();
            resources.shutdown();
            lettuce.detachAppender(warnings);
        }
        assertThat(warnings.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .extracting(ILoggingEvent::getFormattedMessage)
                .doesNotContain("Connection is already closed");
    }

    /** Exposes how many connections the client still tracks (and would close again on shutdown). */
    private static final class CountingClient extends RedisClient {
        CountingClient(ClientResources resources, RedisURI uri) {
            super(resources, uri);
        }

        int openResources() {
            return closeableResources.size();
        }
    }

    @Test
    void aBorrowedConnectionStaysOpen(ValkeyServer server) {
        RedisClient client = server.newClient();
        try {
            StatefulRedisConnection<byte[], byte[]> borrowed = client.connect(ByteArrayCodec.INSTANCE);
            new ValkeyCacheStore(borrowed, false, new CacheKeys(server.uniqueCacheName("close")))
                    .closeAsync().block(Duration.ofSeconds(10));
            assertThat(borrowed.isOpen()).isTrue();
            assertThat(new String(borrowed.sync().ping())).isEqualTo("PONG");
        } finally {
            client.shutdown();
        }
    }
}
