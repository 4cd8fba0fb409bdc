package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.events.LlmRequestEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which LLM requests still wait for their reply, and which prompts were answered already, per partition number of
 * the llm-requests / llm-replies topics (co-partitioned: the worker answers on the partition number of the request,
 * and the group assigns both partition {@code p}s to the same instance).
 *
 * <ul>
 *   <li>The processor reads its own llm-requests topic: each request record is a timer, due at its timestamp plus
 *       {@code llmTimeout}. The partition's committed offset stays at the oldest unanswered request, so the timers of
 *       a crashed or revoked instance are read again by the next owner.</li>
 *   <li>The first terminal record for a request on the replies partition (a reply, or the processor's own timeout
 *       marker) {@linkplain #claim claims} it; later ones are duplicates. Both go through the same partition, in
 *       order, so a reply and a timeout never both answer a prompt.</li>
 *   <li>A due timer fires only once the replies partition was read past its deadline: a backlog of replies is not
 *       mistaken for missing replies. Firing sends the request again ({@code x-llm-attempt} + 1) or, after
 *       {@code llmMaxAttempts}, a timeout marker to the replies partition.</li>
 *   <li>After a restart the answers given before it are read again (settle only) from the time of the oldest
 *       unanswered request, kept in the commit metadata.</li>
 * </ul>
 * Requests are matched by the {@code x-llm-request-ref} header (the prompt's topic/partition/offset), which the
 * worker copies to its reply. Poll thread only, except {@link #claim}.
 */
final class LlmTimeouts {

    /** Control header value of a timeout marker. */
    static final String TIMEOUT_MARKER = "llm-timeout";
    /** Answers remembered per partition, at most (the oldest are forgotten first). */
    static final int MAX_SETTLED_PER_PARTITION = 50_000;
    /** How far before the oldest unanswered request the replies are read again after a restart (clock skew). */
    static final long REPLAY_MARGIN_MS = 10_000;
    private static final long ACTION_RETRY_MS = 1_000;
    private static final String COMMIT_TIME = "t=";

    enum Claim { FIRST, DUPLICATE }

    /** One request awaiting its reply. */
    static final class Pending {
        final String ref;
        final long offset;
        final long timestampMs;
        final int attempt;
        final ConsumerRecord<byte[], byte[]> request;
        long dueMs;
        boolean closed;

        Pending(String ref, ConsumerRecord<byte[], byte[]> request, int attempt, long dueMs) {
            this.ref = ref;
            this.offset = request.offset();
            this.timestampMs = request.timestamp() < 0 ? System.currentTimeMillis() : request.timestamp();
            this.attempt = attempt;
            this.request = request;
            this.dueMs = dueMs;
        }
    }

    /**
     * What to produce for an expired request: the request again, or ({@code last}) a timeout marker.
     *
     * @param id the prompt's id, for outcomes
     */
    record Action(int partition, Pending pending, ProducerRecord<byte[], byte[]> record, boolean last, String id) {
    }

    private record Settled(long offset, long atNanos) {
    }

    private final class Slot {
        boolean requestsAssigned;
        boolean repliesAssigned;
        Long nextRequestOffset;
        Long replayFromMs;
        final TreeMap<Long, Pending> byOffset = new TreeMap<>();
        final Map<String, Pending> byRef = new HashMap<>();
        final PriorityQueue<Pending> byDue = new PriorityQueue<>(Comparator.comparingLong(p -> p.dueMs));
        /** First terminal record per request ref; touched by chunk threads, hence synchronized. */
        final Map<String, Settled> settled = new LinkedHashMap<>(256, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Settled> eldest) {
                return size() > MAX_SETTLED_PER_PARTITION;
            }
        };

        boolean isSettled(String ref) {
            synchronized (settled) {
                return settled.containsKey(ref);
            }
        }

        void close(Pending p) {
            if (!p.closed) {
                p.closed = true;
                pending.decrementAndGet();
                byOffset.remove(p.offset);
                if (byRef.get(p.ref) == p) {
                    byRef.remove(p.ref);
                }
            }
        }
    }

    private final String requestsTopic;
    private final String repliesTopic;
    private final long timeoutMs;
    private final int maxAttempts;
    private final int maxPending;
    private final long retentionNanos;
    private final Map<Integer, Slot> slots = new ConcurrentHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();

    LlmTimeouts(SemanticCacheProcessorConfig config) {
        this.requestsTopic = config.llmRequestsTopic();
        this.repliesTopic = config.llmRepliesTopic();
        this.timeoutMs = config.llmTimeout().toMillis();
        this.maxAttempts = config.llmMaxAttempts();
        this.maxPending = config.maxPendingLlmRequests();
        long window = timeoutMs > 0 ? timeoutMs * (maxAttempts + 1L) : 600_000L;
        this.retentionNanos = Math.max(60_000L, window) * 1_000_000L;
    }

    /** Whether the processor tracks its LLM requests at all (it reads the llm-requests topic then). */
    boolean enabled() {
        return timeoutMs > 0 && repliesTopic != null;
    }

    static boolean enabledFor(SemanticCacheProcessorConfig config) {
        return !config.llmTimeout().isZero() && config.llmRepliesTopic() != null;
    }

    private Slot slot(int partition) {
        return slots.computeIfAbsent(partition, p -> new Slot());
    }

    /** Requests partition {@code p} was assigned, with its committed offset (null: none). */
    void requestsAssigned(int p, OffsetAndMetadata committed) {
        Slot s = slot(p);
        s.requestsAssigned = true;
        if (committed != null) {
            s.nextRequestOffset = committed.offset();
            String meta = committed.metadata();
            if (meta != null && meta.startsWith(COMMIT_TIME)) {
                try {
                    s.replayFromMs = Long.parseLong(meta.substring(COMMIT_TIME.length()));
                } catch (NumberFormatException e) {
                    s.replayFromMs = null;
                }
            }
        }
    }

    void repliesAssigned(int p) {
        slot(p).repliesAssigned = true;
    }

    /**
     * From when the replies of partition {@code p} must be read again (settle only) so that the requests read again
     * from the committed offset know their answers; null when nothing is pending there.
     */
    Long replayFromMs(int p) {
        Slot s = slots.get(p);
        return s == null || s.replayFromMs == null ? null : s.replayFromMs - REPLAY_MARGIN_MS;
    }

    /** Partition {@code p} left this instance (revoked or lost): its timers are the next owner's now. */
    void forget(int p) {
        Slot s = slots.remove(p);
        if (s != null) {
            for (Pending x : new ArrayList<>(s.byOffset.values())) {
                s.close(x);
            }
        }
    }

    /** How many more request records may be read now. */
    int room() {
        return Math.max(0, maxPending - pending.get());
    }

    /** Requests awaiting a reply (a gauge). */
    AtomicInteger pending() {
        return pending;
    }

    /** A record of the llm-requests topic: a timer, unless its prompt was answered already. */
    void onRequest(ConsumerRecord<byte[], byte[]> r) {
        Slot s = slot(r.partition());
        s.nextRequestOffset = r.offset() + 1;
        String ref = header(r, Headers.LLM_REQUEST_REF);
        if (ref == null || s.isSettled(ref)) {
            return; // not one of the processor's requests, or answered already
        }
        Pending older = s.byRef.get(ref);
        if (older != null) {
            s.close(older); // superseded by this later request for the same prompt
        }
        int attempt = parseInt(header(r, Headers.LLM_ATTEMPT), 1);
        Pending p = new Pending(ref, r, attempt, 0);
        p.dueMs = p.timestampMs + timeoutMs;
        s.byOffset.put(p.offset, p);
        s.byRef.put(ref, p);
        s.byDue.add(p);
        pending.incrementAndGet();
    }

    /**
     * Whether the record at {@code offset} of replies partition {@code p} is the first answer to request {@code ref}
     * (a retry of the same record is, again). Callable from any thread.
     */
    Claim claim(int p, String ref, long offset) {
        Slot s = slots.get(p);
        if (s == null || ref == null) {
            return Claim.FIRST;
        }
        synchronized (s.settled) {
            Settled prev = s.settled.get(ref);
            if (prev == null) {
                s.settled.put(ref, new Settled(offset, System.nanoTime()));
                return Claim.FIRST;
            }
            return prev.offset == offset ? Claim.FIRST : Claim.DUPLICATE;
        }
    }

    /** A replies record read again after a restart: it answered its request already. */
    void settleReplayed(ConsumerRecord<byte[], byte[]> r) {
        claim(r.partition(), header(r, Headers.LLM_REQUEST_REF), r.offset());
    }

    /**
     * The timers of partition {@code p} due by {@code watermarkMs} (the time up to which its replies were read),
     * turned into the records to send.
     */
    List<Action> due(int p, long watermarkMs) {
        Slot s = slots.get(p);
        if (s == null || !s.requestsAssigned || !s.repliesAssigned) {
            return List.of();
        }
        List<Action> actions = new ArrayList<>();
        while (!s.byDue.isEmpty() && s.byDue.peek().dueMs <= watermarkMs) {
            Pending x = s.byDue.poll();
            if (x.closed) {
                continue;
            }
            if (s.isSettled(x.ref)) {
                s.close(x);
                continue;
            }
            Action a = action(p, x);
            if (a == null) {
                s.close(x);
            } else {
                actions.add(a);
            }
        }
        return actions;
    }

    private Action action(int p, Pending x) {
        LlmRequestEvent request;
        try {
            request = Events.mapper().readValue(x.request.value(), LlmRequestEvent.class);
        } catch (Exception e) {
            return null; // not a request this processor wrote: nothing to time out
        }
        RecordHeaders headers = new RecordHeaders(x.request.headers().toArray());
        headers.remove(Headers.LLM_ATTEMPT);
        if (x.attempt < maxAttempts) {
            headers.add(Headers.LLM_ATTEMPT, Outputs.utf8(Integer.toString(x.attempt + 1)));
            return new Action(p, x, new ProducerRecord<>(requestsTopic, p, x.request.key(), x.request.value(), headers),
                    false, request.id());
        }
        headers.add(Headers.LLM_ATTEMPT, Outputs.utf8(Integer.toString(x.attempt)));
        headers.add(Headers.CONTROL, Outputs.utf8(TIMEOUT_MARKER));
        LlmRequestEvent marker = new LlmRequestEvent(Events.VERSION, request.id(), null, null, request.model(),
                request.category(), null, null, null);
        return new Action(p, x, new ProducerRecord<>(repliesTopic, p, x.request.key(), Events.encode(marker), headers),
                true, request.id());
    }

    /**
     * The action's record was written: the request is handled (its next request is a timer of its own, the marker
     * answers it on the replies partition).
     */
    void acted(Action a) {
        Slot s = slots.get(a.partition());
        if (s != null && s.byOffset.get(a.pending().offset) == a.pending()) {
            s.close(a.pending());
        }
    }

    /** The action's record could not be written: try again a little later. */
    void actionFailed(Action a) {
        Slot s = slots.get(a.partition());
        if (s != null && !a.pending().closed && s.byOffset.get(a.pending().offset) == a.pending()) {
            a.pending().dueMs = System.currentTimeMillis() + ACTION_RETRY_MS;
            s.byDue.add(a.pending());
        }
    }

    /**
     * Where the requests partition {@code p} may be committed: its oldest unanswered request (with that request's
     * time, from which to read the replies again after a restart), or the next offset when none waits.
     */
    OffsetAndMetadata commitPoint(int p) {
        Slot s = slots.get(p);
        if (s == null) {
            return null;
        }
        while (!s.byOffset.isEmpty()) {
            Pending first = s.byOffset.firstEntry().getValue();
            if (!s.isSettled(first.ref)) {
                return new OffsetAndMetadata(first.offset, COMMIT_TIME + first.timestampMs);
            }
            s.close(first);
        }
        return s.nextRequestOffset == null ? null : new OffsetAndMetadata(s.nextRequestOffset);
    }

    /** Forgets answers older than the retention window (timeout times attempts, at least a minute). */
    void purge() {
        long oldest = System.nanoTime() - retentionNanos;
        for (Slot s : slots.values()) {
            synchronized (s.settled) {
                Iterator<Settled> it = s.settled.values().iterator();
                while (it.hasNext() && it.next().atNanos - oldest < 0) {
                    it.remove();
                }
            }
        }
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static int parseInt(String s, int otherwise) {
        if (s == null) {
            return otherwise;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
