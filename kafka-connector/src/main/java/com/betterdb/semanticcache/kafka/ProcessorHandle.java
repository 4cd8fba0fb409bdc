package com.betterdb.semanticcache.kafka;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;


/** A running {@link SemanticCacheProcessor}. */
public final class ProcessorHandle {

    private final PollLoop loop;
    private final OutcomeSink outcomes;
    private final InFlight inFlight;

    ProcessorHandle(PollLoop loop, OutcomeSink outcomes, InFlight inFlight) {
        this.loop = loop;
        this.outcomes = outcomes;
        this.inFlight = inFlight;
    }

    /**
     * Graceful stop: no more polling; records already polled are finished (within {@code stopTimeout}), their
     * outputs acknowledged and offsets committed; then the producer and consumer close. Completes when the poll
     * thread has ended. Idempotent.
     */
    public Mono<Void> stop() {
        return Mono.defer(() -> {
            loop.requestStop();
            return Mono.fromFuture(loop.terminated.copy());
        });
    }

    /** Completes when the processor has stopped (or failed). */
    public Mono<Void> terminated() {
        return Mono.fromFuture(loop.terminated.copy());
    }

    /**
     * What happens to each record, as it happens (hot, best effort: a slow subscriber misses outcomes rather than
     * slowing the pipeline). Completes when the processor stops.
     */
    public Flux<ProcessingOutcome> outcomes() {
        return outcomes.flux();
    }

    /**
     * Records polled and not yet finished, over all input topics: waiting for their lookup or store, or for the
     * acknowledgement of their output. Parked prompts (waiting for a close prompt's LLM reply) are counted apart, by the
     * {@link KafkaMetricNames#PARKED} gauge.
     */
    public int inFlight() {
        return inFlight.total();
    }

    /** The largest in-flight count one input topic reached so far; never more than {@code maxInFlight}. */
    public int maxObservedInFlight() {
        return inFlight.maxObserved();
    }

    /** The client id prefix of this instance's consumer ({@code -consumer}) and producer ({@code -producer}). */
    public String clientId() {
        return loop.clientId();
    }

    public boolean isRunning() {
        return loop.isRunning() && !loop.terminated.isDone();
    }

    /**
     * Test hook: stops like a crash. Nothing more is processed or committed; the producer and the consumer are
     * closed without waiting, so unacknowledged outputs may be lost and polled records are read again by the next
     * owner of their partitions.
     */
    Mono<Void> crash() {
        return Mono.defer(() -> {
            loop.crash();
            return Mono.fromFuture(loop.terminated.copy());
        });
    }
}
