package com.betterdb.semanticcache.store.valkey;

import static org.assertj.core.api.Assertions.assertThat;

import com.betterdb.semanticcache.ValkeyCommandError;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.protocol.CommandArgs;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The standalone/cluster strategy of the store without a server: which DEL commands a key list becomes, whether reads
 * are per key, and which nodes SCAN runs on. (The same paths run against a real cluster in
 * {@code ValkeyClusterFlushTest} and {@code cluster.ValkeyClusterStoreTest}.)
 */
class KeyspaceTest {

    private static final List<byte[]> KEYS = List.of(b("c:entry:1"), b("c:entry:2"), b("c:embed:3"));

    @Test
    void standaloneDeletesWithOneMultiKeyDelAndReadsWithMget() {
        Keyspace ks = Keyspace.of(fake(StatefulRedisConnection.class, null));
        assertThat(ks.isCluster()).isFalse();
        assertThat(ks.perKeyReads()).isFalse();
        List<CommandArgs<byte[], byte[]>> dels = ks.deleteCommands(KEYS);
        assertThat(dels).hasSize(1);
        assertThat(dels.get(0).count()).isEqualTo(3);
        assertThat(ks.deleteCommands(List.of())).isEmpty();
    }

    @Test
    void clusterDeletesOneKeyPerDelAndReadsPerKey() {
        Keyspace ks = Keyspace.of(fake(StatefulRedisClusterConnection.class, new Partitions()));
        assertThat(ks.isCluster()).isTrue();
        assertThat(ks.perKeyReads()).isTrue();
        List<CommandArgs<byte[], byte[]>> dels = ks.deleteCommands(KEYS);
        assertThat(dels).hasSize(3);
        assertThat(dels).allSatisfy(a -> assertThat(a.count()).isEqualTo(1));
        for (int i = 0; i < KEYS.size(); i++) {
            assertThat(dels.get(i).getFirstEncodedKey()).isEqualTo(java.nio.ByteBuffer.wrap(KEYS.get(i)));
        }
    }

    @Test
    void standaloneScansItsOneConnection() {
        StatefulConnection<byte[], byte[]> c = fake(StatefulRedisConnection.class, null);
        StepVerifier.create(Keyspace.of(c).scanNodes())
                .assertNext(nodes -> assertThat(nodes).containsExactly(c))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void clusterWithoutVisiblePrimaryFailsTheScan() {
        Partitions partitions = new Partitions();
        partitions.add(node("r1", RedisClusterNode.NodeFlag.REPLICA));
        partitions.updateCache();
        StepVerifier.create(Keyspace.of(fake(StatefulRedisClusterConnection.class, partitions)).scanNodes())
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(ValkeyCommandError.class)
                        .hasMessageContaining("SCAN")
                        .hasMessageContaining("cluster has no master nodes visible"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void primariesAreTheUpstreamNodes() {
        Partitions partitions = new Partitions();
        partitions.add(node("m1", RedisClusterNode.NodeFlag.UPSTREAM));
        partitions.add(node("r1", RedisClusterNode.NodeFlag.REPLICA));
        partitions.add(node("m2", RedisClusterNode.NodeFlag.UPSTREAM));
        partitions.updateCache();
        assertThat(Keyspace.primaries(partitions)).extracting(RedisClusterNode::getNodeId).containsExactly("m1", "m2");
    }

    private static RedisClusterNode node(String id, RedisClusterNode.NodeFlag role) {
        RedisClusterNode n = new RedisClusterNode();
        n.setNodeId(id);
        n.setFlags(java.util.EnumSet.of(role));
        return n;
    }

    /** A connection of {@code type} that only answers getPartitions (others throw: the strategy must not call them). */
    @SuppressWarnings("unchecked")
    private static <C extends StatefulConnection<byte[], byte[]>> C fake(Class<?> type, Partitions partitions) {
        return (C) Proxy.newProxyInstance(KeyspaceTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getPartitions" -> partitions;
                    case "toString" -> "fake " + type.getSimpleName();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
