package com.betterdb.semanticcache.store.valkey;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.RedisCommand;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Commands collected and written to the connection in one go ({@code dispatch(Collection)}: one write, one flush),
 * so a group of writes costs one round trip. It never touches the connection's auto-flush setting, so it is safe on a
 * connection shared with the rest of the application.
 */
final class Pipeline {

    private final List<RedisCommand<byte[], byte[], ?>> commands;
    private CompletableFuture<Void> allDone;

    Pipeline() {
        this(8);
    }

    Pipeline(int expectedCommands) {
        commands = new ArrayList<>(expectedCommands);
    }

    static CommandArgs<byte[], byte[]> args() {
        return new CommandArgs<>(ByteArrayCodec.INSTANCE);
    }

    <T> AsyncCommand<byte[], byte[], T> add(ProtocolKeyword type, CommandOutput<byte[], byte[], T> output,
                                            CommandArgs<byte[], byte[]> args) {
        AsyncCommand<byte[], byte[], T> cmd = new AsyncCommand<>(new Command<>(type, output, args));
        commands.add(cmd);
        return cmd;
    }

    boolean isEmpty() {
        return commands.isEmpty();
    }

    int size() {
        return commands.size();
    }

    /**
     * Writes every command now (in the calling thread, so a later cancellation cannot split the group).
     *
     * <p>On a cluster connection each command is dispatched on its own. Lettuce's cluster writer does route a
     * {@code dispatch(Collection)} per slot (ClusterDistributionChannelWriter groups the commands by the slot of their
     * first key), but it obtains the node connections of that path <em>blocking</em>
     * ({@code getConnection(intent, slot)} → {@code future.get()}), which must not happen on a Netty event loop
     * (where a reply-driven continuation may run). The single-command path routes the same way with
     * {@code getConnectionAsync}. The commands are still written without waiting for replies (pipelined), in order per
     * node.
     */
    void dispatch(StatefulConnection<byte[], byte[]> connection) {
        if (commands.isEmpty()) {
            return;
        }
        if (connection instanceof StatefulRedisClusterConnection) {
            for (RedisCommand<byte[], byte[], ?> c : commands) {
                connection.dispatch(c);
            }
        } else {
            connection.dispatch(commands);
        }
    }

    /**
     * Completes when every command has completed, successfully or not. One countdown shared by the commands (no
     * future per command); call it before {@link #dispatch} or after, any number of times.
     */
    synchronized CompletableFuture<Void> allDone() {
        if (allDone == null) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            allDone = done;
            if (commands.isEmpty()) {
                done.complete(null);
            } else {
                AtomicInteger left = new AtomicInteger(commands.size());
                BiConsumer<Object, Throwable> countDown = (v, e) -> {
                    if (left.decrementAndGet() == 0) {
                        done.complete(null);
                    }
                };
                for (RedisCommand<byte[], byte[], ?> c : commands) {
                    ((AsyncCommand<byte[], byte[], ?>) c).whenComplete(countDown);
                }
            }
        }
        return allDone;
    }

    /** Dispatches on subscription and completes when all replies arrived. Errors of single commands are ignored. */
    Mono<Void> execute(StatefulConnection<byte[], byte[]> connection) {
        return Mono.defer(() -> {
            dispatch(connection);
            return Mono.fromCompletionStage(allDone());
        });
    }
}
