package com.betterdb.semanticcache.store.valkey;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.Confidence;
import com.betterdb.semanticcache.IndexInfo;
import com.betterdb.semanticcache.InvalidateResult;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.ValkeyCommandError;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.testing.ValkeyServer;
import com.betterdb.semanticcache.testing.ValkeyTest;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store's FT.* paths through the real network stack: a proxy in front of a real Valkey answers FT.* commands
 * with the bytes valkey-search 1.2.1 really sent (the recorded fixtures) or with its error texts, and forwards
 * everything else (bookkeeping, entries) to the server. So initialize/check/invalidate/indexInfo run end to end,
 * decoding real replies, writing real keys, without the module.
 */
@ValkeyTest
class ValkeyStoreFtPathsTest {

    private static final Duration T = Duration.ofSeconds(20);

    private final ValkeyServer server;
    private FtStubProxy proxy;
    private RedisClient client;
    private StatefulRedisConnection<byte[], byte[]> connection;
    private String name;
    private final AtomicInteger embedCalls = new AtomicInteger();

    ValkeyStoreFtPathsTest(ValkeyServer server) {
        this.server = server;
    }

    @BeforeEach
    void open() throws IOException {
        proxy = new FtStubProxy(server.host(), server.port());
        client = RedisClient.create(RedisURI.create("127.0.0.1", proxy.port()));
        client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
        connection = client.connect(ByteArrayCodec.INSTANCE);
        name = server.uniqueCacheName("ftpaths");
    }

    @AfterEach
    void close() throws IOException {
        connection.close();
        client.shutdown();
        proxy.close();
        server.deleteKeys(name + ":*");
        server.deleteKeys("fx:entry:*");
    }

    private SemanticCache cache() {
        return SemanticCache.create(SemanticCacheOptions.builder()
                .name(name)
                .store(CacheStores.valkey(connection))
                .embedFn(t -> {
                    embedCalls.incrementAndGet();
                    return Mono.just(new float[]{1f, 0.05f, 0f, 0f});
                })
                .meterRegistry(new SimpleMeterRegistry())
                .embeddingCache(SemanticCacheOptions.EmbeddingCache.disabled())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled())
                .build());
    }

    private static byte[] fixture(String file) throws IOException {
        try (InputStream in = ValkeyStoreFtPathsTest.class.getResourceAsStream("/protocol/valkey-search/" + file)) {
            assertThat(in).as(file).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void moduleAbsentIsAValkeyCommandErrorNotAMissingIndex() { // INIT-09
        SemanticCache cache = cache();
        assertThatThrownBy(() -> cache.initialize().block(T))
                .isInstanceOf(ValkeyCommandError.class)
                .hasMessageStartingWith("Valkey command 'FT.INFO' failed: ERR unknown command 'FT.INFO'")
                .satisfies(e -> assertThat(((ValkeyCommandError) e).command()).isEqualTo("FT.INFO"));
        assertThat(embedCalls).hasValue(0);
    }

    @Test
    void missingIndexIsCreatedWithTheExactSchema() throws Exception { // INIT-05, INIT-06
        proxy.stubBytes("FT.INFO", fixture("01-ft-info-missing.resp2"));
        proxy.stubBytes("FT.CREATE", fixture("04-ft-create.resp2"));
        cache().initialize().block(T);
        assertThat(embedCalls).hasValue(1);
        List<String> create = proxy.stubbed.stream().filter(a -> a.get(0).equals("FT.CREATE")).findFirst().orElseThrow();
        assertThat(String.join(" ", create)).isEqualTo("FT.CREATE " + name + ":idx ON HASH PREFIX 1 " + name
                + ":entry: SCHEMA prompt TEXT NOSTEM response TEXT NOSTEM model TAG category TAG binary_refs TAG "
                + "inserted_at NUMERIC SORTABLE temperature NUMERIC top_p NUMERIC seed NUMERIC embedding VECTOR HNSW 6 "
                + "TYPE FLOAT32 DIM 4 DISTANCE_METRIC COSINE");
    }

    @Test
    void otherInfoErrorsAreNotTreatedAsMissing() { // INIT-07, INIT-08
        proxy.stub("FT.INFO", "-LOADING Valkey is loading the dataset in memory\r\n");
        assertThatThrownBy(() -> cache().initialize().block(T))
                .isInstanceOf(ValkeyCommandError.class)
                .hasMessage("Valkey command 'FT.INFO' failed: LOADING Valkey is loading the dataset in memory");
        proxy.stub("FT.INFO", "-key not found\r\n");
        assertThatThrownBy(() -> cache().initialize().block(T)).hasMessage("Valkey command 'FT.INFO' failed: key not found");
        assertThat(proxy.stubbed).noneMatch(a -> a.get(0).equals("FT.CREATE"));
    }

    @Test
    void existingIndexCheckHitAndBookkeepingOnTheRealServer() throws Exception { // INIT-01, STATS-03, CHECK-08
        proxy.stubBytes("FT.INFO", fixture("08-ft-info-3-docs.resp2"));
        proxy.stubBytes("FT.SEARCH", fixture("10-ft-search-knn1.resp2"));
        SemanticCache cache = cache();
        cache.initialize().block(T);
        assertThat(embedCalls).hasValue(0); // the dimension came from FT.INFO
        IndexInfo info = cache.indexInfo().block(T);
        assertThat(info).isEqualTo(new IndexInfo(name + ":idx", 3, 4, "backfill_in_progress"));

        CacheResult r = cache.check("What is the capital of France?").block(T);
        assertThat(r.hit()).isTrue();
        assertThat(r.response()).isEqualTo("Paris");
        assertThat(r.matchedKey()).isEqualTo("fx:entry:a");
        assertThat(r.similarity()).isEqualTo(0.00124764442444);
        assertThat(r.confidence()).isEqualTo(Confidence.HIGH);
        assertThat(r.costSaved()).isEqualTo(0.000113);
        List<String> search = proxy.stubbed.stream().filter(a -> a.get(0).equals("FT.SEARCH")).findFirst().orElseThrow();
        assertThat(search.subList(0, 3)).containsExactly("FT.SEARCH", name + ":idx", "*=>[KNN 1 @embedding $vec AS __score]");
        assertThat(search.subList(3, 6)).containsExactly("PARAMS", "2", "vec");
        assertThat(search.subList(7, search.size())).containsExactly("RETURN", "7", "prompt", "response", "model",
                "category", "cost_micros", "content_blocks", "__score", "LIMIT", "0", "1", "DIALECT", "2");

        var redis = server.commands();
        assertThat(redis.hgetall(name + ":__stats")).isEqualTo(Map.of("total", "1", "hits", "1",
                "cost_saved_micros", "113"));
        assertThat(redis.zrange(name + ":__similarity_window", 0, -1)).singleElement()
                .satisfies(m -> assertThat(m).startsWith("{\"score\":0.00124764442444,\"result\":\"hit\",\"category\":\"\",\"_n\":")
                        .endsWith(",\"cost_saved_micros\":113}"));
    }

    @Test
    void searchErrorsAreValkeyCommandErrors() throws Exception { // CHECK-06
        proxy.stubBytes("FT.INFO", fixture("08-ft-info-3-docs.resp2"));
        proxy.stub("FT.SEARCH", "-ERR unknown command 'FT.SEARCH'\r\n");
        SemanticCache cache = cache();
        cache.initialize().block(T);
        assertThatThrownBy(() -> cache.check("q").block(T))
                .isInstanceOf(ValkeyCommandError.class)
                .hasMessage("Valkey command 'FT.SEARCH' failed: ERR unknown command 'FT.SEARCH'");
        proxy.stubBytes("FT.SEARCH", fixture("15-ft-search-knn-wrong-dim.resp2"));
        assertThatThrownBy(() -> cache.check("q").block(T)).hasMessageContaining("query vector blob size (12)");
    }

    /**
     * valkey-search updates its index a few ms after a DEL, so a search may still list deleted keys (seen on the real
     * module: InvalidationSearchTierTest). They are not counted, and a full page that held some is searched again for
     * the rest, so a count below the limit still means nothing is left.
     */
    @Test
    void keysTheIndexStillListsAfterTheirDeleteAreNotCountedAndAFullPageIsSearchedAgain() {
        ValkeyCacheStore store = new ValkeyCacheStore(connection, false, new CacheKeys(name));
        for (String id : List.of("e1", "e2", "e3")) {
            server.commands().hset(name + ":entry:" + id, "prompt", id);
        }
        proxy.stubSequence("FT.SEARCH",
                FtStubProxy.keysReply(name + ":entry:e1", name + ":entry:gone1", name + ":entry:gone2"),
                FtStubProxy.keysReply(name + ":entry:e2", name + ":entry:e3"));
        assertThat(store.deleteMatching(Filter.model("m"), 3).block(T)).isEqualTo(3);
        assertThat(server.commands().exists(name + ":entry:e1", name + ":entry:e2", name + ":entry:e3")).isZero();
        List<List<String>> searches = proxy.stubbed.stream().filter(a -> a.get(0).equals("FT.SEARCH")).toList();
        assertThat(searches).extracting(a -> a.get(a.indexOf("LIMIT") + 2)).containsExactly("3", "2");
    }

    @Test
    void aPageThatIsNotFullEndsTheSearchAndCountsOnlyWhatExisted() {
        ValkeyCacheStore store = new ValkeyCacheStore(connection, false, new CacheKeys(name));
        server.commands().hset(name + ":entry:e4", "prompt", "p");
        proxy.stubSequence("FT.SEARCH", FtStubProxy.keysReply(name + ":entry:gone", name + ":entry:e4"));
        assertThat(store.deleteMatching(Filter.model("m"), 1000).block(T)).isEqualTo(1);
        assertThat(proxy.stubbed).hasSize(1);
        assertThat(server.commands().exists(name + ":entry:e4")).isZero();
    }

    @Test
    void invalidateDeletesTheReturnedKeys() throws Exception { // INV-01
        proxy.stubBytes("FT.INFO", fixture("08-ft-info-3-docs.resp2"));
        proxy.stubBytes("FT.SEARCH", fixture("18-ft-search-tag-return-0.resp2"));
        server.commands().hset("fx:entry:a", "prompt", "p");
        SemanticCache cache = cache();
        cache.initialize().block(T);
        InvalidateResult r = cache.invalidate(Filter.model("gpt-4o")).block(T);
        assertThat(r).isEqualTo(new InvalidateResult(1, false));
        assertThat(server.commands().exists("fx:entry:a")).isZero();
        List<String> search = proxy.stubbed.stream().filter(a -> a.get(0).equals("FT.SEARCH")).findFirst().orElseThrow();
        assertThat(search).containsExactly("FT.SEARCH", name + ":idx", "@model:{gpt\\-4o}", "RETURN", "0", "LIMIT", "0",
                "1000", "DIALECT", "2");
    }
}
