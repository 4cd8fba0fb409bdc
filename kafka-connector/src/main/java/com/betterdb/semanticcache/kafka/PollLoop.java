package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.kafka.ChunkPipeline.ChunkResult;
import com.betterdb.semanticcache.kafka.ChunkPipeline.In;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one thread that owns the consumer. It polls, hands chunks of each partition to the {@link ChunkPipeline}
 * (one chunk per partition at a time, so outputs follow input order), takes the finished prefixes back through a
 * queue, commits their offsets, pauses the partitions when too many records are in flight, and retries failed
 * records in place after a backoff.
 */
final class PollLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);

    /** Per assigned partition; touched only by the poll thread. */
    private static final class PartitionState {
        final TopicPartition tp;
        final boolean prompts;
        final ArrayDeque<In> pending = new ArrayDeque<>();
        List<In> busy;
        long notBeforeNanos;
        int failures;
        Long commitOffset;
        /** Offset of the first record polled in this assignment; null before. */
        Long firstPolled;
        boolean dirty;
        boolean revoking;

        PartitionState(TopicPartition tp, boolean prompts) {
            this.tp = tp;
            this.prompts = prompts;
        }
    }

    private final SemanticCacheProcessorConfig config;
    private final SemanticCache cache;
    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final ChunkPipeline pipeline;
    private final Scheduler workScheduler;
    private final ProcessorMetrics metrics;
    private final OutcomeSink outcomes;
    private final AtomicInteger inFlight;
    private final AtomicInteger maxObservedInFlight = new AtomicInteger();
    private final int effectiveMaxPoll;

    private final LinkedBlockingQueue<Runnable> control = new LinkedBlockingQueue<>();
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    /**
     * First unprocessed offset of partitions given up with polled records dropped. If the same partition comes
     * back, the consumer may keep its fetch position past those records, so it is sought back explicitly.
     */
    private final Map<TopicPartition, Long> resumeFrom = new HashMap<>();
    final CompletableFuture<Void> terminated = new CompletableFuture<>();

    private volatile boolean stopRequested;
    private volatile boolean crashed;
    private volatile boolean inPoll;
    private volatile boolean running;
    private long stopDeadline;

    PollLoop(SemanticCacheProcessorConfig config, SemanticCache cache, Consumer<byte[], byte[]> consumer,
             Producer<byte[], byte[]> producer, ChunkPipeline pipeline, Scheduler workScheduler,
             ProcessorMetrics metrics, OutcomeSink outcomes, AtomicInteger inFlight) {
        this.config = config;
        this.cache = cache;
        this.consumer = consumer;
        this.producer = producer;
        this.pipeline = pipeline;
        this.workScheduler = workScheduler;
        this.metrics = metrics;
        this.outcomes = outcomes;
        this.inFlight = inFlight;
        this.effectiveMaxPoll = Math.min(config.maxPollRecords(), config.maxInFlight());
    }

    int maxObservedInFlight() {
        return maxObservedInFlight.get();
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
            List<String> topics = new ArrayList<>();
            topics.add(config.promptsTopic());
            if (config.llmRepliesTopic() != null) {
                topics.add(config.llmRepliesTopic());
            }
            consumer.subscribe(topics, new Listener());
            log.info("semantic-cache processor {} started: {}", config.clientId(), config);
            while (!crashed) {
                runControl();
                if (stopRequested) {
                    if (stopDeadline == 0) {
                        stopDeadline = System.nanoTime() + config.stopTimeout().toNanos();
                    }
                    if (inFlight.get() == 0 || System.nanoTime() - stopDeadline > 0) {
                        break;
                    }
                }
                dispatch();
                commitAsync();
                updatePause();
                ConsumerRecords<byte[], byte[]> records = poll(nextPollTimeout());
                if (crashed) {
                    break;
                }
                accept(records);
                dispatch();
            }
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

    private void runControl() {
        Runnable r;
        while ((r = control.poll()) != null) {
            r.run();
        }
    }

    private void accept(ConsumerRecords<byte[], byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            PartitionState ps = partitions.get(tp);
            if (ps == null || ps.revoking) {
                // Not ours any more: not processed, not committed; the owner reads it again.
                continue;
            }
            if (ps.firstPolled == null) {
                ps.firstPolled = list.get(0).offset();
            }
            for (ConsumerRecord<byte[], byte[]> r : list) {
                ps.pending.add(new In(r, now));
            }
            metrics.polled(tp.topic(), list.size());
            if (log.isDebugEnabled()) {
                log.debug("semantic-cache processor {}: polled {} records of {} from offset {}", config.clientId(),
                        list.size(), tp, list.get(0).offset());
            }
            int n = inFlight.addAndGet(list.size());
            maxObservedInFlight.accumulateAndGet(n, Math::max);
        }
    }

    private void dispatch() {
        if (crashed) {
            return;
        }
        long now = System.nanoTime();
        for (PartitionState ps : partitions.values()) {
            if (ps.busy != null || ps.pending.isEmpty() || ps.revoking || now - ps.notBeforeNanos < 0) {
                continue;
            }
            int n = Math.min(config.chunkSize(), ps.pending.size());
            List<In> chunk = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                chunk.add(ps.pending.poll());
            }
            ps.busy = chunk;
            Mono<ChunkResult> work = ps.prompts ? pipeline.prompts(chunk) : pipeline.replies(chunk);
            work.subscribeOn(workScheduler).subscribe(
                    r -> post(() -> onChunkDone(ps, chunk, r)),
                    e -> post(() -> onChunkDone(ps, chunk, new ChunkResult(0, e))));
        }
    }

    private void onChunkDone(PartitionState ps, List<In> chunk, ChunkResult r) {
        if (partitions.get(ps.tp) != ps || ps.busy != chunk) {
            return; // abandoned by a rebalance; its in-flight count was released then
        }
        ps.busy = null;
        int done = r.completed();
        if (log.isDebugEnabled()) {
            log.debug("semantic-cache processor {}: {} chunk of {} finished {}", config.clientId(), ps.tp,
                    chunk.size(), done);
        }
        if (done > 0) {
            ps.commitOffset = chunk.get(done - 1).record.offset() + 1;
            ps.dirty = true;
            inFlight.addAndGet(-done);
        }
        if (done >= chunk.size()) {
            ps.failures = 0;
            return;
        }
        List<In> rest = chunk.subList(done, chunk.size());
        if (stopRequested || ps.revoking) {
            // Not retried while stopping or handing the partition over: left uncommitted, read again later.
            inFlight.addAndGet(-rest.size());
            return;
        }
        In failed = rest.get(0);
        failed.attempts++;
        ps.failures++;
        long backoffMs = Math.min(config.maxRetryBackoff().toMillis(),
                config.retryBackoff().toMillis() << Math.min(20, ps.failures - 1));
        ps.notBeforeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
        String detail = r.error() == null ? "unknown" : r.error().getClass().getName();
        if (config.maxProcessingAttempts() > 0 && failed.attempts >= config.maxProcessingAttempts()) {
            failed.forcedDeadLetter = detail;
        }
        for (int i = rest.size() - 1; i >= 0; i--) {
            ps.pending.addFirst(rest.get(i));
        }
        metrics.retry(ps.tp.topic());
        outcomes.emit(new ProcessingOutcome(ProcessingOutcome.Kind.RETRY, ps.tp.topic(), ps.tp.partition(),
                failed.record.offset(), null, null, System.nanoTime() - failed.polledNanos, detail));
        log.warn("semantic-cache processor {}: {} offset {} failed (attempt {}), retrying in {} ms: {}",
                config.clientId(), ps.tp, failed.record.offset(), failed.attempts, backoffMs,
                r.error() == null ? "unknown" : r.error().toString());
    }

    private Map<TopicPartition, OffsetAndMetadata> offsets(Collection<PartitionState> states, boolean onlyDirty) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        for (PartitionState ps : states) {
            if (ps.commitOffset != null && (ps.dirty || !onlyDirty)) {
                offsets.put(ps.tp, new OffsetAndMetadata(ps.commitOffset));
                ps.dirty = false;
            }
        }
        return offsets;
    }

    private void rememberResume(PartitionState ps) {
        Long resume = ps.commitOffset != null ? ps.commitOffset : ps.firstPolled;
        if (resume != null) {
            resumeFrom.put(ps.tp, resume);
        }
    }

    private void commitAsync() {
        Map<TopicPartition, OffsetAndMetadata> offsets = offsets(partitions.values(), true);
        if (!offsets.isEmpty()) {
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

    private void updatePause() {
        Set<TopicPartition> assignment = consumer.assignment();
        if (assignment.isEmpty()) {
            return;
        }
        boolean full = stopRequested || inFlight.get() + effectiveMaxPoll > config.maxInFlight();
        if (full) {
            consumer.pause(assignment);
        } else {
            Set<TopicPartition> paused = consumer.paused();
            if (!paused.isEmpty()) {
                consumer.resume(paused);
            }
        }
    }

    private void close(Throwable failure) {
        running = false;
        try {
            if (crashed) {
                closeQuietly(() -> producer.close(Duration.ZERO));
                closeQuietly(() -> consumer.close(CloseOptions.timeout(Duration.ZERO)));
            } else {
                if (inFlight.get() > 0) {
                    log.warn("semantic-cache processor {}: stopping with {} records unfinished (not committed)",
                            config.clientId(), inFlight.get());
                }
                commitSync(offsets(partitions.values(), false));
                closeQuietly(() -> producer.close(Duration.ofSeconds(10)));
                closeQuietly(() -> consumer.close(CloseOptions.timeout(Duration.ofSeconds(5))));
                log.info("semantic-cache processor {} stopped", config.clientId());
            }
        } finally {
            partitions.clear();
            inFlight.set(0);
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
    private final class Listener implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            for (TopicPartition tp : assigned) {
                partitions.computeIfAbsent(tp, t -> new PartitionState(t, t.topic().equals(config.promptsTopic())));
                Long resume = resumeFrom.get(tp);
                if (resume != null) {
                    consumer.seek(tp, resume);
                }
            }
            resumeFrom.clear();
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
                for (TopicPartition tp : revoked) {
                    PartitionState ps = partitions.get(tp);
                    if (ps != null) {
                        states.add(ps);
                        ps.revoking = true;
                        inFlight.addAndGet(-ps.pending.size());
                        ps.pending.clear();
                    }
                }
                long deadline = System.nanoTime() + config.revokeTimeout().toNanos();
                while (states.stream().anyMatch(ps -> ps.busy != null) && System.nanoTime() - deadline < 0) {
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
                    if (ps.busy != null) {
                        log.warn("semantic-cache processor {}: {} revoked with {} records unfinished; the new owner "
                                + "processes them again", config.clientId(), ps.tp, ps.busy.size());
                        inFlight.addAndGet(-ps.busy.size());
                    }
                    rememberResume(ps);
                    partitions.remove(ps.tp);
                }
                log.info("semantic-cache processor {}: revoked {}", config.clientId(), revoked);
            } finally {
                inPoll = wasInPoll;
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            for (TopicPartition tp : lost) {
                PartitionState ps = partitions.remove(tp);
                if (ps != null) {
                    inFlight.addAndGet(-ps.pending.size() - (ps.busy == null ? 0 : ps.busy.size()));
                    // If it comes back, start again at the first record not known to be finished.
                    rememberResume(ps);
                }
            }
            log.warn("semantic-cache processor {}: lost {} (not committed)", config.clientId(), lost);
        }
    }
}
