package com.betterdb.semanticcache.store.valkey;

import com.betterdb.semanticcache.ValkeyCommandError;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.protocol.CommandArgs;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;

/**
 * What differs between a standalone connection and a cluster connection, and nothing else.
 *
 * <ul>
 *   <li><b>Multi-key commands.</b> No key of the data format uses a hash tag (docs/data-format.md §14), so two keys of one
 *       cache usually live in different slots and a multi-key command over them fails with {@code CROSSSLOT}. On a
 *       cluster, {@code DEL k1 k2 …} becomes one single-key {@code DEL} per key and {@code MGET} becomes one
 *       {@code GET} per key, all pipelined. Standalone keeps the multi-key forms (one command, one reply).</li>
 *   <li><b>Key enumeration.</b> {@code SCAN} only sees the keys of the node it runs on: on a cluster it runs on every
 *       primary ({@link #scanNodes()}); standalone on the one connection.</li>
 * </ul>
 *
 * Everything else the store sends is single-key, and Lettuce's cluster connection routes every command by the slot of
 * its first key; keyless commands ({@code FT.*}) go to the connection's default node.
 */
abstract class Keyspace {

    static final String NO_PRIMARIES = "cluster has no master nodes visible";

    private Keyspace() {
    }

    static Keyspace of(StatefulConnection<byte[], byte[]> connection) {
        if (connection instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster) {
            return new Cluster(cluster);
        }
        return new Standalone(connection);
    }

    /** Whether keys are spread over slots (and nodes). */
    abstract boolean isCluster();

    /**
     * The argument lists of the {@code DEL} commands deleting {@code keys}: one multi-key {@code DEL} standalone, one
     * {@code DEL} per key on a cluster. Empty for no keys.
     */
    final List<CommandArgs<byte[], byte[]>> deleteCommands(List<byte[]> keys) {
        List<CommandArgs<byte[], byte[]>> out = new ArrayList<>();
        if (keys.isEmpty()) {
            return out;
        }
        if (isCluster()) {
            for (byte[] k : keys) {
                out.add(Pipeline.args().addKey(k));
            }
        } else {
            CommandArgs<byte[], byte[]> del = Pipeline.args();
            keys.forEach(del::addKey);
            out.add(del);
        }
        return out;
    }

    /** Whether a read of several keys must be one {@code GET} per key rather than one {@code MGET}. */
    final boolean perKeyReads() {
        return isCluster();
    }

    /**
     * The connections to run {@code SCAN} on: the one connection standalone, a connection to every primary on a
     * cluster (opened without blocking the calling thread). A cluster without a visible primary fails with
     * {@code ValkeyCommandError("SCAN", "cluster has no master nodes visible")}.
     */
    abstract Mono<List<StatefulConnection<byte[], byte[]>>> scanNodes();

    /** The primaries (role {@code UPSTREAM}, formerly {@code MASTER}) of a partition table, in its order. */
    static List<RedisClusterNode> primaries(Partitions partitions) {
        List<RedisClusterNode> out = new ArrayList<>();
        for (RedisClusterNode node : partitions) {
            if (node.getRole() != null && node.getRole().isUpstream()) {
                out.add(node);
            }
        }
        return out;
    }

    private static final class Standalone extends Keyspace {

        private final StatefulConnection<byte[], byte[]> connection;

        Standalone(StatefulConnection<byte[], byte[]> connection) {
            this.connection = connection;
        }

        @Override
        boolean isCluster() {
            return false;
        }

        @Override
        Mono<List<StatefulConnection<byte[], byte[]>>> scanNodes() {
            return Mono.just(List.of(connection));
        }
    }

    private static final class Cluster extends Keyspace {

        private final StatefulRedisClusterConnection<byte[], byte[]> connection;

        Cluster(StatefulRedisClusterConnection<byte[], byte[]> connection) {
            this.connection = connection;
        }

        @Override
        boolean isCluster() {
            return true;
        }

        @Override
        Mono<List<StatefulConnection<byte[], byte[]>>> scanNodes() {
            return Mono.defer(() -> {
                List<RedisClusterNode> primaries = primaries(connection.getPartitions());
                if (primaries.isEmpty()) {
                    return Mono.error(new ValkeyCommandError("SCAN", NO_PRIMARIES));
                }
                return Flux.fromIterable(primaries)
                        .concatMap(node -> Mono.fromCompletionStage(() -> connection.getConnectionAsync(node.getNodeId())))
                        .<StatefulConnection<byte[], byte[]>>map(c -> c)
                        .collectList()
                        .onErrorMap(e -> !(e instanceof ValkeyCommandError), e -> new ValkeyCommandError("SCAN", e));
            });
        }
    }
}
