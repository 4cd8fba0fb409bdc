package com.betterdb.semanticcache.kafka;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.util.ArrayList;
import java.util.List;

/**
 * Hands the planned outputs of a chunk to the producer, in input order, on one send thread ({@code send} may block
 * on metadata or a full buffer, never on a Reactor thread), and returns without waiting for the broker: each
 * acknowledgement finishes its record on its own (so the commit point moves with every acknowledgement, and the next
 * chunk of a partition is planned while the previous one is on the wire). Retries are idempotent at record level: an
 * acknowledged output is never sent again.
 *
 * <p>When Kafka refuses an output for good because of the record itself (too large, ...), the next smaller
 * {@linkplain Outputs#fallback fallback} is sent at once instead, so one record can never block its partition. Any
 * other failure goes back to the poll thread ({@link Listener#sendFailed}), which retries the record after a backoff.
 */
final class OutputSender {

    /** Where acknowledgements and failures go (called on the producer's thread). */
    interface Listener {
        /** A record finished (its output acknowledged, or it had none). */
        void acknowledged(InputRecord in);

        /** A record's output failed and is to be retried; {@code in.error} says why. */
        void sendFailed(InputRecord in);
    }

    private final Producer<byte[], byte[]> producer;
    private final Scheduler sendScheduler;
    private final Outputs outputs;
    private final ProcessorMetrics metrics;
    private final OutcomeSink outcomes;
    private final Coalescer coalescer;
    private final Transactions tx;
    private volatile Listener listener;

    OutputSender(Producer<byte[], byte[]> producer, Scheduler sendScheduler, Outputs outputs, ProcessorMetrics metrics,
                 OutcomeSink outcomes, Coalescer coalescer, Transactions tx) {
        this.producer = producer;
        this.sendScheduler = sendScheduler;
        this.outputs = outputs;
        this.metrics = metrics;
        this.outcomes = outcomes;
        this.coalescer = coalescer;
        this.tx = tx;
    }

    void listener(Listener listener) {
        this.listener = listener;
    }

    /** Hands the outputs of {@code ins} not acknowledged yet to the producer; completes once they are handed over. */
    Mono<Void> send(List<InputRecord> ins) {
        List<InputRecord> todo = new ArrayList<>(ins.size());
        for (InputRecord in : ins) {
            if (!in.acked && in.output != null) {
                todo.add(in);
            }
        }
        if (todo.isEmpty()) {
            return Mono.empty();
        }
        return Mono.<Void>fromRunnable(() -> todo.forEach(this::sendOne)).subscribeOn(sendScheduler);
    }

    private void sendOne(InputRecord in) {
        Output o = in.output;
        int gen = -1;
        if (tx.enabled()) {
            gen = tx.generation();
            if (in.owner.generation != gen) {
                // Its transaction was aborted: the record is read again, and nothing of it may enter the next one.
                if (in.flight != null) {
                    coalescer.requestFailed(in.flight);
                }
                return;
            }
            o = tx.substitute(in, o, outputs);
            in.output = o;
        }
        if (o.record() == null) {
            acknowledged(in, o, null);
            return;
        }
        in.sending = true;
        Output sent = o;
        int generation = gen;
        try {
            producer.send(o.record(), (md, ex) -> {
                if (ex == null) {
                    acknowledged(in, sent, md);
                } else {
                    failed(in, sent, ex, generation);
                }
            });
        } catch (RuntimeException ex) {
            failed(in, o, ex, gen);
        }
    }

    private void acknowledged(InputRecord in, Output o, RecordMetadata md) {
        if (o.record() != null) {
            metrics.produced(o.record().topic());
            if (in.maybeWritten) {
                metrics.resent(o.record().topic());
            }
        }
        in.maybeWritten = false;
        in.error = null;
        in.sending = false;
        if (o.kind() != null) {
            long latency = System.nanoTime() - in.polledNanos;
            metrics.finished(o.kind(), o.detail(), latency);
            outcomes.emit(new ProcessingOutcome(o.kind(), in.record.topic(), in.record.partition(), in.offset(),
                    o.id(), o.correlationId(), latency, o.detail()));
        }
        Coalescer.Flight flight = in.flight;
        if (flight != null && md != null && o.kind() == ProcessingOutcome.Kind.MISS) {
            coalescer.requestWritten(flight, md.partition());
        }
        in.acked = true;
        listener.acknowledged(in);
    }

    private void failed(InputRecord in, Output o, Throwable raw, int generation) {
        Throwable error = FailureCodes.unwrap(raw);
        String code = FailureCodes.of(error);
        metrics.sendError(o.record().topic(), code);
        Coalescer.Flight flight = in.flight;
        if (flight != null && o.kind() == ProcessingOutcome.Kind.MISS) {
            coalescer.requestFailed(flight); // its followers should not wait for a request that may not exist
        }
        boolean refusedForGood = o.kind() == ProcessingOutcome.Kind.DEAD_LETTERED
                ? FailureCodes.nonRetriable(error) : FailureCodes.recordRejected(error);
        if (tx.enabled()) {
            // The transaction is in error now: it is aborted and its records processed again, this one with the
            // fallback when Kafka refused it for good.
            if (refusedForGood && !FailureCodes.transactionAborted(error)) {
                tx.refused(in, o, code);
            }
            in.error = error;
            in.sending = false;
            tx.requestAbort(generation, error);
            return;
        }
        Output fallback = refusedForGood ? outputs.fallback(in, o, code) : null;
        if (fallback != null) {
            in.output = fallback;
            in.maybeWritten = false;
            sendScheduler.schedule(() -> sendOne(in));
            return;
        }
        // Retried by the poll thread, after a backoff.
        in.maybeWritten |= FailureCodes.retriable(error);
        in.error = error;
        in.sending = false;
        listener.sendFailed(in);
    }
}
