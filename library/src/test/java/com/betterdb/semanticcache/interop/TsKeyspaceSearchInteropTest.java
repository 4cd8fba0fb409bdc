package com.betterdb.semanticcache.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CacheStats;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.Confidence;
import com.betterdb.semanticcache.IndexInfo;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.testing.ValkeySearchServer;
import com.betterdb.semanticcache.testing.ValkeySearchTest;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The valkey-search tier of {@link TsKeyspaceInteropTest}: the TS-written keyspace (renamed), indexed by our own
 * {@code initialize()} ({@code FT.CREATE ... PREFIX 1 <name>:entry:}, which back-fills the existing hashes), then
 * served by real KNN queries. Skipped where no server with valkey-search is available.
 */
@ValkeySearchTest
class TsKeyspaceSearchInteropTest {

    private static final Duration T = Duration.ofSeconds(15);

    private final ValkeySearchServer server;
    private final TsKeyspace ts = TsKeyspace.load();
    private com.betterdb.semanticcache.testing.ValkeyServer.BinaryConnection binary;
    private StatefulRedisConnection<byte[], byte[]> connection;
    private String name;
    private SemanticCache cache;

    TsKeyspaceSearchInteropTest(ValkeySearchServer server) {
        this.server = server;
    }

    @BeforeEach
    void setUp() {
        binary = server.openBinary();
        connection = binary.connection();
        name = server.uniqueCacheName("tsfx");
    }

    @AfterEach
    void tearDown() {
        try {
            if (cache != null) {
                cache.close();
            }
            server.dropCache(name);
        } finally {
            binary.close();
        }
    }

    /** Top-level scalar pairs of FT.INFO, values as strings. */
    private Map<String, String> ftInfo() {
        List<Object> reply = server.call("FT.INFO", name + ":idx");
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            if (!(reply.get(i + 1) instanceof List)) {
                out.put(String.valueOf(reply.get(i)), String.valueOf(reply.get(i + 1)));
            }
        }
        return out;
    }

    /** Waits (bounded) until the index has back-filled the 4 TS entries and reports itself ready. */
    private void awaitIndexed() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Map<String, String> info = ftInfo();
        while (!("4".equals(info.get("num_docs"))
                && "0".equals(info.getOrDefault("backfill_in_progress", "0"))
                && "ready".equals(info.getOrDefault("state", "ready")))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("index not ready within 15 s: " + info);
            }
            Thread.sleep(100);
            info = ftInfo();
        }
    }

    @Test
    void ourIndexOverTheTsKeyspaceServesTheTsEntries() throws InterruptedException {
        ts.loadInto(connection.sync(), name);
        assertThat(server.indexNames()).doesNotContain(name + ":idx");
        cache = SemanticCache.create(SemanticCacheOptions.builder()
                .name(name)
                .store(CacheStores.valkey(connection))
                .embedFn(TestEmbedder.embedFn(TsKeyspace.DIM))
                .meterRegistry(new SimpleMeterRegistry())
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .build());
        cache.initialize().block(T);
        assertThat(server.indexNames()).contains(name + ":idx");
        awaitIndexed();

        IndexInfo info = cache.indexInfo().block(T);
        assertThat(info.numDocs()).isEqualTo(4);
        assertThat(info.dimension()).isEqualTo(TsKeyspace.DIM);

        CacheResult france = cache.check("What is the capital of France?").block(T);
        assertThat(france.hit()).isTrue();
        assertThat(france.response()).isEqualTo("Paris");
        assertThat(france.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(france.similarity()).isCloseTo(0.0, within(1e-5));
        assertThat(france.costSaved()).isCloseTo(0.000113, within(1e-12));
        assertThat(france.matchedKey()).isEqualTo(
                TsKeyspace.rename(ts.entryByPrompt("What is the capital of France?").get("key").asText(), name));

        CacheResult uncertain = cache.check("what is the capital city of France").block(T);
        assertThat(uncertain.hit()).isTrue();
        assertThat(uncertain.confidence()).isEqualTo(Confidence.UNCERTAIN);
        assertThat(uncertain.similarity()).isCloseTo(0.0741797685623, within(1e-5));

        CacheResult hamlet = cache.check("Who wrote Hamlet?", CheckOptions.builder().category("lit").build()).block(T);
        assertThat(hamlet.hit()).isTrue();
        assertThat(hamlet.response()).isEqualTo("William Shakespeare");

        assertThat(cache.stats().block(T)).isEqualTo(new CacheStats(6, 1, 7, 6 / 7.0, 226 + 113 + 113));
    }
}
