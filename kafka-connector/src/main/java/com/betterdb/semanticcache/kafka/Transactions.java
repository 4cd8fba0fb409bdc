package com.betterdb.semanticcache.kafka;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The exactly-once mode's Kafka transactions (KIP-447): one transactional producer per instance; the outputs are
 * sent inside the open transaction, which is committed every {@code transactionCommitInterval} together with the
 * commit points of the input partitions ({@code sendOffsetsToTransaction} with the consumer's group metadata, so that
 * a member the group fenced cannot commit).
 *
 * <p>Threads: every producer call, each send included, runs on the one send thread, so a commit never interleaves
 * with a send. A periodic commit flushes (every output handed over is acknowledged, its record finished), then asks
 * the poll thread for the commit points while the send thread waits: no output is sent in between, so the
 * transaction holds exactly the outputs of the records whose offsets it commits, plus those of records still held
 * back by an unfinished record before them (a parked prompt, a send failure).
 *
 * <p>A failed send or commit aborts the transaction: the <em>generation</em> moves on, the poll thread forgets
 * every record of the old one and reads again from the committed offsets ({@link Loop#aborted}); outputs of the old
 * generation still on their way are dropped, never sent in the next transaction. An output Kafka refused for good is
 * remembered so that the next attempt sends its fallback (a dead letter). When even the abort fails (the producer is
 * fenced by a newer instance with the same {@code transactional.id}, or another fatal error), the processor stops
 * with the error ({@link Loop#failed}).
 */
final class Transactions {

    private static final Logger log = LoggerFactory.getLogger(Transactions.class);
    /** How long a commit waits for the poll thread's commit points before it gives up (and tries next time). */
    private static final long HANDSHAKE_TIMEOUT_MS = 10_000;
    /** Refused outputs remembered, at most. */
    private static final int MAX_REFUSALS = 10_000;

    /** What a commit carries: the commit points and the group's metadata, read on the poll thread. */
    record Points(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
    }

    /** The poll thread's side. */
    interface Loop {
        /** Runs {@code r} on the poll thread. */
        void post(Runnable r);

        /** Poll thread: the commit points of the records of {@code generation}, or null when there is nothing to commit. */
        Points points(int generation);

        /** Poll thread: the transaction was aborted; every record of the older generation is to be read again. */
        void aborted(Throwable cause);

        /** Poll thread: the producer cannot go on. */
        void failed(Throwable cause);
    }

    private final SemanticCacheProcessorConfig config;
    private final Producer<byte[], byte[]> producer;
    private final Scheduler sendScheduler;
    private final ProcessorMetrics metrics;
    private final long intervalNanos;
    private final Map<String, String> refusals = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_REFUSALS;
        }
    };
    private volatile Loop loop;
    /** Moves on with every abort (on the send thread). */
    private volatile int generation;
    /** Poll thread: a periodic commit is on its way. */
    private boolean committing;
    private long lastCommitNanos = System.nanoTime();

    Transactions(SemanticCacheProcessorConfig config, Producer<byte[], byte[]> producer, Scheduler sendScheduler,
                 ProcessorMetrics metrics) {
        this.config = config;
        this.producer = producer;
        this.sendScheduler = sendScheduler;
        this.metrics = metrics;
        this.intervalNanos = config.transactionCommitInterval().toNanos();
    }

    void loop(Loop loop) {
        this.loop = loop;
    }

    boolean enabled() {
        return config.exactlyOnce();
    }

    int generation() {
        return generation;
    }

    /** Poll thread, before the first poll: registers the transactional id (aborting what a predecessor left open). */
    void init() {
        if (!enabled()) {
            return;
        }
        Mono.fromRunnable(() -> {
            producer.initTransactions();
            producer.beginTransaction();
        }).subscribeOn(sendScheduler).block();
        log.info("semantic-cache processor {}: exactly-once, transactions every {} ms", config.clientId(),
                config.transactionCommitInterval().toMillis());
    }

    /** Poll thread: starts a commit when the interval is over and none is on its way; returns whether it did. */
    boolean maybeCommit() {
        long now = System.nanoTime();
        if (committing || now - lastCommitNanos < intervalNanos) {
            return false;
        }
        committing = true;
        lastCommitNanos = now;
        int gen = generation;
        sendScheduler.schedule(() -> periodicCommit(gen));
        return true;
    }

    /** Send thread. */
    private void periodicCommit(int gen) {
        try {
            if (gen != generation) {
                return;
            }
            producer.flush(); // every output handed over is acknowledged (or failed): its record finished
            CompletableFuture<Points> asked = new CompletableFuture<>();
            loop.post(() -> asked.complete(loop.points(gen)));
            Points points;
            try {
                points = asked.get(HANDSHAKE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                asked.complete(null);
                return; // the poll thread is busy (a long rebalance); the next commit takes it all
            }
            if (points != null) {
                commit(gen, points);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            abort(gen, e);
        } finally {
            loop.post(() -> committing = false);
        }
    }

    /**
     * Poll thread: commits the open transaction with {@code points} (taken on the poll thread: every record they
     * pass has its outputs acknowledged, so in this transaction or an earlier one). Completes with whether it did.
     */
    CompletableFuture<Boolean> commitNow(int gen, Points points) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        sendScheduler.schedule(() -> {
            try {
                done.complete(gen == generation && commit(gen, points));
            } catch (Exception e) {
                abort(gen, e);
                done.complete(false);
            }
        });
        return done;
    }

    /** Send thread. */
    private boolean commit(int gen, Points points) {
        if (!points.offsets().isEmpty()) {
            producer.sendOffsetsToTransaction(points.offsets(), points.group());
        }
        producer.commitTransaction();
        metrics.transactionCommitted();
        producer.beginTransaction();
        return true;
    }

    /** Any thread: the transaction of {@code gen} failed (a send was refused); it is aborted on the send thread. */
    void requestAbort(int gen, Throwable cause) {
        sendScheduler.schedule(() -> abort(gen, cause));
    }

    /** Send thread: aborts the transaction of {@code gen}, unless that happened already. */
    private void abort(int gen, Throwable cause) {
        if (gen != generation) {
            return;
        }
        generation = gen + 1;
        metrics.transactionAborted();
        log.warn("semantic-cache processor {}: transaction aborted, the records since the last commit are processed "
                + "again: {} ({})", config.clientId(), FailureCodes.of(cause), cause.getClass().getSimpleName());
        try {
            producer.abortTransaction();
            producer.beginTransaction();
        } catch (Exception fatal) {
            log.error("semantic-cache processor {}: the transactional producer cannot go on ({}); stopping",
                    config.clientId(), FailureCodes.of(fatal), fatal);
            loop.post(() -> loop.failed(fatal));
            return;
        }
        loop.post(() -> loop.aborted(cause));
    }

    /** Kafka refused {@code o}, an output of {@code in}, for good with {@code code}: its next attempt sends the fallback. */
    void refused(InputRecord in, Output o, String code) {
        synchronized (refusals) {
            refusals.put(key(in, o), code);
        }
    }

    /** What to send for {@code in} instead of {@code o}, after the refusals of earlier attempts. */
    Output substitute(InputRecord in, Output o, Outputs outputs) {
        while (o.record() != null) {
            String code;
            synchronized (refusals) {
                code = refusals.get(key(in, o));
            }
            Output fallback = code == null ? null : outputs.fallback(in, o, code);
            if (fallback == null) {
                return o;
            }
            o = fallback;
        }
        return o;
    }

    private static String key(InputRecord in, Output o) {
        return Outputs.requestRef(in.record) + (o.kind() == ProcessingOutcome.Kind.DEAD_LETTERED
                ? "#dead-letter-" + o.fallback() : "#output");
    }
}
