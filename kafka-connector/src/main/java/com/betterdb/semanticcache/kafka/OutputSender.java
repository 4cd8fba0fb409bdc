package com.betterdb.semanticcache.kafka;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Produces the planned outputs of a chunk, in input order, on one send thread ({@code send} may block on metadata,
 * never on a Reactor thread), and records per input whether its output was acknowledged. Retries are idempotent at
 * record level: an acknowledged output is never sent again.
 *
 * <p>When Kafka refuses an output for good because of the record itself (too large, ...), the next smaller
 * {@linkplain Outputs#fallback fallback} is sent at once instead, so one record can never block its partition.
 */
final class OutputSender {

    /** Output, then dead letter, then dead letter without value, then without key and headers. */
    private static final int MAX_ROUNDS = 4;

    private final Producer<byte[], byte[]> producer;
    private final Scheduler sendScheduler;
    private final Outputs outputs;
    private final ProcessorMetrics metrics;
    private final OutcomeSink outcomes;

    OutputSender(Producer<byte[], byte[]> producer, Scheduler sendScheduler, Outputs outputs, ProcessorMetrics metrics,
                 OutcomeSink outcomes) {
        this.producer = producer;
        this.sendScheduler = sendScheduler;
        this.outputs = outputs;
        this.metrics = metrics;
        this.outcomes = outcomes;
    }

    /** Sends the outputs of {@code ins} not acknowledged yet; completes when each is acknowledged or failed. */
    Mono<Void> send(List<InputRecord> ins) {
        List<InputRecord> todo = new ArrayList<>(ins.size());
        for (InputRecord in : ins) {
            if (!in.acked && in.output != null) {
                todo.add(in);
            }
        }
        return round(todo, 1);
    }

    private Mono<Void> round(List<InputRecord> todo, int round) {
        if (todo.isEmpty()) {
            return Mono.empty();
        }
        return Mono.fromCallable(() -> {
                    List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>(todo.size());
                    for (InputRecord in : todo) {
                        CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
                        acks.add(f);
                        if (in.output.record() == null) {
                            f.complete(null);
                            continue;
                        }
                        try {
                            producer.send(in.output.record(), (md, ex) -> {
                                if (ex != null) {
                                    f.completeExceptionally(ex);
                                } else {
                                    f.complete(md);
                                }
                            });
                        } catch (RuntimeException ex) {
                            f.completeExceptionally(ex);
                        }
                    }
                    return acks;
                })
                .subscribeOn(sendScheduler)
                .flatMap(acks -> Mono.fromFuture(CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                        .handle((v, ex) -> acks)))
                .flatMap(acks -> {
                    List<InputRecord> next = new ArrayList<>();
                    long now = System.nanoTime();
                    for (int i = 0; i < todo.size(); i++) {
                        InputRecord in = todo.get(i);
                        Throwable error = acks.get(i).handle((md, ex) -> ex).join();
                        if (error == null) {
                            acknowledged(in, now);
                        } else if (failed(in, FailureCodes.unwrap(error), round)) {
                            next.add(in);
                        }
                    }
                    return round(next, round + 1);
                });
    }

    private void acknowledged(InputRecord in, long now) {
        Output o = in.output;
        if (o.record() != null) {
            metrics.produced(o.record().topic());
            if (in.maybeWritten) {
                metrics.resent(o.record().topic());
            }
        }
        in.acked = true;
        in.maybeWritten = false;
        in.error = null;
        if (o.kind() != null) {
            long latency = now - in.polledNanos;
            metrics.finished(o.kind(), o.detail(), latency);
            outcomes.emit(new ProcessingOutcome(o.kind(), in.record.topic(), in.record.partition(), in.record.offset(),
                    o.id(), o.correlationId(), latency, o.detail()));
        }
    }

    /** Returns true when a fallback output was planned for {@code in} to be sent in the next round. */
    private boolean failed(InputRecord in, Throwable error, int round) {
        Output o = in.output;
        String code = FailureCodes.of(error);
        metrics.sendError(o.record().topic(), code);
        boolean refusedForGood = o.kind() == ProcessingOutcome.Kind.DEAD_LETTERED
                ? FailureCodes.nonRetriable(error) : FailureCodes.recordRejected(error);
        Output fallback = refusedForGood && round < MAX_ROUNDS ? outputs.fallback(in, o, code) : null;
        if (fallback != null) {
            in.output = fallback;
            in.maybeWritten = false;
            return true;
        }
        // Retried with the chunk, after a backoff.
        in.maybeWritten |= FailureCodes.retriable(error);
        in.error = error;
        return false;
    }
}
