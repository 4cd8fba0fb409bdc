package com.betterdb.semanticcache.store.valkey.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.betterdb.semanticcache.ValkeyCommandError;
import com.betterdb.semanticcache.store.Bookkeeping;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.store.EntryRecord;
import com.betterdb.semanticcache.store.WindowRecord;
import com.betterdb.semanticcache.testing.ValkeyCluster;
import com.betterdb.semanticcache.testing.ValkeyClusterTest;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.ValueListOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Valkey store on a real 3-primary cluster connection ({@code CacheStores.valkeyCluster}), through the public
 * {@link CacheStore} SPI: every key lands on the primary of its slot, multi-key reads come back in order, and nothing
 * fails with CROSSSLOT. The FT.* commands need valkey-search, which these nodes do not have: only their failure is
 * checked here; {@link ValkeySearchClusterStoreTest} runs them on a cluster with the module.
 */
@ValkeyClusterTest
class ValkeyClusterStoreTest {

    private static final Duration T = Duration.ofSeconds(30);

    private final ValkeyCluster cluster;
    private RedisClusterClient client;
    private StatefulRedisClusterConnection<byte[], byte[]> connection;
    private String name;
    private CacheKeys keys;
    private CacheStore store;

    ValkeyClusterStoreTest(ValkeyCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void setUp() {
        client = cluster.newClient();
        connection = client.connect(ByteArrayCodec.INSTANCE);
        name = cluster.uniqueCacheName("cstore");
        keys = new CacheKeys(name);
        store = CacheStores.valkeyCluster(connection).open(keys);
    }

    @AfterEach
    void tearDown() {
        try {
            cluster.deleteKeys(name + ":*");
            cluster.connection().sync().del(keys.heartbeatKey());
            cluster.connection().sync().hdel(CacheKeys.REGISTRY_KEY, name);
        } finally {
            store.close();
            connection.close();
            client.shutdown();
        }
    }

    private RedisCommands<String, String> ownerOf(String key) {
        return cluster.node(cluster.primaryOf(key));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------- entries

    @Test
    void putEntriesWritesEveryEntryOnThePrimaryOfItsSlot() {
        int n = 300;
        List<String> entryKeys = new ArrayList<>();
        List<EntryRecord> entries = new ArrayList<>();
        List<Duration> ttls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            entryKeys.add(keys.entryKey("e" + i));
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("prompt", "prompt " + i);
            fields.put("response", "response " + i);
            fields.put("metadata", "{}");
            entries.add(new EntryRecord(fields, new byte[] {(byte) i, 1, 2, 3}));
            ttls.add(i % 2 == 0 ? Duration.ofSeconds(600) : null);
        }
        store.putEntries(entryKeys, entries, ttls).block(T);

        Set<String> nodesUsed = new HashSet<>();
        Set<Integer> slots = new HashSet<>();
        for (int i = 0; i < n; i++) {
            String key = entryKeys.get(i);
            nodesUsed.add(cluster.primaryOf(key));
            slots.add(SlotHash.getSlot(key));
            RedisCommands<String, String> owner = ownerOf(key); // a direct node connection: no redirection
            assertThat(owner.hget(key, "prompt")).isEqualTo("prompt " + i);
            assertThat(owner.hget(key, "response")).isEqualTo("response " + i);
            long ttl = owner.ttl(key);
            if (i % 2 == 0) {
                assertThat(ttl).isBetween(1L, 600L);
            } else {
                assertThat(ttl).isEqualTo(-1L);
            }
        }
        assertThat(nodesUsed).as("entries spread over every primary").hasSize(cluster.primaries().size());
        assertThat(slots.size()).isGreaterThan(200);
        Map<String, List<String>> perNode = cluster.keysByPrimary(keys.entryPrefix() + "*");
        assertThat(perNode.values().stream().mapToInt(List::size).sum()).isEqualTo(n);
        // the embedding field holds the raw bytes
        byte[] raw = connection.sync().hget(b(entryKeys.get(7)), b(EntryRecord.EMBEDDING_FIELD));
        assertThat(raw).containsExactly(7, 1, 2, 3);
    }

    // ------------------------------------------------------------------------------------------- embedding cache

    @Test
    void embeddingsAcrossSlotsComeBackInOrderWithNullsForMissing() {
        Map<String, byte[]> vectors = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++) {
            vectors.put(String.format("%064x", 1000 + i), new byte[] {(byte) i, (byte) (i >> 8), 42});
        }
        store.putEmbeddings(vectors, Duration.ofSeconds(300)).block(T);

        List<String> asked = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, byte[]> e : vectors.entrySet()) {
            asked.add(e.getKey());
            expected.add(e.getValue());
            if (i++ % 5 == 0) {
                asked.add(String.format("%064x", 9_000_000 + i)); // never stored
                expected.add(null);
            }
        }
        Collections.reverse(asked);
        Collections.reverse(expected);

        List<byte[]> got = store.getEmbeddings(asked).block(T);
        assertThat(got).hasSize(asked.size());
        for (int k = 0; k < asked.size(); k++) {
            assertThat(got.get(k)).as("value of " + asked.get(k)).isEqualTo(expected.get(k));
        }
        Set<String> nodes = new HashSet<>();
        for (String sha : vectors.keySet()) {
            String key = keys.embedKey(sha);
            nodes.add(cluster.primaryOf(key));
            assertThat(ownerOf(key).ttl(key)).isBetween(1L, 300L);
        }
        assertThat(nodes).as("embedding keys spread over every primary").hasSize(cluster.primaries().size());
        assertThat(store.getEmbeddings(List.of()).block(T)).isEmpty();
    }

    /** Why the cluster path exists: the standalone form (one MGET over keys in different slots) is refused. */
    @Test
    void aMultiKeyMgetAcrossSlotsIsRefusedByTheCluster() {
        String k1 = keys.embedKey(String.format("%064x", 1));
        String k2 = keys.embedKey(String.format("%064x", 2));
        int i = 3;
        while (SlotHash.getSlot(k2) == SlotHash.getSlot(k1)) {
            k2 = keys.embedKey(String.format("%064x", i++));
        }
        CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).addKeys(k1, k2);
        assertThatThrownBy(() -> cluster.connection().sync()
                .dispatch(CommandType.MGET, new ValueListOutput<>(StringCodec.UTF8), args))
                .isInstanceOf(RedisCommandExecutionException.class)
                .hasMessageContaining("CROSSSLOT");
    }

    // ------------------------------------------------------------------------------------------- bookkeeping

    @Test
    void recordSpreadsOneGroupOverTheNodesOfItsKeys() {
        long now = System.currentTimeMillis();
        String refreshed = keys.entryKey("refresh");
        String evicted = keys.entryKey("evict");
        cluster.connection().sync().hset(refreshed, "prompt", "p");
        cluster.connection().sync().hset(evicted, "prompt", "p");
        String w1 = "{\"score\":0.08,\"result\":\"hit\"}";
        String w2 = "{\"score\":0.3,\"result\":\"miss\"}";
        String pending = "{\"entry\":\"x\",\"t\":1}";
        store.record(List.of(
                new Bookkeeping(true, now - 1, w1, null, refreshed, Duration.ofSeconds(120), 1500, null),
                new Bookkeeping(false, now, w2, pending, null, null, 0, evicted))).block(T);

        assertThat(ownerOf(keys.statsKey()).hgetall(keys.statsKey())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "total", "2", "hits", "1", "misses", "1", "cost_saved_micros", "1500"));
        assertThat(ownerOf(keys.windowKey()).zrange(keys.windowKey(), 0, -1)).containsExactly(w1, w2);
        assertThat(ownerOf(keys.missPendingKey()).zrange(keys.missPendingKey(), 0, -1)).containsExactly(pending);
        assertThat(ownerOf(refreshed).ttl(refreshed)).isBetween(1L, 120L);
        assertThat(ownerOf(evicted).exists(evicted)).isZero();

        assertThat(store.readStats().block(T)).containsEntry("total", "2").containsEntry("hits", "1");
        assertThat(store.readWindow().block(T)).extracting(WindowRecord::member).containsExactly(w1, w2);
        assertThat(store.pendingMisses(now).block(T)).containsExactly(pending);
        assertThat(store.windowScore(w2).block(T)).isEqualTo((double) now);

        // window and pending are in different slots: one pipeline, routed per command
        store.replaceWindowMember(w2, "{\"score\":0.3,\"result\":\"miss\",\"cost\":7}", now, pending).block(T);
        assertThat(store.readWindow().block(T)).extracting(WindowRecord::member)
                .containsExactly(w1, "{\"score\":0.3,\"result\":\"miss\",\"cost\":7}");
        assertThat(store.pendingMisses(now).block(T)).isEmpty();
    }

    @Test
    void configIsReadFromItsNode() {
        cluster.connection().sync().hset(keys.configKey(), Map.of("threshold", "0.15", "threshold:faq", "0.05"));
        assertThat(store.readConfig().block(T)).containsExactlyInAnyOrderEntriesOf(
                Map.of("threshold", "0.15", "threshold:faq", "0.05"));
    }

    // ------------------------------------------------------------------------------------------- discovery

    @Test
    void discoveryKeysWork() {
        store.writeProtocolMarker().block(T);
        store.writeRegistryMarker("{\"type\":\"semantic_cache\",\"name\":\"" + name + "\"}").block(T);
        store.writeHeartbeat("2026-01-01T00:00:00Z", Duration.ofSeconds(60)).block(T);

        assertThat(store.readRegistryMarker().block(T)).contains("\"name\":\"" + name + "\"");
        assertThat(ownerOf(CacheKeys.PROTOCOL_KEY).get(CacheKeys.PROTOCOL_KEY)).isNotNull();
        assertThat(ownerOf(keys.heartbeatKey()).get(keys.heartbeatKey())).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(ownerOf(keys.heartbeatKey()).ttl(keys.heartbeatKey())).isBetween(1L, 60L);

        store.deleteHeartbeat().block(T);
        assertThat(ownerOf(keys.heartbeatKey()).exists(keys.heartbeatKey())).isZero();
    }

    // ------------------------------------------------------------------------------------------- FT.* without search

    /** No search module on these nodes: FT.* fails as ValkeyCommandError, and flush stops before deleting anything. */
    @Test
    void searchCommandsFailCleanlyWithoutTheModule() {
        cluster.connection().sync().hset(keys.entryKey("x"), "prompt", "p");
        assertThatThrownBy(() -> store.flush().block(T))
                .isInstanceOf(ValkeyCommandError.class)
                .hasMessageContaining("FT.DROPINDEX");
        assertThat(ownerOf(keys.entryKey("x")).exists(keys.entryKey("x"))).isOne();
        assertThatThrownBy(() -> store.indexStats().block(T))
                .isInstanceOf(ValkeyCommandError.class)
                .hasMessageContaining("FT.INFO");
    }

    // ------------------------------------------------------------------------------------------- ownership

    @Test
    void aStoreFromTheClusterClientFactoryClosesItsOwnConnectionOnly() {
        CacheStore own = CacheStores.valkey(client).open(keys);
        own.writeHeartbeat("t", Duration.ofSeconds(30)).block(T);
        assertThat(ownerOf(keys.heartbeatKey()).get(keys.heartbeatKey())).isEqualTo("t");
        own.close();
        // the caller's connection of the other store is untouched
        store.deleteHeartbeat().block(T);
        assertThat(connection.isOpen()).isTrue();
    }
}
