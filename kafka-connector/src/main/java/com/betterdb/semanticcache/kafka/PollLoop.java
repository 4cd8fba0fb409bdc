package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.kafka.ChunkPipeline.ChunkResult;
import com.betterdb.semanticcache.kafka.PartitionState.Role;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The one thread that owns the consumer. It polls, hands the next chunk of every partition with work to the
 * {@link ChunkPipeline} in one dispatch (one chunk per partition at a time, so outputs follow input order), learns
 * through a queue which chunks were handed to the producer and which records were acknowledged, commits each
 * partition's finished prefix as it grows, pauses each partition whose share of the in-flight budget is used up,
 * retries failed records in place after a backoff, and fires the LLM timeouts and parking deadlines that are due.
 */
final class PollLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);
    private static final long PURGE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long EXPIRE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final SemanticCacheProcessorConfig config;
    private final SemanticCache cache;
    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final ChunkPipeline pipeline;
    private final Scheduler workScheduler;
    private final Scheduler sendScheduler;
    private final ProcessorMetrics metrics;
    private final OutcomeSink outcomes;
    private final InFlight inFlight;
    private final LlmTimeouts llm;
    private final Coalescer coalescer;
    private final StartPositions startPositions;
    private final Admission admission;
    private final Commits commits;
    private final Transactions tx;

    private final LinkedBlockingQueue<Runnable> control = new LinkedBlockingQueue<>();
    /** Records whose send failed (from the producer's thread), to retry. */
    private final ConcurrentLinkedQueue<InputRecord> failedSends = new ConcurrentLinkedQueue<>();
    /** An acknowledgement arrived since the poll thread last advanced the commit points. */
    private final AtomicBoolean progress = new AtomicBoolean();
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    final CompletableFuture<Void> terminated = new CompletableFuture<>();

    private volatile boolean stopRequested;
    private volatile boolean crashed;
    private volatile boolean inPoll;
    private volatile boolean running;
    /** Exactly-once mode: work acknowledged since the last commit started. */
    private boolean uncommitted;
    /** Exactly-once mode: the transaction was aborted; the records are to be read again from the committed offsets. */
    private Throwable rewindPending;
    /** Exactly-once mode: the transactional producer cannot go on. */
    private Throwable txFailure;
    /** Exactly-once mode: the producer is closed (the consumer's close revokes its partitions after it). */
    private boolean producerClosed;
    private long stopDeadline;
    private long lastPurge = System.nanoTime();
    private long lastExpire = System.nanoTime();
    /** When the last poll returned; a gap longer than the session timeout means this process was paused. */
    private long lastPollReturn;
    /** Set after a pause longer than the session timeout, until a commit shows this consumer still in the group. */
    private boolean membershipInDoubt;
    private final long sessionTimeoutNanos;

    PollLoop(SemanticCacheProcessorConfig config, SemanticCache cache, Consumer<byte[], byte[]> consumer,
             Producer<byte[], byte[]> producer, ChunkPipeline pipeline, OutputSender sender, Scheduler workScheduler,
             Scheduler sendScheduler, ProcessorMetrics metrics, OutcomeSink outcomes, InFlight inFlight, LlmTimeouts llm,
             Coalescer coalescer, Transactions tx) {
        this.config = config;
        this.cache = cache;
        this.consumer = consumer;
        this.producer = producer;
        this.pipeline = pipeline;
        this.workScheduler = workScheduler;
        this.sendScheduler = sendScheduler;
        this.metrics = metrics;
        this.outcomes = outcomes;
        this.inFlight = inFlight;
        this.llm = llm;
        this.coalescer = coalescer;
        this.startPositions = new StartPositions(config, consumer, llm);
        this.admission = new Admission(config, consumer, partitions, inFlight, llm, metrics);
        this.commits = new Commits(config, consumer, llm);
        this.tx = tx;
        tx.loop(new Transactions.Loop() {
            @Override
            public void post(Runnable r) {
                PollLoop.this.post(r);
            }

            @Override
            public Transactions.Points points(int generation) {
                return crashed ? null : transactionPoints(generation);
            }

            @Override
            public void aborted(Throwable cause) {
                rewindPending = cause; // handled by the loop, never inside a rebalance callback or a stop
            }

            @Override
            public void failed(Throwable cause) {
                txFailure = cause;
            }
        });
        sender.listener(new OutputSender.Listener() {
            @Override
            public void acknowledged(InputRecord in) {
                signalProgress();
            }

            @Override
            public void sendFailed(InputRecord in) {
                failedSends.add(in);
                signalProgress();
            }
        });
        Object session = config.consumerProperties().get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
        this.sessionTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(session == null ? 45_000
                : Long.parseLong(session.toString().trim()));
    }

    String clientId() {
        return config.clientId();
    }

    boolean isRunning() {
        return running;
    }

    void requestStop() {
        stopRequested = true;
        consumer.wakeup();
    }

    /** Simulates a crash: no more processing, no commit, clients closed without waiting. */
    void crash() {
        crashed = true;
        stopRequested = true;
        consumer.wakeup();
    }

    /** Stopping: nothing polled is waiting for work, a lookup, an acknowledgement or an LLM reply. */
    private boolean drained() {
        if (inFlight.total() > 0 || coalescer.parked() > 0) {
            return false;
        }
        for (PartitionState ps : partitions.values()) {
            if (!ps.pending.isEmpty() || ps.sending()) {
                return false;
            }
        }
        return true;
    }

    /** Parked prompts whose output is known now go back to their partitions' work. Callable from any thread. */
    void requeue(List<InputRecord> released) {
        post(() -> {
            Map<PartitionState, List<InputRecord>> byPartition = new HashMap<>();
            for (InputRecord in : released) {
                if (partitions.get(in.owner.tp) == in.owner) { // else: reassigned since, read again by the owner
                    byPartition.computeIfAbsent(in.owner, k -> new ArrayList<>()).add(in);
                }
            }
            byPartition.forEach(PartitionState::requeue);
        });
    }

    /** At most one pending wake-up for any number of acknowledgements. */
    private void signalProgress() {
        if (progress.compareAndSet(false, true)) {
            post(this::onProgress);
        }
    }

    /** Runs {@code r} on the poll thread. Callable from any thread. */
    private void post(Runnable r) {
        control.add(r);
        if (inPoll) {
            consumer.wakeup();
        }
    }

    @Override
    public void run() {
        running = true;
        Throwable failure = null;
        try {
            if (!initializeCache()) {
                return;
            }
            new StartupChecks(config, consumer).run();
            tx.init();
            List<String> topics = new ArrayList<>();
            topics.add(config.promptsTopic());
            if (config.llmRepliesTopic() != null) {
                topics.add(config.llmRepliesTopic());
            }
            if (llm.enabled()) {
                topics.add(config.llmRequestsTopic());
            }
            consumer.subscribe(topics, new Rebalance());
            log.info("semantic-cache processor {} started: {}", config.clientId(), config);
            while (!crashed) {
                runControl();
                if (txFailure != null) {
                    throw new IllegalStateException("the transactional producer failed: " + FailureCodes.of(txFailure),
                            txFailure);
                }
                if (rewindPending != null) {
                    rewind(rewindPending);
                }
                if (stopRequested) {
                    if (stopDeadline == 0) {
                        stopDeadline = System.nanoTime() + config.stopTimeout().toNanos();
                        coalescer.releaseAll(); // a reply may be slow: parked prompts ask the LLM themselves
                    } else if (drained() || System.nanoTime() - stopDeadline > 0) {
                        break;
                    }
                }
                if (!stopRequested) {
                    admission.admit(); // records that waited for room; when stopping they are left to the next owner
                }
                dispatch();
                fireLlmTimeouts();
                expireParked();
                if (!tx.enabled()) {
                    commits.async(partitions.values());
                } else if (uncommitted && tx.maybeCommit()) {
                    uncommitted = false;
                }
                admission.updatePause(stopRequested);
                ConsumerRecords<byte[], byte[]> records = poll(nextPollTimeout());
                if (crashed) {
                    break;
                }
                // (In exactly-once mode the group fences a stale member's transactional commit, which aborts.)
                if (resumedAfterLongPause() && !tx.enabled()) {
                    membershipInDoubt = true;
                }
                // Stays in doubt until a commit succeeds: the poll that noticed the pause may return nothing and
                // the next one the stale position's records, before the consumer has learnt it lost the partition.
                if (membershipInDoubt) {
                    if (!commits.membershipConfirmed(partitions.values())) {
                        admission.setBack(records);
                        continue;
                    }
                    membershipInDoubt = false;
                }
                admission.accept(records);
                dispatch();
            }
        } catch (WakeupException e) {
            if (!stopRequested) {
                failure = e;
            } // else: stopped while starting
        } catch (Throwable t) {
            failure = t;
            if (!crashed) {
                log.error("semantic-cache processor {} failed: {}", config.clientId(), t.toString(), t);
            }
        } finally {
            close(failure);
        }
    }

    private boolean initializeCache() {
        long backoff = Math.max(1, config.retryBackoff().toMillis());
        while (!stopRequested) {
            try {
                cache.initialize().block(Duration.ofSeconds(30));
                return true;
            } catch (RuntimeException e) {
                log.warn("semantic-cache processor {}: cache initialisation failed, retrying in {} ms: {}",
                        config.clientId(), backoff, e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                backoff = Math.min(backoff * 2, Math.max(1, config.maxRetryBackoff().toMillis()));
            }
        }
        return false;
    }

    private Duration nextPollTimeout() {
        long timeout = config.pollTimeout().toNanos();
        long now = System.nanoTime();
        for (PartitionState ps : partitions.values()) {
            if (ps.busy == null && !ps.pending.isEmpty()) {
                timeout = Math.min(timeout, Math.max(0, ps.notBeforeNanos - now));
            }
        }
        if (stopRequested) {
            timeout = Math.min(timeout, TimeUnit.MILLISECONDS.toNanos(20));
        }
        return Duration.ofNanos(timeout);
    }

    private ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        if (!control.isEmpty()) {
            timeout = Duration.ZERO;
        }
        inPoll = true;
        try {
            if (!control.isEmpty()) {
                timeout = Duration.ZERO; // a completion arrived before inPoll was set
            }
            return consumer.poll(timeout);
        } catch (WakeupException e) {
            return ConsumerRecords.empty();
        } finally {
            inPoll = false;
        }
    }

    private boolean resumedAfterLongPause() {
        long now = System.nanoTime();
        boolean paused = lastPollReturn != 0 && now - lastPollReturn > sessionTimeoutNanos;
        lastPollReturn = now;
        return paused;
    }

    private void runControl() {
        Runnable r;
        while ((r = control.poll()) != null) {
            r.run();
        }
    }

    /**
     * Starts the next chunk of every partition with work that is not busy or backing off: one dispatch for the
     * prompts partitions (one lookup for all of them), one for the replies partitions.
     */
    private void dispatch() {
        if (crashed) {
            return;
        }
        long now = System.nanoTime();
        List<PartitionState> prompts = new ArrayList<>();
        List<PartitionState> replies = new ArrayList<>();
        for (PartitionState ps : partitions.values()) {
            if (ps.busy != null || ps.pending.isEmpty() || now - ps.notBeforeNanos < 0) {
                continue;
            }
            if (ps.revoking && ps.pending.stream().anyMatch(in -> in.output == null)) {
                continue; // handing over: only outputs already planned (released parked prompts) still go out
            }
            int n = Math.min(config.chunkSize(), ps.pending.size());
            List<InputRecord> chunk = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                InputRecord in = ps.pending.poll();
                in.started = true;
                chunk.add(in);
            }
            ps.busy = chunk;
            (ps.role == Role.PROMPTS ? prompts : replies).add(ps);
        }
        start(prompts, pipeline::prompts);
        start(replies, pipeline::replies);
    }

    private void start(List<PartitionState> states, Function<List<List<InputRecord>>, Mono<List<ChunkResult>>> work) {
        if (states.isEmpty()) {
            return;
        }
        List<List<InputRecord>> chunks = new ArrayList<>(states.size());
        for (PartitionState ps : states) {
            chunks.add(ps.busy);
        }
        Mono.defer(() -> work.apply(chunks)).subscribeOn(workScheduler).subscribe(
                results -> post(() -> {
                    for (int i = 0; i < states.size(); i++) {
                        onChunkDone(states.get(i), chunks.get(i), results.get(i));
                    }
                }),
                e -> post(() -> {
                    for (int i = 0; i < states.size(); i++) {
                        onChunkDone(states.get(i), chunks.get(i), new ChunkResult(0, e));
                    }
                }));
    }

    /** A chunk was handed over up to {@code r.handled()}; the rest goes back to the work, after a backoff. */
    private void onChunkDone(PartitionState ps, List<InputRecord> chunk, ChunkResult r) {
        if (partitions.get(ps.tp) != ps || ps.busy != chunk) {
            return; // abandoned by a rebalance; its in-flight count was released then
        }
        ps.busy = null;
        int handled = r.handled();
        if (log.isDebugEnabled()) {
            log.debug("semantic-cache processor {}: {} chunk of {} handed over {}", config.clientId(), ps.tp,
                    chunk.size(), handled);
        }
        if (handled >= chunk.size()) {
            ps.failures = 0;
            return;
        }
        retry(ps, chunk.subList(handled, chunk.size()), r.error());
    }

    /**
     * {@code rest} (in offset order) failed at its first record with {@code error}: back to the head of the work,
     * after a backoff; dead-lettered after {@code maxProcessingAttempts}. Not retried while stopping or handing over.
     */
    private void retry(PartitionState ps, List<InputRecord> rest, Throwable error) {
        if (stopRequested || ps.revoking) {
            // Left unfinished, so uncommitted: read again later.
            inFlight.release(ps.tp, rest.size());
            return;
        }
        InputRecord failed = rest.get(0);
        failed.attempts++;
        ps.failures++;
        long backoffMs = Math.min(config.maxRetryBackoff().toMillis(),
                config.retryBackoff().toMillis() << Math.min(20, ps.failures - 1));
        ps.notBeforeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
        String code = FailureCodes.of(error);
        if (config.maxProcessingAttempts() > 0 && failed.attempts >= config.maxProcessingAttempts()) {
            failed.forcedDeadLetter = code;
        }
        ps.requeue(rest);
        metrics.retry(ps.tp.topic());
        outcomes.emit(new ProcessingOutcome(ProcessingOutcome.Kind.RETRY, ps.tp.topic(), ps.tp.partition(),
                failed.offset(), null, null, System.nanoTime() - failed.polledNanos, code));
        log.warn("semantic-cache processor {}: {} offset {} failed (attempt {}), retrying in {} ms: {}",
                config.clientId(), ps.tp, failed.offset(), failed.attempts, backoffMs, code);
        // The exception may quote the input (an embedder's message): never above DEBUG.
        log.debug("semantic-cache processor {}: {} offset {} failure", config.clientId(), ps.tp, failed.offset(), error);
    }

    /** Acknowledgements arrived: commit points move; failed sends go back for a retry. */
    private void onProgress() {
        progress.set(false);
        uncommitted = true;
        InputRecord failed;
        while ((failed = failedSends.poll()) != null) {
            PartitionState ps = failed.owner;
            if (partitions.get(ps.tp) == ps) {
                retry(ps, List.of(failed), failed.error);
            }
        }
        for (PartitionState ps : partitions.values()) {
            if (ps.role != Role.REQUESTS) {
                int finished = ps.advance();
                if (finished > 0) {
                    inFlight.release(ps.tp, finished);
                }
            }
        }
    }

    private void expireParked() {
        long now = System.nanoTime();
        if (coalescer.enabled() && now - lastExpire > EXPIRE_INTERVAL_NANOS) {
            lastExpire = now;
            coalescer.expire();
        }
    }

    // ------------------------------------------------------------------------------------------------ LLM timeouts

    private void fireLlmTimeouts() {
        if (!llm.enabled() || stopRequested) {
            return;
        }
        for (PartitionState ps : partitions.values()) {
            if (ps.role != Role.REPLIES || ps.revoking) {
                continue;
            }
            int gen = ps.generation;
            for (LlmTimeouts.Action a : llm.due(ps.tp.partition(), repliesKnownUntil(ps))) {
                Mono.fromRunnable(() -> {
                            if (tx.enabled() && gen != tx.generation()) {
                                return; // aborted since: the timers are read again
                            }
                            producer.send(a.record(), (md, ex) -> {
                                if (ex != null && tx.enabled()) {
                                    tx.requestAbort(gen, ex);
                                }
                                post(() -> onActionDone(a, ex));
                            });
                        })
                        .subscribeOn(sendScheduler)
                        .subscribe(v -> { }, ex -> {
                            if (tx.enabled()) {
                                tx.requestAbort(gen, ex);
                            }
                            post(() -> onActionDone(a, ex));
                        });
            }
        }
        if (System.nanoTime() - lastPurge > PURGE_INTERVAL_NANOS) {
            llm.purge();
            lastPurge = System.nanoTime();
        }
    }

    /**
     * The time up to which the replies of this partition are known: now when it is read to the end with nothing
     * unfinished, else the timestamp of the newest finished reply. A backlog of replies is thus never taken for
     * missing replies.
     */
    private long repliesKnownUntil(PartitionState replies) {
        if (replies.outstanding() == 0) {
            OptionalLong lag = consumer.currentLag(replies.tp);
            if (lag.isPresent() && lag.getAsLong() == 0) {
                return System.currentTimeMillis();
            }
        }
        return replies.doneTimestampMs;
    }

    private void onActionDone(LlmTimeouts.Action a, Throwable ex) {
        if (ex != null) {
            String code = FailureCodes.of(ex);
            metrics.sendError(a.record().topic(), code);
            log.warn("semantic-cache processor {}: LLM timeout of {} not written, retrying: {}", config.clientId(),
                    a.record().topic() + "-" + a.partition(), code);
            llm.actionFailed(a);
            return;
        }
        metrics.produced(a.record().topic());
        uncommitted = true;
        llm.acted(a);
        if (!a.last()) {
            metrics.llmRerequest();
            outcomes.emit(new ProcessingOutcome(ProcessingOutcome.Kind.LLM_RETRY, config.llmRequestsTopic(),
                    a.partition(), a.pending().offset, a.id(), null, 0, "attempt " + (a.pending().attempt + 1)));
        }
    }

    private void close(Throwable failure) {
        running = false;
        try {
            if (crashed) {
                closeQuietly(() -> producer.close(Duration.ZERO));
                closeQuietly(() -> consumer.close(CloseOptions.timeout(Duration.ZERO)));
            } else {
                if (inFlight.total() > 0) {
                    log.warn("semantic-cache processor {}: stopping with {} records unfinished (not committed)",
                            config.clientId(), inFlight.total());
                }
                onProgress();
                if (!tx.enabled()) {
                    commits.sync(partitions.values());
                } else if (txFailure == null) {
                    commitTransactionNow();
                }
                producerClosed = true;
                closeQuietly(() -> producer.close(Duration.ofSeconds(10)));
                closeQuietly(() -> consumer.close(CloseOptions.timeout(Duration.ofSeconds(5))));
                log.info("semantic-cache processor {} stopped", config.clientId());
            }
        } finally {
            partitions.clear();
            inFlight.clear();
            outcomes.complete();
            if (failure != null && !crashed) {
                terminated.completeExceptionally(failure);
            } else {
                terminated.complete(null);
            }
        }
    }

    private void closeQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.debug("close failed", e);
        }
    }

    /** Runs inside {@code poll()}, on the poll thread. */
    private final class Rebalance implements org.apache.kafka.clients.consumer.ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (assigned.isEmpty()) {
                return;
            }
            startPositions.apply(assigned, partitions);
            int gen = tx.generation();
            assigned.forEach(tp -> partitions.get(tp).generation = gen);
            coalescer.repliesAssigned(assigned.stream().filter(tp -> partitions.get(tp).role == Role.REPLIES)
                    .map(TopicPartition::partition).toList());
            log.info("semantic-cache processor {}: assigned {}", config.clientId(), assigned);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (crashed || revoked.isEmpty()) {
                return;
            }
            boolean wasInPoll = inPoll;
            inPoll = false;
            try {
                List<PartitionState> states = new ArrayList<>();
                List<Integer> replies = new ArrayList<>();
                for (TopicPartition tp : revoked) {
                    PartitionState ps = partitions.get(tp);
                    if (ps != null) {
                        states.add(ps);
                        ps.revoking = true;
                        ps.waiting.clear();
                        // Not started, or waiting for a lookup again: left to the new owner.
                        int before = ps.pending.size();
                        ps.pending.removeIf(in -> in.output == null);
                        inFlight.release(tp, before - ps.pending.size());
                        if (ps.role == Role.REPLIES) {
                            replies.add(tp.partition());
                        }
                    }
                }
                // Parked prompts of these partitions ask the LLM themselves, so that the records after them commit;
                // requests whose replies another instance reads now cannot answer anyone here.
                Set<PartitionState> handedOver = new HashSet<>(states);
                coalescer.releaseFollowers(in -> handedOver.contains(in.owner));
                coalescer.repliesRevoked(replies);
                long deadline = System.nanoTime() + config.revokeTimeout().toNanos();
                while (System.nanoTime() - deadline < 0) {
                    runControl();
                    dispatch();
                    onProgress();
                    if (states.stream().noneMatch(ps -> ps.sending() || !ps.pending.isEmpty())) {
                        break;
                    }
                    try {
                        Runnable r = control.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                        if (r != null) {
                            r.run();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                if (tx.enabled()) {
                    if (!producerClosed && txFailure == null) {
                        commitTransactionNow(); // every partition's point: the transaction holds their outputs too
                    }
                } else {
                    commits.sync(states);
                }
                for (PartitionState ps : states) {
                    if (ps.sending()) {
                        log.warn("semantic-cache processor {}: {} revoked with records unfinished; the new owner "
                                + "processes them again", config.clientId(), ps.tp);
                    }
                    forget(ps.tp);
                }
                log.info("semantic-cache processor {}: revoked {}", config.clientId(), revoked);
            } finally {
                inPoll = wasInPoll;
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            coalescer.repliesRevoked(lost.stream().filter(tp -> partitions.containsKey(tp)
                    && partitions.get(tp).role == Role.REPLIES).map(TopicPartition::partition).toList());
            Set<TopicPartition> gone = new HashSet<>(lost);
            coalescer.forgetFollowers(in -> gone.contains(in.owner.tp));
            for (TopicPartition tp : lost) {
                forget(tp);
            }
            if (tx.enabled() && !lost.isEmpty()) {
                // The open transaction may hold outputs of the lost partitions' records, which the new owner
                // processes again: abort it, and read the partitions still ours again from their committed offsets.
                tx.requestAbort(tx.generation(), new IllegalStateException("partitions lost"));
            }
            log.warn("semantic-cache processor {}: lost {} (not committed)", config.clientId(), lost);
        }
    }

    private void forget(TopicPartition tp) {
        PartitionState ps = partitions.remove(tp);
        inFlight.forget(tp);
        if (ps != null && ps.role != Role.PROMPTS) {
            llm.forget(tp.partition());
        }
    }

    // ------------------------------------------------------------------------------------------------ exactly-once

    /**
     * The commit points of the records of transaction generation {@code generation} (poll thread). Every record they
     * pass has its outputs acknowledged, so in the open transaction or an earlier one; records of an aborted
     * generation never count.
     */
    private Transactions.Points transactionPoints(int generation) {
        onProgress();
        List<PartitionState> current = new ArrayList<>();
        for (PartitionState ps : partitions.values()) {
            if (ps.generation == generation) {
                current.add(ps);
            }
        }
        // Every point each time: a commit that fails is aborted and read again, so none is ever skipped.
        Map<TopicPartition, OffsetAndMetadata> offsets = commits.points(current, true);
        return new Transactions.Points(offsets, consumer.groupMetadata());
    }

    /** Commits the open transaction with every commit point and waits (a rebalance, a stop). */
    private void commitTransactionNow() {
        int gen = tx.generation();
        CompletableFuture<Boolean> done = tx.commitNow(gen, transactionPoints(gen));
        long deadline = System.nanoTime() + config.revokeTimeout().toNanos();
        // The send thread may be in a periodic commit, asking this thread for its points: keep answering.
        while (!done.isDone() && System.nanoTime() - deadline < 0) {
            try {
                Runnable r = control.poll(5, TimeUnit.MILLISECONDS);
                if (r != null) {
                    r.run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!Boolean.TRUE.equals(done.getNow(false))) {
            log.warn("semantic-cache processor {}: transaction not committed; its records are processed again",
                    config.clientId());
        }
    }

    /**
     * The transaction was aborted: every record polled is forgotten (its outputs were discarded with the
     * transaction, or are dropped on their way), and the partitions are read again from their committed offsets,
     * as if newly assigned.
     */
    private void rewind(Throwable cause) {
        rewindPending = null;
        coalescer.releaseAll(Coalescer.Release.ABORTED);
        List<Integer> replies = new ArrayList<>();
        for (PartitionState ps : partitions.values()) {
            if (ps.role == Role.REPLIES) {
                replies.add(ps.tp.partition());
            }
        }
        coalescer.repliesRevoked(replies);
        coalescer.forgetFollowers(in -> true);
        for (TopicPartition tp : new ArrayList<>(partitions.keySet())) {
            forget(tp);
        }
        Set<TopicPartition> assigned = consumer.assignment();
        if (!assigned.isEmpty()) {
            startPositions.apply(assigned, partitions);
            int gen = tx.generation();
            assigned.forEach(tp -> partitions.get(tp).generation = gen);
            coalescer.repliesAssigned(assigned.stream().filter(tp -> partitions.get(tp).role == Role.REPLIES)
                    .map(TopicPartition::partition).toList());
        }
        log.warn("semantic-cache processor {}: transaction aborted ({}); reading {} again from the committed offsets",
                config.clientId(), FailureCodes.of(cause), assigned);
    }
}
