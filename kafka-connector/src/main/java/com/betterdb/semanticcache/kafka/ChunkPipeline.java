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
import com.betterdb.semanticcache.prompt.Prompt;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Processes one chunk of records of one partition: decode, one {@code checkAll} (prompts) or {@code storeAll}
 * (replies) for the records whose output is not planned yet, then the outputs in input order, and waits for the
 * broker's acknowledgements. The result says how many records, from the first, are finished; the rest are retried,
 * and a retry neither looks up nor sends again what was done.
 */
final class ChunkPipeline {

    /** {@code completed} records from the first are finished; {@code error} is why the next one is not. */
    record ChunkResult(int completed, Throwable error) {
    }

    private final SemanticCacheProcessorConfig config;
    private final SemanticCache cache;
    private final RecordDecoder decoder;
    private final Outputs outputs;
    private final OutputSender sender;
    private final LlmTimeouts llm;
    private final BatchOptions batch;

    ChunkPipeline(SemanticCacheProcessorConfig config, SemanticCache cache, Outputs outputs, OutputSender sender,
                  LlmTimeouts llm) {
        this.config = config;
        this.cache = cache;
        this.decoder = new RecordDecoder(config.maxRecordBytes());
        this.outputs = outputs;
        this.sender = sender;
        this.llm = llm;
        this.batch = config.batchOptions().withErrorMode(BatchOptions.ErrorMode.RESULT);
    }

    // ------------------------------------------------------------------------------------------------ prompts

    Mono<ChunkResult> prompts(List<InputRecord> chunk) {
        return Mono.defer(() -> {
            List<InputRecord> lookups = new ArrayList<>();
            List<PromptEvent> events = new ArrayList<>();
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
            if (lookups.isEmpty()) {
                return sendAndReport(chunk, null);
            }
            List<CheckRequest> requests = events.stream()
                    .map(e -> CheckRequest.of(promptOf(e), checkOptions(e))).toList();
            CacheResult[] results = new CacheResult[lookups.size()];
            // One checkAll for the chunk; each event carries its own category and threshold.
            return fill(Flux.defer(() -> cache.checkAll(Flux.fromIterable(requests), batch)), results, CacheResult::failed)
                    .then(Mono.defer(() -> {
                        Throwable failure = null;
                        for (int i = 0; i < lookups.size(); i++) {
                            CacheResult r = results[i];
                            if (r == null || r.isError()) {
                                failure = r == null ? new IllegalStateException("no lookup result") : r.error();
                                break;
                            }
                            InputRecord in = lookups.get(i);
                            in.output = r.hit() ? outputs.hit(in, events.get(i), r) : outputs.miss(in, events.get(i), r);
                        }
                        return sendAndReport(chunk, failure);
                    }));
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

    private static Prompt promptOf(PromptEvent e) {
        return e.prompt() != null ? Prompt.of(e.prompt()) : Prompt.of(e.contentBlocks());
    }

    // ------------------------------------------------------------------------------------------------ replies

    Mono<ChunkResult> replies(List<InputRecord> chunk) {
        return Mono.defer(() -> {
            List<InputRecord> stores = new ArrayList<>();
            List<LlmReplyEvent> events = new ArrayList<>();
            List<StoreRequest> requests = new ArrayList<>();
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
            if (stores.isEmpty()) {
                return sendAndReport(chunk, null);
            }
            StoreResult[] results = new StoreResult[stores.size()];
            return fill(Flux.defer(() -> cache.storeAll(Flux.fromIterable(requests), batch)), results, StoreResult::failed)
                    .then(Mono.defer(() -> {
                        Throwable failure = null;
                        for (int i = 0; i < stores.size(); i++) {
                            StoreResult r = results[i];
                            if (r == null || r.isError()) {
                                failure = r == null ? new IllegalStateException("no store result") : r.error();
                                break;
                            }
                            InputRecord in = stores.get(i);
                            LlmReplyEvent e = events.get(i);
                            // Stored either way (a late answer is still worth caching); forwarded only once.
                            in.output = claim(in) == LlmTimeouts.Claim.FIRST ? outputs.stored(in, e, r)
                                    : duplicate(in, e.id());
                        }
                        return sendAndReport(chunk, failure);
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
        return claim(in) == LlmTimeouts.Claim.FIRST ? outputs.timedOut(in, marker) : Output.none(null, marker.id(), null);
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
     * Puts the i-th result of {@code batch} at {@code results[i]}. When the whole batch fails (e.g. the cache is not
     * initialised), every slot still empty gets that error.
     */
    private static <T> Mono<Void> fill(Flux<T> batch, T[] results, Function<Throwable, T> failed) {
        return batch.index()
                .doOnNext(t -> results[t.getT1().intValue()] = t.getT2())
                .onErrorResume(err -> {
                    for (int i = 0; i < results.length; i++) {
                        if (results[i] == null) {
                            results[i] = failed.apply(err);
                        }
                    }
                    return Mono.empty();
                })
                .then();
    }

    /**
     * Sends the planned outputs up to the first record without one (so outputs follow input order), then reports the
     * finished prefix and why the next record is not finished.
     */
    private Mono<ChunkResult> sendAndReport(List<InputRecord> chunk, Throwable planningFailure) {
        int planned = 0;
        while (planned < chunk.size() && (chunk.get(planned).acked || chunk.get(planned).output != null)) {
            planned++;
        }
        List<InputRecord> sendable = chunk.subList(0, planned);
        return sender.send(sendable).then(Mono.fromCallable(() -> {
            int completed = 0;
            while (completed < chunk.size() && chunk.get(completed).acked) {
                completed++;
            }
            Throwable error = null;
            if (completed < chunk.size()) {
                InputRecord next = chunk.get(completed);
                error = next.error != null ? next.error : planningFailure;
                if (error == null) {
                    error = new IllegalStateException("not processed");
                }
            }
            return new ChunkResult(completed, error);
        }));
    }
}
