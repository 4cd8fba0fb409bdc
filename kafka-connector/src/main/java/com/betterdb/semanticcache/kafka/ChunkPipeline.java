package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.BatchOptions;
import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.CheckRequest;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.StoreRequest;
import com.betterdb.semanticcache.StoreResult;
import com.betterdb.semanticcache.kafka.events.DecodeException;
import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.events.LlmReplyEvent;
import com.betterdb.semanticcache.kafka.events.LlmRequestEvent;
import com.betterdb.semanticcache.kafka.events.PromptEvent;
import com.betterdb.semanticcache.kafka.events.ResponseEvent;
import com.betterdb.semanticcache.prompt.Prompt;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Processes one chunk of records of one partition: decode, one {@code checkAll} (prompts) or {@code storeAll}
 * (replies), then one output per record, sent in input order, and waits for the broker's acknowledgements.
 * The result says how many records, from the first, are finished (outputs acknowledged); the rest must be retried.
 */
final class ChunkPipeline {

    /** One polled record and its processing state (confined to the poll thread, except while in a chunk). */
    static final class In {
        final ConsumerRecord<byte[], byte[]> record;
        final long polledNanos;
        int attempts;
        /** When set, the record is dead-lettered as PROCESSING_FAILED with this detail. */
        String forcedDeadLetter;

        In(ConsumerRecord<byte[], byte[]> record, long polledNanos) {
            this.record = record;
            this.polledNanos = polledNanos;
        }
    }

    /** {@code completed} records from the first are finished; {@code error} is why the next one is not. */
    record ChunkResult(int completed, Throwable error) {
    }

    /** The planned output of one record. */
    private record Output(ProducerRecord<byte[], byte[]> record, ProcessingOutcome.Kind kind, String id,
                          String correlationId, String detail) {
    }

    private final SemanticCacheProcessorConfig config;
    private final SemanticCache cache;
    private final Producer<byte[], byte[]> producer;
    private final Scheduler sendScheduler;
    private final ProcessorMetrics metrics;
    private final OutcomeSink outcomes;
    private final BatchOptions batch;

    ChunkPipeline(SemanticCacheProcessorConfig config, SemanticCache cache, Producer<byte[], byte[]> producer,
                  Scheduler sendScheduler, ProcessorMetrics metrics, OutcomeSink outcomes) {
        this.config = config;
        this.cache = cache;
        this.producer = producer;
        this.sendScheduler = sendScheduler;
        this.metrics = metrics;
        this.outcomes = outcomes;
        this.batch = config.batchOptions().withErrorMode(BatchOptions.ErrorMode.RESULT);
    }

    // ------------------------------------------------------------------------------------------------ prompts

    Mono<ChunkResult> prompts(List<In> chunk) {
        return Mono.defer(() -> {
            int n = chunk.size();
            Object[] decoded = new Object[n]; // PromptEvent or DecodeException
            List<Integer> lookupIndex = new ArrayList<>(n);
            List<CheckRequest> requests = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                decoded[i] = decode(chunk.get(i), true);
                if (decoded[i] instanceof PromptEvent e) {
                    lookupIndex.add(i);
                    requests.add(CheckRequest.of(promptOf(e), checkOptions(e)));
                }
            }
            CacheResult[] results = new CacheResult[n];
            // One checkAll for the chunk; each event carries its own category and threshold.
            Mono<Void> lookups = fill(Flux.defer(() -> cache.checkAll(Flux.fromIterable(requests), batch)),
                    lookupIndex, results, CacheResult::failed);
            return lookups.then(Mono.fromCallable(() -> {
                List<Output> outputs = new ArrayList<>(n);
                Throwable failure = null;
                for (int i = 0; i < n; i++) {
                    In in = chunk.get(i);
                    if (decoded[i] instanceof DecodeException de) {
                        outputs.add(deadLetter(in, de));
                        continue;
                    }
                    PromptEvent e = (PromptEvent) decoded[i];
                    CacheResult r = results[i];
                    if (r == null || r.isError()) {
                        failure = r == null ? new IllegalStateException("no lookup result") : r.error();
                        break;
                    }
                    outputs.add(r.hit() ? hitOutput(in, e, r) : missOutput(in, e, r));
                }
                return new Planned(outputs, failure);
            })).flatMap(p -> sendAndAwait(chunk, p));
        });
    }

    /** The configured check options with the event's category and threshold, when it has them. */
    private CheckOptions checkOptions(PromptEvent e) {
        CheckOptions base = config.checkOptions();
        boolean hasCategory = e.category() != null && !e.category().isEmpty();
        if (!hasCategory && e.threshold() == null) {
            return base;
        }
        CheckOptions.Builder b = base.toBuilder();
        if (hasCategory) {
            b.category(e.category());
        }
        if (e.threshold() != null) {
            b.threshold(e.threshold());
        }
        return b.build();
    }

    /**
     * Puts the i-th result of {@code batch} at {@code results[index.get(i)]}. When the whole batch fails (e.g. the
     * cache is not initialised), every slot still empty gets that error.
     */
    private static <T> Mono<Void> fill(Flux<T> batch, List<Integer> index, T[] results,
                                       java.util.function.Function<Throwable, T> failed) {
        return batch.index()
                .doOnNext(t -> results[index.get(t.getT1().intValue())] = t.getT2())
                .onErrorResume(err -> {
                    for (int i : index) {
                        if (results[i] == null) {
                            results[i] = failed.apply(err);
                        }
                    }
                    return Mono.empty();
                })
                .then();
    }

    private static Prompt promptOf(PromptEvent e) {
        return e.prompt() != null ? Prompt.of(e.prompt()) : Prompt.of(e.contentBlocks());
    }

    private Output hitOutput(In in, PromptEvent e, CacheResult r) {
        ResponseEvent out = new ResponseEvent(Events.VERSION, e.id(), r.response(), r.contentBlocks(),
                ResponseEvent.SOURCE_CACHE, r.similarity(), r.confidence() == null ? null : r.confidence().label(),
                r.matchedKey(), r.costSaved(), e.model());
        String corr = correlation(in, e.id());
        return new Output(output(config.responsesTopic(), in, corr, Events.encode(out), ResponseEvent.SOURCE_CACHE),
                ProcessingOutcome.Kind.HIT, e.id(), corr, null);
    }

    private Output missOutput(In in, PromptEvent e, CacheResult r) {
        LlmRequestEvent.NearestMissInfo nm = null;
        if (r.nearestMiss() != null) {
            nm = new LlmRequestEvent.NearestMissInfo(r.nearestMiss().similarity(), r.nearestMiss().deltaToThreshold());
        } else if (r.similarity() != null) {
            nm = new LlmRequestEvent.NearestMissInfo(r.similarity(), null);
        }
        LlmRequestEvent out = new LlmRequestEvent(Events.VERSION, e.id(), e.prompt(), e.contentBlocks(), e.model(),
                e.category(), e.threshold(), e.metadata(), nm);
        String corr = correlation(in, e.id());
        return new Output(output(config.llmRequestsTopic(), in, corr, Events.encode(out), null),
                ProcessingOutcome.Kind.MISS, e.id(), corr, null);
    }

    // ------------------------------------------------------------------------------------------------ replies

    Mono<ChunkResult> replies(List<In> chunk) {
        return Mono.defer(() -> {
            int n = chunk.size();
            Object[] decoded = new Object[n]; // StoreRequest or DecodeException
            LlmReplyEvent[] events = new LlmReplyEvent[n];
            List<Integer> good = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Object d = decode(chunk.get(i), false);
                if (d instanceof LlmReplyEvent e) {
                    try {
                        decoded[i] = storeRequest(e);
                        events[i] = e;
                        good.add(i);
                    } catch (IllegalArgumentException ex) {
                        decoded[i] = new DecodeException(DeadLetterReason.INVALID_FIELD, ex.getMessage());
                    }
                } else {
                    decoded[i] = d;
                }
            }
            StoreResult[] results = new StoreResult[n];
            Mono<Void> stores = good.isEmpty() ? Mono.empty()
                    : fill(Flux.defer(() -> cache.storeAll(Flux.fromIterable(good).map(i -> (StoreRequest) decoded[i]),
                    batch)), good, results, StoreResult::failed);
            return stores.then(Mono.fromCallable(() -> {
                List<Output> outputs = new ArrayList<>(n);
                Throwable failure = null;
                for (int i = 0; i < n; i++) {
                    In in = chunk.get(i);
                    if (decoded[i] instanceof DecodeException de) {
                        outputs.add(deadLetter(in, de));
                        continue;
                    }
                    StoreResult r = results[i];
                    if (r == null || r.isError()) {
                        failure = r == null ? new IllegalStateException("no store result") : r.error();
                        break;
                    }
                    LlmReplyEvent e = events[i];
                    ResponseEvent out = new ResponseEvent(Events.VERSION, e.id(), e.response(), null,
                            ResponseEvent.SOURCE_LLM, null, null, r.key(), null, e.model());
                    String corr = correlation(in, e.id());
                    outputs.add(new Output(output(config.responsesTopic(), in, corr, Events.encode(out),
                            ResponseEvent.SOURCE_LLM), ProcessingOutcome.Kind.STORED, e.id(), corr, null));
                }
                return new Planned(outputs, failure);
            })).flatMap(p -> sendAndAwait(chunk, p));
        });
    }

    /** The deterministic entry id of a reply: a redelivered reply overwrites its entry. */
    static UUID entryId(String cacheName, String requestId) {
        return UUID.nameUUIDFromBytes((cacheName + ":" + requestId).getBytes(StandardCharsets.UTF_8));
    }

    private StoreRequest storeRequest(LlmReplyEvent e) {
        StoreOptions.Builder b = StoreOptions.builder().entryId(entryId(cache.name(), e.id()));
        if (e.model() != null) {
            b.model(e.model());
        }
        if (e.category() != null) {
            b.category(e.category());
        }
        if (e.inputTokens() != null && e.outputTokens() != null) {
            b.tokens(e.inputTokens(), e.outputTokens());
        }
        if (e.ttlSeconds() != null) {
            b.ttl(Duration.ofSeconds(e.ttlSeconds()));
        }
        return new StoreRequest(Prompt.of(e.prompt()), e.response(), b.build());
    }

    // ------------------------------------------------------------------------------------------------ common

    private Object decode(In in, boolean prompt) {
        ConsumerRecord<byte[], byte[]> r = in.record;
        if (in.forcedDeadLetter != null) {
            return new DecodeException(DeadLetterReason.PROCESSING_FAILED,
                    "processing failed " + in.attempts + " times: " + in.forcedDeadLetter);
        }
        if (r.value() != null && r.value().length > config.maxRecordBytes()) {
            return new DecodeException(DeadLetterReason.TOO_LARGE,
                    "record value has " + r.value().length + " bytes, more than maxRecordBytes=" + config.maxRecordBytes());
        }
        try {
            return prompt ? Events.decodePrompt(r.value()) : Events.decodeReply(r.value());
        } catch (DecodeException e) {
            return e;
        }
    }

    private String correlation(In in, String id) {
        Header h = in.record.headers().lastHeader(config.correlationHeader());
        return h == null || h.value() == null ? id : new String(h.value(), StandardCharsets.UTF_8);
    }

    private ProducerRecord<byte[], byte[]> output(String topic, In in, String correlationId, byte[] value, String source) {
        RecordHeaders headers = new RecordHeaders();
        if (correlationId != null) {
            headers.add(config.correlationHeader(), correlationId.getBytes(StandardCharsets.UTF_8));
        }
        if (source != null) {
            headers.add(Headers.SOURCE, source.getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(topic, null, in.record.key(), value, headers);
    }

    private Output deadLetter(In in, DecodeException e) {
        ConsumerRecord<byte[], byte[]> r = in.record;
        RecordHeaders headers = new RecordHeaders(r.headers().toArray());
        for (String name : List.of(Headers.DLQ_REASON, Headers.DLQ_ERROR, Headers.DLQ_SOURCE_TOPIC,
                Headers.DLQ_SOURCE_PARTITION, Headers.DLQ_SOURCE_OFFSET)) {
            headers.remove(name);
        }
        headers.add(Headers.DLQ_REASON, utf8(e.reason().name()));
        headers.add(Headers.DLQ_ERROR, utf8(e.getMessage()));
        headers.add(Headers.DLQ_SOURCE_TOPIC, utf8(r.topic()));
        headers.add(Headers.DLQ_SOURCE_PARTITION, utf8(Integer.toString(r.partition())));
        headers.add(Headers.DLQ_SOURCE_OFFSET, utf8(Long.toString(r.offset())));
        Header corr = r.headers().lastHeader(config.correlationHeader());
        String correlationId = corr == null || corr.value() == null ? null : new String(corr.value(), StandardCharsets.UTF_8);
        return new Output(new ProducerRecord<>(config.deadLetterTopic(), null, r.key(), r.value(), headers),
                ProcessingOutcome.Kind.DEAD_LETTERED, null, correlationId, e.reason().name());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private record Planned(List<Output> outputs, Throwable failure) {
    }

    /**
     * Sends the planned outputs in order on the send thread (so {@code send} never blocks a Reactor thread), waits
     * for every acknowledgement, then reports the finished prefix.
     */
    private Mono<ChunkResult> sendAndAwait(List<In> chunk, Planned planned) {
        List<Output> outputs = planned.outputs();
        return Mono.fromCallable(() -> {
                    List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>(outputs.size());
                    for (Output o : outputs) {
                        CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
                        try {
                            producer.send(o.record(), (md, ex) -> {
                                if (ex != null) {
                                    f.completeExceptionally(ex);
                                } else {
                                    f.complete(md);
                                }
                            });
                        } catch (RuntimeException ex) {
                            f.completeExceptionally(ex);
                            acks.add(f);
                            break;
                        }
                        acks.add(f);
                    }
                    return acks;
                })
                .subscribeOn(sendScheduler)
                .flatMap(acks -> Mono.fromFuture(CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                                .handle((v, ex) -> acks))
                        .map(done -> {
                            long now = System.nanoTime();
                            int completed = 0;
                            Throwable error = null;
                            for (CompletableFuture<RecordMetadata> f : done) {
                                if (f.isCompletedExceptionally()) {
                                    error = f.handle((v, ex) -> ex).join();
                                    break;
                                }
                                Output o = outputs.get(completed);
                                In in = chunk.get(completed);
                                metrics.finished(o.kind(), o.record().topic(), o.detail(), now - in.polledNanos);
                                outcomes.emit(new ProcessingOutcome(o.kind(), in.record.topic(), in.record.partition(),
                                        in.record.offset(), o.id(), o.correlationId(), now - in.polledNanos, o.detail()));
                                completed++;
                            }
                            if (error == null && completed == outputs.size()) {
                                error = planned.failure();
                            }
                            if (error instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null) {
                                error = ce.getCause();
                            }
                            return new ChunkResult(completed, error);
                        }));
    }
}
