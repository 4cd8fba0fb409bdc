package com.betterdb.semanticcache;

import com.betterdb.semanticcache.config.ConfigParser;
import com.betterdb.semanticcache.config.RuntimeConfig;
import com.betterdb.semanticcache.cost.CostTable;
import com.betterdb.semanticcache.embed.EmbedPurpose;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.internal.Hashing;
import com.betterdb.semanticcache.internal.Json;
import com.betterdb.semanticcache.internal.JsNumberFormat;
import com.betterdb.semanticcache.internal.WindowMembers;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Prompt;
import com.betterdb.semanticcache.store.Bookkeeping;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import com.betterdb.semanticcache.store.IndexDescriptor;
import com.betterdb.semanticcache.store.SearchOutcome;
import com.betterdb.semanticcache.store.SearchRequest;
import com.betterdb.semanticcache.telemetry.CacheMetrics;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static com.betterdb.semanticcache.telemetry.ObservationNames.*;

/**
 * A semantic cache for LLM responses: finds a stored response whose prompt is close in meaning to a new one.
 * Reactor-native: every operation returns a {@link Mono} or {@link Flux} and nothing blocks.
 *
 * <pre>{@code
 * SemanticCache cache = SemanticCache.create(SemanticCacheOptions.builder()
 *         .store(CacheStores.valkey(redisClient))
 *         .embedFn(myEmbedder)
 *         .build());
 * cache.initialize()
 *      .then(cache.check("What is the capital of France?"))
 *      .subscribe(r -> ...);
 * }</pre>
 *
 * <p>The data it writes is the shared format of BetterDB's TypeScript and Python semantic-cache packages
 * ({@code docs/data-format.md}): a cache written by either is served by this one and the other way round.
 * Every decision rule of the spec lives in this class and {@link Decider}; the {@link CacheStore} only stores.
 *
 * <p>The caller owns the Valkey client. {@link #close()} stops the cache's timers and removes its heartbeat.
 */
public final class SemanticCache implements AutoCloseable {

    /** Reported in the discovery marker. */
    public static final String VERSION = "0.1.0";

    private static final Logger log = LoggerFactory.getLogger(SemanticCache.class);
    private static final int INVALIDATE_BATCH = 1000;
    private static final Duration HEARTBEAT_TTL = Duration.ofSeconds(60);
    /** How long a partly filled batch chunk waits for more elements from a slow stream. */
    private static final Duration CHUNK_LINGER = Duration.ofMillis(2);
    private static final String PROBE_TEXT = "probe";

    private final SemanticCacheOptions options;
    private final CacheKeys keys;
    private final CacheStore store;
    private final CacheMetrics metrics;
    private final ObservationRegistry observations;
    private final Embedder embedder;
    private final Decider decider;
    private final ThresholdAdvisor advisor;
    private final ReadThrough readThrough;
    private final EntryAccess entryAccess;
    private final CostTable costTable;
    private final RuntimeConfig initialConfig;
    private final AtomicReference<RuntimeConfig> config;

    /** The index once initialised; {@code null} before, and again after {@code flush()}. */
    private final AtomicReference<IndexDescriptor> index = new AtomicReference<>();
    private final AtomicReference<Mono<Void>> initInFlight = new AtomicReference<>();
    /** Bumped by flush(): an initialisation that started before a flush discards its result. */
    private final AtomicInteger generation = new AtomicInteger();
    private volatile boolean flushing;
    private volatile boolean closed;
    private final Scheduler timers;
    private volatile Disposable refreshTask;
    private volatile Disposable heartbeatTask;

    private SemanticCache(SemanticCacheOptions options) {
        this.options = options;
        this.keys = new CacheKeys(options.name());
        this.store = Objects.requireNonNull(options.store().open(keys), "store factory returned null");
        SemanticCacheOptions.Telemetry t = options.telemetry();
        this.metrics = new CacheMetrics(t.meterRegistry(), t.metricsPrefix(), options.name());
        this.observations = t.observationRegistry();
        this.embedder = new Embedder(store, options.embedFn(), options.batchEmbedFn(), options.embeddingCache(), metrics,
                () -> {
                    IndexDescriptor d = index.get();
                    return d == null ? 0 : d.dimension();
                });
        this.decider = new Decider(options.name(), options.uncertaintyBand(), metrics, this::nowMs);
        this.readThrough = new ReadThrough(this, metrics, new InFlightRegistry(options.coalescing()));
        this.entryAccess = new EntryAccess(store, embedder, keys, this::requireReady);
        this.costTable = CostTable.effective(options.useDefaultCostTable(), options.costTable());
        this.initialConfig = new RuntimeConfig(options.defaultThreshold(), options.categoryThresholds(),
                options.defaultTtl());
        this.config = new AtomicReference<>(initialConfig);
        this.advisor = new ThresholdAdvisor(store, config::get, options.uncertaintyBand());
        this.timers = Schedulers.newSingle("semantic-cache-" + options.name(), true);
    }

    /** Builds a cache. No I/O happens until {@link #initialize()}. */
    public static SemanticCache create(SemanticCacheOptions options) {
        return new SemanticCache(Objects.requireNonNull(options, "options"));
    }

    public String name() {
        return options.name();
    }

    public SemanticCacheOptions options() {
        return options;
    }

    /** The effective runtime configuration (constructor values overlaid with {@code {name}:__config}). */
    public RuntimeConfig currentConfig() {
        return config.get();
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /**
     * Finds or creates the index (creating it with the dimension of the embedding of {@code "probe"}), registers
     * the cache for discovery, applies {@code {name}:__config} once and starts its periodic refresh. Idempotent;
     * concurrent callers share one attempt; a failed attempt is retried by the next call.
     */
    public Mono<Void> initialize() {
        return Mono.defer(() -> {
            if (closed) {
                return Mono.error(new SemanticCacheUsageError("SemanticCache '" + name() + "' is closed."));
            }
            if (index.get() != null) {
                return Mono.empty();
            }
            Mono<Void> running = initInFlight.get();
            if (running != null) {
                return running;
            }
            int gen = generation.get();
            AtomicReference<Mono<Void>> self = new AtomicReference<>();
            Mono<Void> attempt = observed(OP_INITIALIZE, obs -> doInitialize(gen))
                    .doFinally(s -> initInFlight.compareAndSet(self.get(), null))
                    .cache();
            self.set(attempt);
            return initInFlight.compareAndSet(null, attempt) ? attempt : initialize();
        });
    }

    private Mono<Void> doInitialize(int gen) {
        Mono<Integer> probe = embedder.embed(PROBE_TEXT, EmbedPurpose.QUERY).map(e -> e.vector().length);
        return store.ensureIndex(probe)
                .flatMap(desc -> {
                    if (gen != generation.get()) {
                        return Mono.empty(); // flushed meanwhile: discard
                    }
                    // With refresh enabled, the first refresh runs here, so the config is in force on return.
                    Mono<Boolean> firstRefresh = options.configRefresh().enabled()
                            ? refreshConfig().doOnNext(ok -> {
                                if (!ok) {
                                    metrics.configRefreshFailed();
                                }
                            })
                            : Mono.empty();
                    return registerDiscovery(gen)
                            .then(firstRefresh)
                            .then(Mono.fromRunnable(() -> {
                                if (gen == generation.get()) {
                                    index.set(desc);
                                    startConfigRefresh();
                                } else {
                                    stopHeartbeat();
                                }
                            }));
                });
    }

    /**
     * Drops the index and deletes every entry, embedding-cache key, the stats, window and miss-pending keys, and
     * the heartbeat. Keeps {@code __config} and the discovery registry entry. Operations issued while it runs fail
     * with a {@link SemanticCacheUsageError}; call {@link #initialize()} afterwards.
     */
    public Mono<Void> flush() {
        return Mono.defer(() -> {
            flushing = true;
            index.set(null);
            generation.incrementAndGet();
            stopHeartbeat();
            Mono<Void> heartbeat = options.discovery().enabled()
                    ? store.deleteHeartbeat().onErrorResume(e -> {
                        log.warn("discovery: deleting the heartbeat of '{}' failed: {}", name(), e.toString());
                        return Mono.empty();
                    })
                    : Mono.empty();
            return heartbeat.then(store.flush());
        }).doFinally(s -> flushing = false);
    }

    /**
     * Stops the config refresh and the heartbeat, deletes the heartbeat key and closes the store. Completes when a
     * connection the store opened itself is closed, so the caller's Valkey client (which stays open) can be shut down
     * next. Safe to call repeatedly.
     */
    public Mono<Void> shutdown() {
        return Mono.defer(() -> {
            boolean wasClosed = closed;
            closed = true;
            Disposable r = refreshTask;
            if (r != null) {
                r.dispose();
            }
            stopHeartbeat();
            timers.dispose();
            if (wasClosed) {
                return Mono.empty();
            }
            Mono<Void> heartbeat = !options.discovery().enabled() ? Mono.empty() : store.deleteHeartbeat()
                    .onErrorResume(e -> {
                        log.warn("discovery: deleting the heartbeat of '{}' failed: {}", name(), e.toString());
                        return Mono.empty();
                    });
            // The store is closed on every first shutdown (it may own a connection), after the heartbeat is gone, and
            // the Mono completes once it is closed: the caller's client can be shut down right after.
            AtomicBoolean storeClosing = new AtomicBoolean();
            Mono<Void> closeStore = Mono.defer(() -> storeClosing.compareAndSet(false, true) ? store.closeAsync()
                    : Mono.<Void>empty()).onErrorResume(e -> {
                        log.warn("closing the store of '{}' failed: {}", name(), e.toString());
                        return Mono.empty();
                    });
            return heartbeat.then(closeStore).doOnCancel(() -> {
                if (storeClosing.compareAndSet(false, true)) {
                    store.close();
                }
            });
        });
    }

    /**
     * {@link #shutdown()}, waiting up to 5 s for the heartbeat deletion. From a non-blocking (Reactor) thread it does
     * not wait: subscribe to {@link #shutdown()} there instead.
     */
    @Override
    public void close() {
        Mono<Void> s = shutdown();
        if (Schedulers.isInNonBlockingThread()) {
            s.subscribe(null, e -> log.debug("shutdown failed", e));
        } else {
            try {
                s.block(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.warn("SemanticCache '{}' shutdown did not complete: {}", name(), e.toString());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ check

    public Mono<CacheResult> check(String prompt) {
        return check(Prompt.of(prompt), CheckOptions.defaults());
    }

    public Mono<CacheResult> check(String prompt, CheckOptions options) {
        return check(Prompt.of(prompt), options);
    }

    /**
     * Looks a prompt up (docs/decision-rules.md §4). Cost: one embedding (or embedding-cache read), one {@code FT.SEARCH},
     * and one pipelined flush of all bookkeeping writes (stats, window, miss-pending, TTL refresh, cost).
     */
    public Mono<CacheResult> check(Prompt prompt, CheckOptions options) {
        return checked(prompt, options).map(CheckDetail::result);
    }

    /** A lookup with its query vector and rule (the read-through path matches concurrent misses on these). */
    Mono<CheckDetail> checked(Prompt prompt, CheckOptions options) {
        Objects.requireNonNull(prompt, "prompt");
        CheckOptions opts = options == null ? CheckOptions.defaults() : options;
        return observed(OP_CHECK, obs -> Mono.defer(() -> {
            IndexDescriptor idx = requireReady("check");
            Decider.Lookup lookup = lookup(prompt, opts);
            Filter filter = filterFor(prompt, opts, idx);
            obs.highCardinalityKeyValue(CACHE_CATEGORY, lookup.category());
            return embedder.embed(lookup.text(), EmbedPurpose.QUERY)
                    .flatMap(e -> {
                        requireDimension(idx, e.vector());
                        obs.highCardinalityKeyValue(EMBEDDING_LATENCY_MS, Double.toString(e.embedNanos() / 1e6));
                        long searchStart = System.nanoTime();
                        return store.knn(e.vector(), opts.effectiveK(), filter)
                                .flatMap(rows -> {
                                    obs.highCardinalityKeyValue(SEARCH_LATENCY_MS,
                                            Double.toString((System.nanoTime() - searchStart) / 1e6));
                                    return decider.decide(lookup, rows, obs);
                                })
                                // The one bookkeeping flush of this check.
                                .flatMap(d -> recordQuietly(List.of(d.bookkeeping()))
                                        .thenReturn(detail(d.result(), e.vector(), lookup, filter)));
                    });
        }));
    }

    /**
     * Looks up a stream of prompts: results in input order, demand-driven, at most about
     * {@code maxInFlight + embedBatchSize} elements requested ahead of downstream demand. Prompts are processed in
     * chunks: one embedding-cache read and one (batch) embedding call per chunk, the chunk's {@code FT.SEARCH}
     * commands pipelined on the connection, and the chunk's bookkeeping in one flush. Rerank, judge and stale-model
     * eviction work as in {@link #check}; uncertain hits wait for the judge without delaying the other chunks.
     * A failed element becomes a {@link CacheResult#failed failed result} (default) or ends the stream
     * ({@link BatchOptions.ErrorMode#FAIL_FAST}).
     */
    public Flux<CacheResult> checkAll(Publisher<? extends Prompt> prompts, CheckOptions options, BatchOptions batch) {
        Objects.requireNonNull(prompts, "prompts");
        CheckOptions opts = options == null ? CheckOptions.defaults() : options;
        return checkAll(Flux.from(prompts).map(p -> new CheckRequest(p, opts)), batch);
    }

    /**
     * {@link #checkAll(Publisher, CheckOptions, BatchOptions)} with options per element (category, threshold, filter,
     * k, rerank, judge may differ from one element to the next).
     */
    public Flux<CacheResult> checkAll(Publisher<CheckRequest> requests, BatchOptions batch) {
        return checkAllDetailed(requests, batch, "checkAll").map(CheckDetail::result);
    }

    /**
     * {@link #checkAll(Publisher, BatchOptions)}, each result with the query vector the cache searched with, the
     * threshold in force and the distance up to which another prompt's answer may serve it ({@link CheckDetail}):
     * for callers that match lookups against each other (e.g. a miss waiting for the answer to a close prompt that
     * is already with the LLM) without embedding a prompt twice. Same cost, order, backpressure and error modes.
     */
    public Flux<CheckDetail> checkAllDetailed(Publisher<CheckRequest> requests, BatchOptions batch) {
        return checkAllDetailed(requests, batch, "checkAllDetailed");
    }

    private Flux<CheckDetail> checkAllDetailed(Publisher<CheckRequest> requests, BatchOptions batch, String method) {
        Objects.requireNonNull(requests, "requests");
        BatchOptions b = batch == null ? BatchOptions.defaults() : batch;
        int chunk = chunkSize(b);
        int concurrency = Math.max(1, b.maxInFlight() / chunk);
        return Flux.defer(() -> {
            IndexDescriptor idx = requireReady(method);
            Flux<CheckDetail> results = Flux.from(requests)
                    .bufferTimeout(chunk, CHUNK_LINGER, true)
                    .flatMapSequential(list -> checkChunk(list, b, idx, false), concurrency, 1)
                    .flatMapIterable(Function.identity());
            return b.errorMode() == BatchOptions.ErrorMode.FAIL_FAST ? failFast(results, d -> d.result().error())
                    : results;
        });
    }

    public Flux<CacheResult> checkAll(Publisher<? extends Prompt> prompts) {
        return checkAll(prompts, CheckOptions.defaults(), BatchOptions.defaults());
    }

    /** {@link #checkAll} over plain strings. */
    public Flux<CacheResult> checkAllText(Publisher<String> prompts, CheckOptions options, BatchOptions batch) {
        return checkAll(Flux.from(prompts).map(Prompt::of), options, batch);
    }

    /**
     * The reference packages' {@code checkBatch}: one list in, results in input order. A failed search of one
     * element counts as a miss for it (as in the reference packages); an embedding failure fails the whole call.
     */
    public Mono<List<CacheResult>> checkBatch(List<Prompt> prompts, CheckOptions options) {
        Objects.requireNonNull(prompts, "prompts");
        if (prompts.isEmpty()) {
            return Mono.fromCallable(() -> {
                requireReady("checkBatch");
                return List.of();
            });
        }
        CheckOptions opts = options == null ? CheckOptions.defaults() : options;
        BatchOptions b = BatchOptions.defaults();
        return Mono.defer(() -> {
            IndexDescriptor idx = requireReady("checkBatch");
            return Flux.fromIterable(prompts)
                    .map(p -> new CheckRequest(p, opts))
                    .buffer(chunkSize(b))
                    .flatMapSequential(list -> checkChunk(list, b, idx, true), Math.max(1, b.maxInFlight() / chunkSize(b)), 1)
                    .flatMapIterable(Function.identity())
                    .map(CheckDetail::result)
                    .transform(results -> failFast(results, CacheResult::error))
                    .collectList();
        });
    }

    /** Ends the stream with the first element's error instead of emitting the element. */
    private static <T> Flux<T> failFast(Flux<T> results, Function<T, Throwable> errorOf) {
        return results.handle((r, sink) -> {
            Throwable e = errorOf.apply(r);
            if (e != null) {
                sink.error(e);
            } else {
                sink.next(r);
            }
        });
    }

    private static int chunkSize(BatchOptions b) {
        // Several chunks in flight overlap their round trips; a chunk is at most one embedding batch.
        return Math.max(1, Math.min(b.embedBatchSize(), b.maxInFlight() / 4));
    }

    private Mono<List<CheckDetail>> checkChunk(List<CheckRequest> requests, BatchOptions b, IndexDescriptor idx,
                                               boolean searchErrorIsMiss) {
        return observed(OP_CHECK_BATCH, obs -> Mono.defer(() -> {
            int n = requests.size();
            obs.highCardinalityKeyValue(CACHE_BATCH_SIZE, Integer.toString(n));
            List<Decider.Lookup> lookups = new ArrayList<>(n);
            List<Filter> filters = new ArrayList<>(n);
            List<String> texts = new ArrayList<>(n);
            for (CheckRequest r : requests) {
                Decider.Lookup l = lookup(r.prompt(), r.options());
                lookups.add(l);
                filters.add(filterFor(r.prompt(), r.options(), idx));
                texts.add(l.text());
            }
            Object[] slots = new Object[n]; // float[] vector, or Throwable
            return embedder.embedAll(texts, b.embedBatchSize(), b.embedConcurrency(), EmbedPurpose.QUERY).flatMap(embedded -> {
                List<Integer> searchable = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    Object e = embedded.get(i);
                    if (e instanceof float[] v && v.length != idx.dimension()) {
                        e = dimensionMismatch(idx, v);
                    }
                    slots[i] = e;
                    if (e instanceof float[]) {
                        searchable.add(i);
                    }
                }
                List<SearchRequest> searchRequests = new ArrayList<>(searchable.size());
                for (int i : searchable) {
                    searchRequests.add(new SearchRequest((float[]) slots[i], requests.get(i).options().effectiveK(),
                            filters.get(i)));
                }
                Mono<List<SearchOutcome>> searches = searchRequests.isEmpty() ? Mono.just(List.of())
                        : store.knnAll(searchRequests).collectList();
                return searches.flatMap(outcomes -> {
                    Object[] rows = new Object[n]; // List<Candidate>, or Throwable
                    for (int i = 0; i < n; i++) {
                        if (slots[i] instanceof Throwable t) {
                            rows[i] = t;
                        }
                    }
                    for (int j = 0; j < searchable.size(); j++) {
                        SearchOutcome o = outcomes.get(j);
                        rows[searchable.get(j)] = o.error() == null ? o.candidates() : o.error();
                    }
                    return Flux.range(0, n)
                            .flatMapSequential(i -> decideElement(lookups.get(i), rows[i], searchErrorIsMiss),
                                    b.judgeConcurrency())
                            .collectList();
                });
            }).flatMap(decisions -> {
                List<Bookkeeping> writes = new ArrayList<>(decisions.size());
                List<CheckDetail> results = new ArrayList<>(decisions.size());
                for (int i = 0; i < decisions.size(); i++) {
                    Decider.Decision d = decisions.get(i);
                    results.add(detail(d.result(), slots[i] instanceof float[] v ? v : null, lookups.get(i),
                            filters.get(i)));
                    if (d.bookkeeping() != null) {
                        writes.add(d.bookkeeping());
                    }
                }
                // The chunk's bookkeeping, coalesced into one flush.
                return recordQuietly(writes).thenReturn(results);
            });
        }));
    }

    private Mono<Decider.Decision> decideElement(Decider.Lookup lookup, Object rowsOrError, boolean searchErrorIsMiss) {
        if (rowsOrError instanceof Throwable t) {
            if (searchErrorIsMiss && !(t instanceof EmbeddingError) && !(t instanceof SemanticCacheUsageError)) {
                metrics.request("miss", lookup.category());
                return Mono.just(new Decider.Decision(CacheResult.miss(),
                        new Bookkeeping(false, nowMs(), null, null, null, null, 0, null)));
            }
            return Mono.just(new Decider.Decision(CacheResult.failed(t), null));
        }
        @SuppressWarnings("unchecked")
        List<Candidate> rows = (List<Candidate>) rowsOrError;
        return decider.decide(lookup, rows, Observation.NOOP)
                .onErrorResume(e -> Mono.just(new Decider.Decision(CacheResult.failed(e), null)));
    }

    // ------------------------------------------------------------------------------------------------ read-through

    public Mono<ComputeResult> getOrCompute(String prompt, Function<? super Prompt, ? extends Mono<Answer>> llm) {
        return getOrCompute(Prompt.of(prompt), llm, GetOrComputeOptions.defaults());
    }

    public Mono<ComputeResult> getOrCompute(String prompt, Function<? super Prompt, ? extends Mono<Answer>> llm,
                                            GetOrComputeOptions options) {
        return getOrCompute(Prompt.of(prompt), llm, options);
    }

    /**
     * Read-through: looks the prompt up and returns the cached response on a hit; on a miss calls {@code llm} once
     * (lazily, on subscription), stores its answer with the answer's model and token usage (so cost tracking works)
     * and returns it. An LLM error reaches the caller and nothing is stored. A cache failure is answered around by
     * calling the LLM unless {@link GetOrComputeOptions#failOpen()} is off.
     */
    public Mono<ComputeResult> getOrCompute(Prompt prompt, Function<? super Prompt, ? extends Mono<Answer>> llm,
                                            GetOrComputeOptions options) {
        return readThrough.getOrCompute(prompt, llm, options);
    }

    // ------------------------------------------------------------------------------------------------ store

    public Mono<String> store(String prompt, String response) {
        return store(Prompt.of(prompt), response, StoreOptions.defaults());
    }

    public Mono<String> store(String prompt, String response, StoreOptions options) {
        return store(Prompt.of(prompt), response, options);
    }

    /**
     * Stores a response (docs/decision-rules.md §11): one {@code HSET} with every field of the entry hash, then the TTL, then
     * (when a cost was computed) the back-fill of a recent miss's window member. Returns the entry key.
     */
    public Mono<String> store(Prompt prompt, String response, StoreOptions options) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(response, "response");
        return storeOne(OP_STORE, prompt, response, null, options == null ? StoreOptions.defaults() : options);
    }

    /**
     * Stores a multi-part response: {@code response} is the text blocks of {@code blocks} joined by a space, and the
     * blocks are kept as JSON in {@code content_blocks}, returned by a hit as {@link CacheResult#contentBlocks()}.
     */
    public Mono<String> storeMultipart(Prompt prompt, List<? extends ContentBlock> blocks, StoreOptions options) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(blocks, "blocks");
        List<ContentBlock> copy = List.copyOf(blocks);
        return storeOne(OP_STORE_MULTIPART, prompt, Prompt.textOf(copy), copy,
                options == null ? StoreOptions.defaults() : options);
    }

    public Mono<String> storeMultipart(String prompt, List<? extends ContentBlock> blocks, StoreOptions options) {
        return storeMultipart(Prompt.of(prompt), blocks, options);
    }

    private Mono<String> storeOne(String op, Prompt prompt, String response, List<ContentBlock> blocks,
                                  StoreOptions o) {
        return observed(op, obs -> Mono.defer(() -> {
            IndexDescriptor idx = requireReady(op);
            return embedder.embed(prompt.text(), EmbedPurpose.DOCUMENT).flatMap(e -> {
                requireDimension(idx, e.vector());
                PreparedEntry p = prepare(prompt, response, blocks, o, e.vector());
                obs.highCardinalityKeyValue(CACHE_KEY, p.key);
                obs.highCardinalityKeyValue(CACHE_TTL, p.ttl == null ? "-1" : Long.toString(p.ttl.toSeconds()));
                obs.highCardinalityKeyValue(CACHE_CATEGORY, o.category().isEmpty() ? "none" : o.category());
                obs.highCardinalityKeyValue(CACHE_MODEL, o.model().isEmpty() ? "none" : o.model());
                obs.highCardinalityKeyValue(EMBEDDING_LATENCY_MS, Double.toString(e.embedNanos() / 1e6));
                Mono<Void> backfill = p.costMicros.isPresent()
                        ? backfill(store.pendingMisses(nowMs()), prompt.text(), p.costMicros.getAsLong())
                        : Mono.empty();
                return store.putEntry(p.key, p.record, p.ttl).then(backfill).thenReturn(p.key);
            });
        }));
    }

    /**
     * Stores a stream of entries, for backfills: chunks of {@code embedBatchSize} are embedded together (one
     * embedding-cache read per chunk) and written in one pipelined flush ({@code HSET} + {@code EXPIRE} each).
     * Results come in input order. A failed element is a {@link StoreResult#failed failed result} (default) or ends
     * the stream ({@link BatchOptions.ErrorMode#FAIL_FAST}).
     */
    public Flux<StoreResult> storeAll(Publisher<StoreRequest> requests, BatchOptions batch) {
        Objects.requireNonNull(requests, "requests");
        BatchOptions b = batch == null ? BatchOptions.defaults() : batch;
        int chunk = chunkSize(b);
        int concurrency = Math.max(1, b.maxInFlight() / chunk);
        return Flux.defer(() -> {
            IndexDescriptor idx = requireReady("storeAll");
            Flux<StoreResult> results = Flux.from(requests)
                    .bufferTimeout(chunk, CHUNK_LINGER, true)
                    .flatMapSequential(list -> storeChunk(list, b, idx), concurrency, 1)
                    .flatMapIterable(Function.identity());
            return b.errorMode() == BatchOptions.ErrorMode.FAIL_FAST ? failFast(results, StoreResult::error) : results;
        });
    }

    private Mono<List<StoreResult>> storeChunk(List<StoreRequest> requests, BatchOptions b, IndexDescriptor idx) {
        return observed(OP_STORE_BATCH, obs -> Mono.defer(() -> {
            obs.highCardinalityKeyValue(CACHE_BATCH_SIZE, Integer.toString(requests.size()));
            List<String> texts = requests.stream().map(r -> r.prompt().text()).toList();
            return embedder.embedAll(texts, b.embedBatchSize(), b.embedConcurrency(), EmbedPurpose.DOCUMENT).flatMap(embedded -> {
                int n = requests.size();
                StoreResult[] out = new StoreResult[n];
                List<PreparedEntry> prepared = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    StoreRequest r = requests.get(i);
                    Object e = embedded.get(i);
                    try {
                        if (e instanceof Throwable t) {
                            throw t instanceof RuntimeException re ? re : new EmbeddingError(t);
                        }
                        float[] v = (float[]) e;
                        requireDimension(idx, v);
                        PreparedEntry p = prepare(r.prompt(), r.response(), null, r.options(), v);
                        prepared.add(p);
                        out[i] = StoreResult.stored(p.key);
                    } catch (RuntimeException ex) {
                        out[i] = StoreResult.failed(ex);
                    }
                }
                if (prepared.isEmpty()) {
                    return Mono.just(List.of(out));
                }
                Mono<Void> write = store.putEntries(
                        prepared.stream().map(p -> p.key).toList(),
                        prepared.stream().map(p -> p.record).toList(),
                        prepared.stream().map(p -> p.ttl).toList());
                List<PreparedEntry> costed = prepared.stream().filter(p -> p.costMicros.isPresent()).toList();
                Mono<Void> backfills = costed.isEmpty() ? Mono.empty()
                        : store.pendingMisses(nowMs()).onErrorReturn(List.of()).cache()
                        .flatMap(pending -> pending.isEmpty() ? Mono.empty()
                                : Flux.fromIterable(costed)
                                .concatMap(p -> backfill(Mono.just(pending), p.text, p.costMicros.getAsLong()))
                                .then());
                return write.then(backfills).thenReturn(List.of(out));
            });
        }));
    }

    private record PreparedEntry(String key, String text, EntryRecord record, Duration ttl, OptionalLong costMicros) {
    }

    /** The entry hash of docs/data-format.md §3, in the TypeScript package's field order. */
    private PreparedEntry prepare(Prompt prompt, String response, List<ContentBlock> blocks, StoreOptions o,
                                  float[] vector) {
        UUID id = o.entryId() != null ? o.entryId() : UUID.randomUUID();
        String key = keys.entryKey(id.toString());
        OptionalLong cost = costTable.costMicros(o.model(), o.inputTokens(), o.outputTokens());
        Map<String, String> f = new LinkedHashMap<>();
        f.put("prompt", prompt.text());
        f.put("response", response);
        f.put("model", o.model());
        f.put("category", o.category());
        f.put("inserted_at", Long.toString(nowMs()));
        f.put("metadata", Json.write(o.metadata()));
        if (blocks != null) {
            f.put("content_blocks", Json.writeBlocks(blocks));
        }
        if (!prompt.binaryRefs().isEmpty()) {
            f.put("binary_refs", String.join(",", prompt.binaryRefs()));
        }
        if (cost.isPresent() && cost.getAsLong() > 0) {
            f.put("cost_micros", Long.toString(cost.getAsLong()));
        }
        if (o.temperature() != null) {
            f.put("temperature", JsNumberFormat.format(o.temperature()));
        }
        if (o.topP() != null) {
            f.put("top_p", JsNumberFormat.format(o.topP()));
        }
        if (o.seed() != null) {
            f.put("seed", Long.toString(o.seed()));
        }
        Duration ttl = o.ttl() != null ? o.ttl() : config.get().defaultTtl();
        return new PreparedEntry(key, prompt.text(), new EntryRecord(f, Float32.encode(vector)), ttl, cost);
    }

    /**
     * The TypeScript package's miss-pending back-fill (docs/decision-rules.md §10): the window member of a recent miss for
     * the same prompt gets the cost of the response now stored. Best-effort: errors are swallowed.
     */
    private Mono<Void> backfill(Mono<List<String>> pendingMisses, String text, long costMicros) {
        String cid = Hashing.correlationId(text);
        return pendingMisses
                .flatMap(pending -> {
                    for (String entry : pending) {
                        if (cid.equals(WindowMembers.pendingCorrelationId(entry))) {
                            return Mono.just(entry);
                        }
                    }
                    return Mono.empty();
                })
                .flatMap(entry -> {
                    String member = WindowMembers.pendingWindowMember(entry);
                    if (member == null) {
                        return store.removePending(entry);
                    }
                    return store.windowScore(member)
                            .flatMap(score -> {
                                String updated = Double.isFinite(score) ? WindowMembers.withCost(member, costMicros) : null;
                                return updated == null ? store.removePending(entry)
                                        : store.replaceWindowMember(member, updated, score, entry);
                            })
                            .switchIfEmpty(store.removePending(entry));
                })
                .onErrorResume(e -> {
                    log.debug("miss-pending back-fill failed (ignored)", e);
                    return Mono.empty();
                })
                .then();
    }

    // ------------------------------------------------------------------------------------------------ invalidation

    /**
     * Deletes up to 1000 entries matching {@code filter}; {@code truncated} tells whether more may remain. Typed
     * filters ({@link Filter#tag}, ...) escape their values; {@link Filter#raw} is trusted input only.
     */
    public Mono<InvalidateResult> invalidate(Filter filter) {
        Objects.requireNonNull(filter, "filter");
        return observed(OP_INVALIDATE, obs -> Mono.defer(() -> {
            requireReady("invalidate");
            obs.highCardinalityKeyValue(CACHE_FILTER, filter.toQuery());
            return store.deleteMatching(filter, INVALIDATE_BATCH).map(n -> {
                InvalidateResult r = new InvalidateResult(n, n >= INVALIDATE_BATCH);
                obs.highCardinalityKeyValue(CACHE_DELETED_COUNT, Long.toString(r.deleted()));
                obs.highCardinalityKeyValue(CACHE_TRUNCATED, Boolean.toString(r.truncated()));
                return r;
            });
        }));
    }

    /** {@link #invalidate(Filter)} with raw valkey-search syntax. Trusted input only: it is sent verbatim. */
    public Mono<InvalidateResult> invalidate(String rawFilter) {
        return invalidate(Filter.raw(rawFilter));
    }

    /** Deletes every entry stored with {@code model}, in batches until none is left; returns the count. */
    public Mono<Long> invalidateByModel(String model) {
        return invalidateAll(Filter.model(model));
    }

    /** Deletes every entry stored with {@code category}, in batches until none is left; returns the count. */
    public Mono<Long> invalidateByCategory(String category) {
        return invalidateAll(Filter.category(category));
    }

    private Mono<Long> invalidateAll(Filter filter) {
        return invalidate(filter)
                .expand(r -> r.truncated() ? invalidate(filter) : Mono.empty())
                .map(InvalidateResult::deleted)
                .reduce(0L, Long::sum);
    }

    // ------------------------------------------------------------------------------------------------ whole entries

    /**
     * A page of the entries matching {@code filter}, oldest first ({@code inserted_at} ascending): {@code FT.SEARCH
     * <filter> SORTBY inserted_at ASC LIMIT offset limit}, the paging the reference packages' adapters use. For
     * adapters that keep their own records in the cache; it is not a lookup, so it records no stats. The filter must
     * name a field (e.g. {@code Filter.category(...)}): valkey-search 1.2.1 rejects a bare {@code *} query here.
     * Failure: {@link ValkeyCommandError} ({@code FT.SEARCH}).
     */
    public Mono<List<CacheEntry>> entries(Filter filter, int offset, int limit) {
        return entryAccess.page(filter, offset, limit);
    }

    /**
     * The entries matching {@code filter} nearest to {@code text}, closest first, at most {@code limit}, keeping only
     * those within {@code threshold} (cosine distance): one embedding (through the embedding cache) and one KNN
     * {@code FT.SEARCH}. Not a lookup: no stats, no window, no TTL refresh. Each entry carries the fields a lookup
     * reads ({@code prompt}, {@code response}, {@code model}, {@code category}, {@code cost_micros},
     * {@code content_blocks}).
     */
    public Mono<List<CacheEntry>> similarEntries(String text, int limit, Filter filter, double threshold) {
        return entryAccess.similar(text, limit, filter, threshold);
    }

    /**
     * Deletes the given entries of this cache ({@code DEL}); returns how many existed. Every key must be an entry
     * key of this cache ({@code {name}:entry:<id>}), else the call fails with {@link SemanticCacheUsageError} and
     * deletes nothing. An empty collection sends no command.
     */
    public Mono<Long> deleteEntries(java.util.Collection<String> entryKeys) {
        return entryAccess.delete(entryKeys);
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** Counters of {@code {name}:__stats}. */
    public Mono<CacheStats> stats() {
        return Mono.defer(() -> {
            requireReady("stats");
            return store.readStats().map(h -> CacheStats.of(
                    parseLong(h.get("hits")), parseLong(h.get("misses")), parseLong(h.get("total")),
                    parseLong(h.get("cost_saved_micros"))));
        });
    }

    /**
     * Whether lookups require a prompt's binary refs on the entries they match: the index has the {@code binary_refs}
     * attribute. Every index this library and the TypeScript/Python packages create has it; one created by an old
     * package version may not, and then binary refs are stored but not matched (docs/data-format.md). No I/O: the
     * answer is the index found by {@link #initialize()}, which must have completed.
     */
    public boolean matchesBinaryRefs() {
        return requireReady("matchesBinaryRefs").hasBinaryRefs();
    }

    /** Index name, document count, dimension and indexing state. */
    public Mono<IndexInfo> indexInfo() {
        return Mono.defer(() -> {
            IndexDescriptor idx = requireReady("indexInfo");
            return store.indexStats().map(s -> new IndexInfo(keys.indexName(), s.numDocs(), idx.dimension(),
                    s.indexingState() == null ? "unknown" : s.indexingState()));
        });
    }

    /**
     * Analyses the similarity window (docs/decision-rules.md §16) for one category ({@code null} = all lookups) and
     * recommends tightening, loosening or keeping the threshold: the label-free reference analysis
     * ({@link ThresholdAdvice#reference(int)}). Reads window members written by the TypeScript and the Python
     * packages alike.
     */
    public Mono<ThresholdEffectiveness> thresholdEffectiveness(String category, int minSamples) {
        return thresholdEffectiveness(category, ThresholdAdvice.reference(minSamples));
    }

    /**
     * {@link #thresholdEffectiveness(String, int)} with a choice of analysis: the reference one, or
     * {@link ThresholdAdvice#judgeLabelled(double)}, which recommends the threshold for a target precision from the
     * LLM judge's recorded verdicts and reports how many it used ({@link ThresholdEffectiveness#labels()}).
     */
    public Mono<ThresholdEffectiveness> thresholdEffectiveness(String category, ThresholdAdvice advice) {
        Objects.requireNonNull(advice, "advice");
        return Mono.defer(() -> {
            requireReady("thresholdEffectiveness");
            return advisor.analyze(category, advice);
        });
    }

    /**
     * The aggregate analysis first, then one per category found in the window, first seen first. As in the
     * TypeScript package, a category counts when any JSON member names it, even one that is not a valid sample.
     */
    public Mono<List<ThresholdEffectiveness>> thresholdEffectivenessAll(int minSamples) {
        return thresholdEffectivenessAll(ThresholdAdvice.reference(minSamples));
    }

    /** {@link #thresholdEffectivenessAll(int)} with a choice of analysis (see {@link ThresholdAdvice}). */
    public Mono<List<ThresholdEffectiveness>> thresholdEffectivenessAll(ThresholdAdvice advice) {
        Objects.requireNonNull(advice, "advice");
        return Mono.defer(() -> {
            requireReady("thresholdEffectivenessAll");
            return advisor.analyzeAll(advice);
        });
    }

    // ------------------------------------------------------------------------------------------------ config

    /**
     * Re-reads {@code {name}:__config} and applies it over the constructor values (docs/decision-rules.md §14). Emits
     * {@code false} (and changes nothing) when the read fails. Does not require initialisation.
     */
    public Mono<Boolean> refreshConfig() {
        return store.readConfig()
                .map(hash -> {
                    config.set(ConfigParser.apply(initialConfig, hash));
                    return true;
                })
                .onErrorResume(e -> {
                    log.warn("config refresh of '{}' failed: {}", name(), e.toString());
                    return Mono.just(false);
                });
    }

    private void startConfigRefresh() {
        SemanticCacheOptions.ConfigRefresh cr = options.configRefresh();
        if (!cr.enabled() || closed || refreshTask != null) {
            return;
        }
        synchronized (this) {
            if (refreshTask != null) {
                return;
            }
            // The first refresh ran inside initialize(); then one per interval. A failed run is counted.
            refreshTask = Flux.interval(cr.interval(), cr.interval(), timers)
                    .onBackpressureDrop()
                    .concatMap(t -> refreshConfig(), 1)
                    .subscribe(ok -> {
                        if (!ok) {
                            metrics.configRefreshFailed();
                        }
                    }, e -> log.error("config refresh loop of '{}' stopped", name(), e));
        }
    }

    // ------------------------------------------------------------------------------------------------ discovery

    private Mono<Void> registerDiscovery(int gen) {
        SemanticCacheOptions.Discovery d = options.discovery();
        if (!d.enabled()) {
            return Mono.empty();
        }
        return Discovery.register(this, store, metrics, config.get(), options, keys)
                .then(Mono.fromRunnable(() -> {
                    if (gen == generation.get() && !closed) {
                        startHeartbeat(d.heartbeatInterval());
                    }
                }));
    }

    private synchronized void startHeartbeat(Duration interval) {
        stopHeartbeat();
        heartbeatTask = Flux.interval(interval, interval, timers)
                .onBackpressureDrop()
                .concatMap(t -> store.writeHeartbeat(Discovery.now(), HEARTBEAT_TTL)
                        .onErrorResume(e -> {
                            metrics.discoveryWriteFailed();
                            log.warn("discovery: heartbeat of '{}' failed: {}", name(), e.toString());
                            return Mono.empty();
                        }), 1)
                .subscribe();
    }

    private synchronized void stopHeartbeat() {
        Disposable h = heartbeatTask;
        heartbeatTask = null;
        if (h != null) {
            h.dispose();
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Decider.Lookup lookup(Prompt prompt, CheckOptions o) {
        RuntimeConfig cfg = config.get();
        String category = o.category();
        double threshold;
        if (o.threshold() != null) {
            threshold = o.threshold();
        } else if (!category.isEmpty() && cfg.categoryThresholds().containsKey(category)) {
            threshold = cfg.categoryThresholds().get(category);
        } else {
            threshold = cfg.defaultThreshold();
        }
        return new Decider.Lookup(prompt.text(), category, threshold, o, cfg.defaultTtl());
    }

    private CheckDetail detail(CacheResult result, float[] vector, Decider.Lookup lookup, Filter filter) {
        // With a judge, only distances served without asking it may share an answer unasked.
        double join = lookup.options().judge() == null ? lookup.threshold()
                : Math.nextDown(lookup.threshold() - options.uncertaintyBand());
        return new CheckDetail(result, vector, lookup.threshold(), lookup.category(), filter, join);
    }

    /** User filter AND one {@code binary_refs} clause per ref (only when the index has the attribute). */
    private static Filter filterFor(Prompt prompt, CheckOptions o, IndexDescriptor idx) {
        List<Filter> parts = new ArrayList<>();
        if (o.filter() != null && !(o.filter() instanceof Filter.All)) {
            parts.add(o.filter());
        }
        if (idx.hasBinaryRefs()) {
            for (String ref : prompt.binaryRefs()) {
                parts.add(Filter.tag("binary_refs", ref));
            }
        }
        if (parts.isEmpty()) {
            return Filter.all();
        }
        return parts.size() == 1 ? parts.get(0) : Filter.and(parts.toArray(Filter[]::new));
    }

    private IndexDescriptor requireReady(String method) {
        if (closed) {
            throw new SemanticCacheUsageError("SemanticCache '" + name() + "' is closed; " + method + "() is unavailable.");
        }
        if (flushing) {
            throw new SemanticCacheUsageError("flush() is in progress on '" + name() + "'; call initialize() after it"
                    + " completes before " + method + "().");
        }
        IndexDescriptor idx = index.get();
        if (idx == null) {
            throw new SemanticCacheUsageError("SemanticCache.initialize() must be called before " + method + "().");
        }
        return idx;
    }

    static void requireDimension(IndexDescriptor idx, float[] v) {
        if (v.length != idx.dimension()) {
            throw dimensionMismatch(idx, v);
        }
    }

    private static SemanticCacheUsageError dimensionMismatch(IndexDescriptor idx, float[] v) {
        return new SemanticCacheUsageError("Embedding dimension mismatch: index expects " + idx.dimension()
                + ", embedFn returned " + v.length + ". Call flush() then initialize() to rebuild.");
    }

    private Mono<Void> recordQuietly(List<Bookkeeping> writes) {
        if (writes.isEmpty()) {
            return Mono.empty();
        }
        return store.record(writes).onErrorResume(e -> {
            log.warn("bookkeeping writes of '{}' failed (stats/window are best-effort): {}", name(), e.toString());
            return Mono.empty();
        });
    }

    long nowMs() {
        return options.clock().millis();
    }

    private static long parseLong(String s) {
        if (s == null) {
            return 0;
        }
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Runs {@code body} inside an observation {@code semantic_cache.<op>} and times it in the operation histogram. */
    private <T> Mono<T> observed(String op, Function<Observation, Mono<T>> body) {
        return Mono.deferContextual(ctx -> {
            Observation parent = ctx.getOrDefault(ObservationThreadLocalAccessorKey.KEY, null);
            Observation obs = Observation.createNotStarted(PREFIX + op, observations)
                    .lowCardinalityKeyValue(SCOPE_NAME, options.telemetry().tracerName())
                    .lowCardinalityKeyValue(CACHE_NAME, name());
            if (parent != null) {
                obs.parentObservation(parent);
            }
            obs.start();
            long start = System.nanoTime();
            Runnable finish = () -> {
                metrics.operation(op, System.nanoTime() - start);
                obs.stop();
            };
            return body.apply(obs)
                    .doOnSuccess(v -> finish.run())
                    .doOnError(e -> {
                        obs.error(e);
                        finish.run();
                    })
                    .doOnCancel(obs::stop)
                    .contextWrite(c -> c.put(ObservationThreadLocalAccessorKey.KEY, obs));
        });
    }

    /** The Reactor-context key Micrometer uses for the current observation. */
    private static final class ObservationThreadLocalAccessorKey {
        static final String KEY = "micrometer.observation";
    }
}
