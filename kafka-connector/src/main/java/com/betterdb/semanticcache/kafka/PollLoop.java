package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.kafka.ChunkPipeline.ChunkResult;
import com.betterdb.semanticcache.kafka.PartitionState.Role;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
import java.util.LinkedHashMap;
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
    /** Async commits leave at most this often (without waiting for the previous one's answer). */
    private static final long COMMIT_SPACING_MS = 5;
    private static final long COMMIT_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(COMMIT_SPACING_MS);

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
    private long stopDeadline;
    private long lastPurge = System.nanoTime();
    private long lastExpire = System.nanoTime();
    /** When the last async commit left. */
    private long lastCommit;
    /** When the last poll returned; a gap longer than the session timeout means this process was paused. */
    private long lastPollReturn;
    private final long sessionTimeoutNanos;

    PollLoop(SemanticCacheProcessorConfig config, SemanticCache cache, Consumer<byte[], byte[]> consumer,
             Producer<byte[], byte[]> producer, ChunkPipeline pipeline, OutputSender sender, Scheduler workScheduler,
             Scheduler sendScheduler, ProcessorMetrics metrics, OutcomeSink outcomes, InFlight inFlight, LlmTimeouts llm,
             Coalescer coalescer) {
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
                if (stopRequested) {
                    if (stopDeadline == 0) {
                        stopDeadline = System.nanoTime() + config.stopTimeout().toNanos();
                        coalescer.releaseAll(); // a reply may be slow: parked prompts ask the LLM themselves
                    } else if (drained() || System.nanoTime() - stopDeadline > 0) {
                        break;
                    }
                }
                admit();
                dispatch();
                fireLlmTimeouts();
                expireParked();
                commitAsync();
                updatePause();
                ConsumerRecords<byte[], byte[]> records = poll(nextPollTimeout());
                if (crashed) {
                    break;
                }
                if (resumedAfterLongPause() && !membershipConfirmed()) {
                    setBack(records);
                    continue;
                }
                accept(records);
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

    /**
     * After a pause longer than the session timeout (a stop-the-world pause, SIGSTOP, a suspended VM) the group has
     * most likely given this member's partitions to another, but the consumer does not know it yet: its poll still
     * returns records. A synchronous commit of the current commit points tells: it fails when the member is fenced.
     */
    private boolean membershipConfirmed() {
        Map<TopicPartition, OffsetAndMetadata> offsets = offsets(partitions.values(), false);
        if (offsets.isEmpty()) {
            return true;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                consumer.commitSync(offsets, Duration.ofSeconds(10));
                return true;
            } catch (WakeupException e) {
                // a completion woke the consumer; ask again
            } catch (RuntimeException e) {
                log.warn("semantic-cache processor {}: resumed after a pause longer than the session timeout and no "
                        + "longer a member of the group ({}); records polled are left to their owner",
                        config.clientId(), FailureCodes.of(e));
                return false;
            }
        }
        return false;
    }

    /** Processes nothing more: each partition goes back to its first record not started, read again if still ours. */
    private void setBack(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            first.put(tp, records.records(tp).get(0).offset());
        }
        for (PartitionState ps : partitions.values()) {
            if (!ps.waiting.isEmpty()) {
                first.put(ps.tp, ps.waiting.peek().offset());
                ps.waiting.clear();
            }
            int before = ps.pending.size();
            long dropped = ps.dropUnstarted();
            if (dropped >= 0) {
                first.put(ps.tp, dropped);
                inFlight.release(ps.tp, before - ps.pending.size());
            }
        }
        Set<TopicPartition> assigned = consumer.assignment();
        first.forEach((tp, offset) -> {
            if (assigned.contains(tp)) {
                consumer.seek(tp, offset);
            }
        });
    }

    private void runControl() {
        Runnable r;
        while ((r = control.poll()) != null) {
            r.run();
        }
    }

    /**
     * Takes the polled records: into their partitions as far as they have room, the rest waits in the partition (it
     * is paused until they fit). Nothing polled is dropped and fetched again, and the in-flight bounds hold exactly.
     */
    private void accept(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            PartitionState ps = partitions.get(tp);
            if (ps == null || ps.revoking) {
                continue; // not ours any more: not processed, not committed; the owner reads it again
            }
            int from = 0;
            while (from < list.size() && list.get(from).offset() < ps.replayUntil) {
                llm.settleReplayed(list.get(from));
                ps.doneTimestampMs = Math.max(ps.doneTimestampMs, list.get(from).timestamp());
                from++;
            }
            if (from < list.size()) {
                metrics.polled(tp.topic(), list.size() - from);
                ps.waiting.addAll(list.subList(from, list.size()));
            }
        }
        admit();
    }

    /** Moves waiting records into their partitions, as far as each has room. */
    private void admit() {
        long now = System.nanoTime();
        for (PartitionState ps : partitions.values()) {
            if (ps.waiting.isEmpty() || ps.revoking) {
                continue;
            }
            int take = Math.min(ps.waiting.size(), ps.role == Role.REQUESTS ? llm.room() : inFlight.room(ps.tp));
            if (take == 0) {
                continue;
            }
            if (log.isDebugEnabled()) {
                log.debug("semantic-cache processor {}: takes {} records of {} from offset {}", config.clientId(),
                        take, ps.tp, ps.waiting.peek().offset());
            }
            for (int i = 0; i < take; i++) {
                ConsumerRecord<byte[], byte[]> r = ps.waiting.poll();
                if (ps.role == Role.REQUESTS) {
                    llm.onRequest(r);
                } else {
                    ps.accept(new InputRecord(r, now, ps));
                }
            }
            if (ps.role != Role.REQUESTS) {
                inFlight.add(ps.tp, take);
            }
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
            for (LlmTimeouts.Action a : llm.due(ps.tp.partition(), repliesKnownUntil(ps))) {
                Mono.fromRunnable(() -> producer.send(a.record(), (md, ex) -> post(() -> onActionDone(a, ex))))
                        .subscribeOn(sendScheduler)
                        .subscribe(v -> { }, ex -> post(() -> onActionDone(a, ex)));
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
        llm.acted(a);
        if (!a.last()) {
            metrics.llmRerequest();
            outcomes.emit(new ProcessingOutcome(ProcessingOutcome.Kind.LLM_RETRY, config.llmRequestsTopic(),
                    a.partition(), a.pending().offset, a.id(), null, 0, "attempt " + (a.pending().attempt + 1)));
        }
    }

    // ------------------------------------------------------------------------------------------------ commits

    private Map<TopicPartition, OffsetAndMetadata> offsets(Collection<PartitionState> states, boolean onlyDirty) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        for (PartitionState ps : states) {
            if (ps.role == Role.REQUESTS) {
                ps.commitAt(llm.commitPoint(ps.tp.partition()));
            }
            if (ps.commit != null && (ps.dirty || !onlyDirty)) {
                offsets.put(ps.tp, ps.commit);
                ps.dirty = false;
            }
        }
        return offsets;
    }

    /**
     * Commits what finished since the last commit, as it finishes: at most every {@value #COMMIT_SPACING_MS} ms, so
     * that a crash duplicates little (what was acknowledged and not yet committed) without a commit per record.
     */
    private void commitAsync() {
        long now = System.nanoTime();
        if (now - lastCommit < COMMIT_SPACING_NANOS) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = offsets(partitions.values(), true);
        if (!offsets.isEmpty()) {
            lastCommit = now;
            consumer.commitAsync(offsets, (o, e) -> {
                if (e != null) {
                    log.warn("semantic-cache processor {}: offset commit failed (records may be redelivered): {}",
                            config.clientId(), e.toString());
                }
            });
        }
    }

    private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                consumer.commitSync(offsets, Duration.ofSeconds(10));
                return;
            } catch (WakeupException e) {
                // A completion woke the consumer; try again.
            } catch (RuntimeException e) {
                log.warn("semantic-cache processor {}: offset commit failed (records may be redelivered): {}",
                        config.clientId(), e.toString());
                return;
            }
        }
    }

    /** Pauses exactly the partitions without room (all of them when stopping), resumes the others. */
    private void updatePause() {
        Set<TopicPartition> assignment = consumer.assignment();
        if (assignment.isEmpty()) {
            return;
        }
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        for (TopicPartition tp : assignment) {
            PartitionState ps = partitions.get(tp);
            boolean full = stopRequested || ps == null || !ps.waiting.isEmpty()
                    || (ps.role == Role.REQUESTS ? llm.room() == 0 : inFlight.room(tp) == 0);
            if (full && !paused.contains(tp)) {
                pause.add(tp);
            } else if (!full && paused.contains(tp)) {
                resume.add(tp);
            }
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
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
                commitSync(offsets(partitions.values(), false));
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
                commitSync(offsets(states, false));
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
            for (TopicPartition tp : lost) {
                forget(tp);
            }
            log.warn("semantic-cache processor {}: lost {} (not committed)", config.clientId(), lost);
        }

        private void forget(TopicPartition tp) {
            PartitionState ps = partitions.remove(tp);
            inFlight.forget(tp);
            if (ps != null && ps.role != Role.PROMPTS) {
                llm.forget(tp.partition());
            }
        }
    }
}
