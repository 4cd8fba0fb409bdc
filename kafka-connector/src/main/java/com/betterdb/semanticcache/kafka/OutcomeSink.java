package com.betterdb.semanticcache.kafka;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/** Multicasts outcomes to whoever listens; a slow or absent subscriber never slows processing (best effort). */
final class OutcomeSink {

    private final Sinks.Many<ProcessingOutcome> sink = Sinks.many().multicast().directBestEffort();

    void emit(ProcessingOutcome o) {
        synchronized (this) {
            sink.tryEmitNext(o);
        }
    }

    void complete() {
        synchronized (this) {
            sink.tryEmitComplete();
        }
    }

    Flux<ProcessingOutcome> flux() {
        return sink.asFlux();
    }
}
