package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.kafka.PartitionState.Role;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What to commit and when (poll thread only). Each partition's commit point moves as its records finish; the points
 * that moved are committed asynchronously at most every {@value #SPACING_MS} ms, without waiting for the previous
 * commit's answer, so that a crash duplicates little (what was acknowledged and not yet committed) without a commit
 * per record. Synchronous commits hand partitions over (revoke, stop) and test the membership after a long pause.
 */
final class Commits {

    private static final Logger log = LoggerFactory.getLogger(Commits.class);
    static final long SPACING_MS = 5;
    private static final long SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(SPACING_MS);

    private final SemanticCacheProcessorConfig config;
    private final Consumer<byte[], byte[]> consumer;
    private final LlmTimeouts llm;
    private long lastAsync;

    Commits(SemanticCacheProcessorConfig config, Consumer<byte[], byte[]> consumer, LlmTimeouts llm) {
        this.config = config;
        this.consumer = consumer;
        this.llm = llm;
    }

    /** The commit points of {@code states}: those that moved since they were last taken, or ({@code all}) every one. */
    Map<TopicPartition, OffsetAndMetadata> points(Collection<PartitionState> states, boolean all) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        for (PartitionState ps : states) {
            if (ps.role == Role.REQUESTS) {
                ps.commitAt(llm.commitPoint(ps.tp.partition()));
            }
            if (ps.commit != null && (ps.dirty || all)) {
                offsets.put(ps.tp, ps.commit);
                ps.dirty = false;
            }
        }
        return offsets;
    }

    /** Commits the points that moved, unless the last async commit left less than {@value #SPACING_MS} ms ago. */
    void async(Collection<PartitionState> states) {
        long now = System.nanoTime();
        if (now - lastAsync < SPACING_NANOS) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = points(states, false);
        if (!offsets.isEmpty()) {
            lastAsync = now;
            consumer.commitAsync(offsets, (o, e) -> {
                if (e != null) {
                    log.warn("semantic-cache processor {}: offset commit failed (records may be redelivered): {}",
                            config.clientId(), e.toString());
                }
            });
        }
    }

    /** Commits every point of {@code states} and waits (a failure is logged: the records are read again). */
    void sync(Collection<PartitionState> states) {
        Map<TopicPartition, OffsetAndMetadata> offsets = points(states, true);
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

    /**
     * After a pause longer than the session timeout (a stop-the-world pause, SIGSTOP, a suspended VM) the group has
     * most likely given this member's partitions to another, but the consumer does not know it yet: its poll still
     * returns records. A synchronous commit of the current points tells: it fails when the member is fenced.
     */
    boolean membershipConfirmed(Collection<PartitionState> states) {
        Map<TopicPartition, OffsetAndMetadata> offsets = points(states, true);
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
}
