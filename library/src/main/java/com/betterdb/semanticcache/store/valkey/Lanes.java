package com.betterdb.semanticcache.store.valkey;

import io.lettuce.core.api.StatefulConnection;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The connections that carry the commands valkey-search runs on a worker thread ({@code FT.SEARCH}, {@code HSET} into
 * the indexed prefix), with at most {@code depth} of them in flight per connection.
 *
 * <p>Why: the server blocks a connection for the duration of each such command, so the commands of one connection
 * are worked through one at a time however deep its pipeline. Several connections keep several worker threads busy;
 * a bounded depth per connection keeps a deep batch from queueing hundreds of commands behind one connection (which
 * only adds latency and client memory) while another sits idle.
 *
 * <p>A batch goes whole to the least-loaded connection that has room for it (or that is idle, for a batch larger than
 * the depth); otherwise it waits in a FIFO queue, dispatched from the completion of an earlier batch. No thread ever
 * blocks. The critical sections only pick a connection or queue a batch.
 */
final class Lanes {

    private final List<? extends StatefulConnection<byte[], byte[]>> connections;
    private final int depth;
    /** Commands in flight per connection. Guarded by {@code this}. */
    private final int[] inFlight;
    /** Batches waiting for room, in arrival order. Guarded by {@code this}. */
    private final ArrayDeque<Pipeline> waiting = new ArrayDeque<>();

    Lanes(List<? extends StatefulConnection<byte[], byte[]>> connections, int depth) {
        if (connections.isEmpty()) {
            throw new IllegalArgumentException("no connections");
        }
        this.connections = List.copyOf(connections);
        this.depth = depth;
        this.inFlight = new int[connections.size()];
    }

    int size() {
        return connections.size();
    }

    /**
     * Dispatches the batch now or as soon as a connection has room (in the calling thread, or in the thread completing
     * an earlier batch). Returns {@link Pipeline#allDone()}.
     */
    CompletableFuture<Void> submit(Pipeline batch) {
        CompletableFuture<Void> done = batch.allDone();
        if (batch.isEmpty()) {
            return done;
        }
        int lane;
        synchronized (this) {
            lane = waiting.isEmpty() ? pick(batch.size()) : -1;
            if (lane < 0) {
                waiting.addLast(batch);
                return done;
            }
            inFlight[lane] += batch.size();
        }
        start(lane, batch);
        return done;
    }

    /** Commands in flight on each connection (for tests). */
    synchronized int[] inFlight() {
        return inFlight.clone();
    }

    private void start(int lane, Pipeline batch) {
        int n = batch.size();
        batch.allDone().whenComplete((v, e) -> release(lane, n));
        batch.dispatch(connections.get(lane));
    }

    private void release(int lane, int n) {
        while (true) {
            Pipeline next;
            int to;
            synchronized (this) {
                if (n > 0) {
                    inFlight[lane] -= n;
                    n = 0;
                }
                next = waiting.peekFirst();
                if (next == null) {
                    return;
                }
                to = pick(next.size());
                if (to < 0) {
                    return;
                }
                waiting.pollFirst();
                inFlight[to] += next.size();
            }
            start(to, next);
        }
    }

    /** The least-loaded connection with room for {@code n} more commands (any idle one for a big batch), or -1. */
    private int pick(int n) {
        int best = -1;
        for (int i = 0; i < inFlight.length; i++) {
            int load = inFlight[i];
            if ((load + n <= depth || load == 0) && (best < 0 || load < inFlight[best])) {
                best = i;
            }
        }
        return best;
    }
}
