package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.BatchOptions;
import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CheckDetail;
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
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.prompt.Prompt;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Processes one dispatch: the next chunk of each partition of one role that has work, with one lookup
 * ({@code checkAllDetailed}) or one store ({@code storeAll}) for all their records whose output is not planned yet;
 * then hands the outputs to the producer, chunk by chunk in input order. Each chunk's result says how many records,
 * from the first, are handled (output handed over, parked, or finished); the rest are retried, and a retry neither
 * looks up nor sends again what was done. Acknowledgements arrive later, record by record ({@link OutputSender}).
 */
final class ChunkPipeline {

    /** {@code handled} records from the first are handled; {@code error} is why the next one is not. */
    record ChunkResult(int handled, Throwable error) {
    }

    private final SemanticCacheProcessorConfig config;
    private final SemanticCache cache;
    private final RecordDecoder decoder;
    private final Outputs outputs;
    private final OutputSender sender;
    private final LlmTimeouts llm;
    private final Coalescer coalescer;
    private final BatchOptions batch;
    private final Scheduler workScheduler;

    /** Records of a dispatch per parallel slice, at least. */
    static final int MIN_SLICE = 32;
    /** Parallel slices of a dispatch per core, at most. */
    static final int MAX_SLICES = 1;

    ChunkPipeline(SemanticCacheProcessorConfig config, SemanticCache cache, Outputs outputs, OutputSender sender,
                  LlmTimeouts llm, Coalescer coalescer, Scheduler workScheduler) {
        this.config = config;
        this.cache = cache;
        this.decoder = new RecordDecoder(config.maxRecordBytes());
        this.outputs = outputs;
        this.sender = sender;
        this.llm = llm;
        this.coalescer = coalescer;
        this.batch = config.batchOptions().withErrorMode(BatchOptions.ErrorMode.RESULT);
        this.workScheduler = workScheduler;
    }

    // ------------------------------------------------------------------------------------------------ prompts

    /** Looks up the prompts of {@code chunks} (one chunk per partition) together; a result per chunk. */
    Mono<List<ChunkResult>> prompts(List<List<InputRecord>> chunks) {
        return Mono.defer(() -> {
            List<InputRecord> lookups = new ArrayList<>();
            List<PromptEvent> events = new ArrayList<>();
            for (List<InputRecord> chunk : chunks) {
                for (InputRecord in : chunk) {
                    if (!needsPlan(in)) {
                        continue;
                    }
                    try {
                        PromptEvent e = decoder.prompt(in);
                        lookups.add(in);
                        events.add(e);
                    } catch (DecodeException de) {
                        in.output = outputs.deadLetter(in, de.reason(), de.getMessage());
                    }
                }
            }
            if (lookups.isEmpty()) {
                return sendAndReport(chunks, Map.of());
            }
            List<CheckRequest> requests = new ArrayList<>(events.size());
            for (PromptEvent e : events) {
                requests.add(CheckRequest.of(promptOf(e), checkOptions(e)));
            }
            CheckDetail[] details = new CheckDetail[lookups.size()];
            // One lookup for every chunk; each event carries its own category and threshold.
            return fill(requests, slice -> cache.checkAllDetailed(Flux.fromIterable(slice), batch), details,
                    e -> new CheckDetail(CacheResult.failed(e), null, 0, "", Filter.all(), 0))
                    .then(Mono.defer(() -> {
                        Map<InputRecord, Throwable> failures = new HashMap<>();
                        Map<InputRecord, Integer> index = new IdentityHashMap<>();
                        for (int i = 0; i < lookups.size(); i++) {
                            index.put(lookups.get(i), i);
                        }
                        // In input order per chunk, up to its first failure: what is planned is never planned again.
                        for (List<InputRecord> chunk : chunks) {
                            for (InputRecord in : chunk) {
                                Integer i = index.get(in);
                                if (i == null) {
                                    continue; // planned before, or a dead letter
                                }
                                CheckDetail d = details[i];
                                if (d == null || d.result().isError()) {
                                    failures.put(in, d == null ? new IllegalStateException("no lookup result")
                                            : d.result().error());
                                    break;
                                }
                                plan(in, events.get(i), d);
                            }
                        }
                        return sendAndReport(chunks, failures);
                    }));
        });
    }

    private void plan(InputRecord in, PromptEvent e, CheckDetail d) {
        CacheResult r = d.result();
        if (r.hit()) {
            in.output = outputs.hit(in, e, r);
            return;
        }
        Coalescer.Claim claim = coalescer.claim(in, e, d);
        if (claim instanceof Coalescer.Claim.Answered a) {
            in.output = a.output();
        } else if (!(claim instanceof Coalescer.Claim.Parked)) {
            in.output = outputs.miss(in, e, r);
        }
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

    private static Prompt promptOf(PromptEvent e) {
        return e.prompt() != null ? Prompt.of(e.prompt()) : Prompt.of(e.contentBlocks());
    }

    // ------------------------------------------------------------------------------------------------ replies

    /** Stores the replies of {@code chunks} (one chunk per partition) together; a result per chunk. */
    Mono<List<ChunkResult>> replies(List<List<InputRecord>> chunks) {
        return Mono.defer(() -> {
            List<InputRecord> stores = new ArrayList<>();
            List<LlmReplyEvent> events = new ArrayList<>();
            List<StoreRequest> requests = new ArrayList<>();
            for (List<InputRecord> chunk : chunks) {
                for (InputRecord in : chunk) {
                    if (!needsPlan(in)) {
                        continue;
                    }
                    if (in.forcedDeadLetter == null
                            && LlmTimeouts.TIMEOUT_MARKER.equals(LlmTimeouts.header(in.record, Headers.CONTROL))) {
                        in.output = timeoutMarker(in);
                        continue;
                    }
                    try {
                        LlmReplyEvent e = decoder.reply(in);
                        requests.add(storeRequest(e));
                        stores.add(in);
                        events.add(e);
                    } catch (DecodeException de) {
                        in.output = outputs.deadLetter(in, de.reason(), de.getMessage());
                    } catch (IllegalArgumentException ex) {
                        in.output = outputs.deadLetter(in, DeadLetterReason.INVALID_FIELD,
                                "the reply's members are not valid cache entry options");
                    }
                }
            }
            if (stores.isEmpty()) {
                return sendAndReport(chunks, Map.of());
            }
            StoreResult[] results = new StoreResult[stores.size()];
            return fill(requests, slice -> cache.storeAll(Flux.fromIterable(slice), batch), results, StoreResult::failed)
                    .then(Mono.defer(() -> {
                        Map<InputRecord, Throwable> failures = new HashMap<>();
                        Map<InputRecord, Integer> index = new IdentityHashMap<>();
                        for (int i = 0; i < stores.size(); i++) {
                            index.put(stores.get(i), i);
                        }
                        for (List<InputRecord> chunk : chunks) {
                            for (InputRecord in : chunk) {
                                Integer i = index.get(in);
                                if (i == null) {
                                    continue;
                                }
                                StoreResult r = results[i];
                                if (r == null || r.isError()) {
                                    failures.put(in, r == null ? new IllegalStateException("no store result") : r.error());
                                    break;
                                }
                                LlmReplyEvent e = events.get(i);
                                // Stored either way (a late answer is still worth caching); forwarded only once.
                                if (claim(in) == LlmTimeouts.Claim.FIRST) {
                                    in.output = outputs.stored(in, e, r);
                                    coalescer.answered(LlmTimeouts.header(in.record, Headers.LLM_REQUEST_REF), e, r.key());
                                } else {
                                    in.output = duplicate(in, e.id());
                                }
                            }
                        }
                        return sendAndReport(chunks, failures);
                    }));
        });
    }

    private LlmTimeouts.Claim claim(InputRecord in) {
        return llm.claim(in.record.partition(), LlmTimeouts.header(in.record, Headers.LLM_REQUEST_REF), in.record.offset());
    }

    private Output duplicate(InputRecord in, String id) {
        return Output.none(ProcessingOutcome.Kind.DUPLICATE_REPLY, id, outputs.correlation(in.record, id));
    }

    /** The processor's own record: no reply came for a request. Answers the prompt with an error, once. */
    private Output timeoutMarker(InputRecord in) {
        LlmRequestEvent marker;
        try {
            marker = Events.mapper().readValue(in.record.value(), LlmRequestEvent.class);
        } catch (Exception e) {
            return outputs.deadLetter(in, DeadLetterReason.UNDECODABLE, "unreadable LLM timeout marker");
        }
        if (claim(in) != LlmTimeouts.Claim.FIRST) {
            return Output.none(null, marker.id(), null);
        }
        coalescer.timedOut(LlmTimeouts.header(in.record, Headers.LLM_REQUEST_REF));
        return outputs.timedOut(in, marker);
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

    /** Not finished and nothing planned yet, or forced to the dead-letter topic since the last attempt. */
    private static boolean needsPlan(InputRecord in) {
        if (in.acked) {
            return false;
        }
        if (in.forcedDeadLetter != null) {
            return in.output == null || in.output.kind() != ProcessingOutcome.Kind.DEAD_LETTERED;
        }
        return in.output == null;
    }

    /**
     * Runs {@code call} over {@code requests} and puts the i-th result at {@code results[i]}. A dispatch of many
     * records is cut into up to {@value #MAX_SLICES}-per-core slices that run at once on the work scheduler, so a
     * CPU-bound cache (a local embedding model, the in-memory store) uses every core; each slice is still one batch.
     * When a slice fails as a whole (e.g. the cache is not initialised), each of its slots gets that error.
     */
    private <R, T> Mono<Void> fill(List<R> requests, Function<List<R>, Flux<T>> call, T[] results,
                                   Function<Throwable, T> failed) {
        int n = requests.size();
        int slices = Math.max(1, Math.min(MAX_SLICES * Schedulers.DEFAULT_POOL_SIZE, n / MIN_SLICE));
        int size = (n + slices - 1) / slices;
        return Flux.range(0, (n + size - 1) / size)
                .flatMap(s -> {
                    int from = s * size;
                    List<R> slice = requests.subList(from, Math.min(n, from + size));
                    Mono<Void> one = Flux.defer(() -> call.apply(slice)).index()
                            .doOnNext(t -> results[from + t.getT1().intValue()] = t.getT2())
                            .onErrorResume(err -> {
                                for (int i = from; i < from + slice.size(); i++) {
                                    if (results[i] == null) {
                                        results[i] = failed.apply(err);
                                    }
                                }
                                return Mono.empty();
                            })
                            .then();
                    return s == 0 ? one : one.subscribeOn(workScheduler);
                })
                .then();
    }

    /**
     * Hands over the planned outputs of each chunk up to its first record not handled (so outputs follow input
     * order), then reports per chunk how many records are handled and why the next one is not.
     */
    private Mono<List<ChunkResult>> sendAndReport(List<List<InputRecord>> chunks, Map<InputRecord, Throwable> failures) {
        List<InputRecord> sendable = new ArrayList<>();
        List<ChunkResult> results = new ArrayList<>(chunks.size());
        for (List<InputRecord> chunk : chunks) {
            int handled = 0;
            while (handled < chunk.size() && handled(chunk.get(handled))) {
                handled++;
            }
            sendable.addAll(chunk.subList(0, handled));
            Throwable error = null;
            if (handled < chunk.size()) {
                InputRecord next = chunk.get(handled);
                error = failures.get(next);
                if (error == null) {
                    error = next.error != null ? next.error : new IllegalStateException("not processed");
                }
            }
            results.add(new ChunkResult(handled, error));
        }
        return sender.send(sendable).thenReturn(results);
    }

    private static boolean handled(InputRecord in) {
        return in.acked || in.parked || in.output != null;
    }
}
