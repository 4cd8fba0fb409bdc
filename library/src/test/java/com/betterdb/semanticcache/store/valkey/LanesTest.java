package com.betterdb.semanticcache.store.valkey;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Lanes}: bounded commands in flight per connection, least-loaded choice, FIFO waiting, big batches. */
class LanesTest {

    /** A connection that only records what is dispatched to it; the test completes the commands. */
    private static final class Recorder {
        final List<List<RedisCommand<byte[], byte[], ?>>> batches = new ArrayList<>();
        @SuppressWarnings("unchecked")
        final StatefulConnection<byte[], byte[]> connection = (StatefulConnection<byte[], byte[]>) Proxy.newProxyInstance(
                LanesTest.class.getClassLoader(), new Class<?>[]{StatefulConnection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("dispatch") && args[0] instanceof Collection<?> c) {
                        @SuppressWarnings("unchecked")
                        Collection<RedisCommand<byte[], byte[], ?>> cmds = (Collection<RedisCommand<byte[], byte[], ?>>) c;
                        batches.add(new ArrayList<>(cmds));
                        return cmds;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });

        int dispatched() {
            return batches.stream().mapToInt(List::size).sum();
        }

        void completeBatch(int i) {
            for (RedisCommand<byte[], byte[], ?> c : batches.get(i)) {
                c.complete();
            }
        }
    }

    /** The first command of each batch built, in order. */
    private final List<Object> firsts = new ArrayList<>();

    private Pipeline batch(int n) {
        Pipeline p = new Pipeline(n);
        for (int i = 0; i < n; i++) {
            Object c = p.add(CommandType.PING, new IntegerOutput<>(ByteArrayCodec.INSTANCE), Pipeline.args());
            if (i == 0) {
                firsts.add(c);
            }
        }
        return p;
    }

    @Test
    void spreadsBatchesOverTheLeastLoadedConnection() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        Lanes lanes = new Lanes(List.of(a.connection, b.connection), 64);
        lanes.submit(batch(32));
        lanes.submit(batch(16));
        lanes.submit(batch(8));
        // 32 → a (both idle, first wins); 16 → b (less loaded); 8 → b (16 < 32).
        assertThat(a.batches).hasSize(1);
        assertThat(b.batches).hasSize(2);
        assertThat(lanes.inFlight()).containsExactly(32, 16 + 8);
    }

    @Test
    void neverExceedsTheDepthAndStartsWaitingBatchesInOrderAsRepliesArrive() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        Lanes lanes = new Lanes(List.of(a.connection, b.connection), 64);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            done.add(lanes.submit(batch(32)));
        }
        // 2 connections x 64 = 4 batches of 32 in flight; 6 wait.
        assertThat(a.dispatched() + b.dispatched()).isEqualTo(128);
        assertThat(lanes.inFlight()).containsExactly(64, 64);
        assertThat(done).filteredOn(CompletableFuture::isDone).isEmpty();

        a.completeBatch(0);
        assertThat(done.get(0)).isDone();
        // The replies made room on a: the next waiting batch (the 5th) went there, no more.
        assertThat(lanes.inFlight()).containsExactly(64, 64);
        assertThat(a.batches).hasSize(3);
        assertThat((Object) a.batches.get(2).get(0)).isSameAs(firsts.get(4));

        // Completing everything as it arrives drains the queue; the depth holds at every step.
        int completedA = 1;
        int completedB = 0;
        while (completedA < a.batches.size() || completedB < b.batches.size()) {
            if (completedB < b.batches.size()) {
                b.completeBatch(completedB++);
            } else {
                a.completeBatch(completedA++);
            }
            int[] load = lanes.inFlight();
            assertThat(load[0]).isLessThanOrEqualTo(64);
            assertThat(load[1]).isLessThanOrEqualTo(64);
        }
        assertThat(a.dispatched() + b.dispatched()).isEqualTo(320);
        assertThat(done).allMatch(CompletableFuture::isDone);
        assertThat(lanes.inFlight()).containsExactly(0, 0);
    }

    @Test
    void aBatchLargerThanTheDepthGoesWholeToAnIdleConnection() {
        Recorder a = new Recorder();
        Lanes lanes = new Lanes(List.of(a.connection), 16);
        lanes.submit(batch(40));
        assertThat(a.batches).hasSize(1);
        lanes.submit(batch(1));
        assertThat(a.batches).hasSize(1); // waits: the connection is not idle and 41 > 16
        a.completeBatch(0);
        assertThat(a.batches).hasSize(2);
    }

    @Test
    void aFailedCommandStillFreesItsRoom() {
        Recorder a = new Recorder();
        Lanes lanes = new Lanes(List.of(a.connection), 2);
        CompletableFuture<Void> first = lanes.submit(batch(2));
        lanes.submit(batch(2));
        a.batches.get(0).forEach(c -> c.completeExceptionally(new IllegalStateException("boom")));
        assertThat(first).isDone();
        assertThat(a.batches).hasSize(2);
        assertThat(lanes.inFlight()).containsExactly(2);
    }

}
