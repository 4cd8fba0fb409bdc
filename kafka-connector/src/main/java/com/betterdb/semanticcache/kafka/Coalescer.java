package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.CheckDetail;
import com.betterdb.semanticcache.kafka.events.LlmReplyEvent;
import com.betterdb.semanticcache.kafka.events.PromptEvent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The LLM requests this instance sent and waits for, so that a miss within its threshold of one of them (same
 * category, same filter; matched on the query vectors of the lookups, {@link CheckDetail#distanceTo}) waits for that
 * request's reply instead of asking the LLM again: it is <em>parked</em>. A parked prompt leaves when
 * <ul>
 *   <li>the reply is stored: it is answered with it ({@code JOINED});</li>
 *   <li>no reply came within {@code parkTimeout}, the request could not be written, the reply's partition is (or
 *       became) another instance's, its own partition is handed over, or the processor stops: it goes down the
 *       normal miss path, with an LLM request of its own.</li>
 * </ul>
 * Either way it leaves with its output planned, through {@code ready}, to be sent by its partition; it is committed
 * only once that output is acknowledged.
 *
 * <p>Thread-safe: claims come from chunk threads, replies from reply chunks, request acknowledgements from the
 * producer's thread, expiry and reassignment from the poll thread. One lock guards the registry; it is held for a
 * scan of one scope's flights at most, never while calling out.
 */
final class Coalescer {

    /** Requests waited for, at most; beyond that a miss asks the LLM without becoming joinable. */
    static final int MAX_FLIGHTS = 1_000;
    /**
     * How long an answered request stays joinable (a joiner is answered at once): a lookup that missed just before
     * the reply was stored would otherwise ask the LLM again.
     */
    static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Why parked prompts go down the normal miss path; the label is the metric's {@code reason} tag. */
    enum Release {
        TIMEOUT("timeout"), REQUEST_FAILED("request_failed"), REASSIGNED("reassigned"), STOPPING("stopping"),
        /** Exactly-once mode: the transaction with the request was aborted. */
        ABORTED("aborted");

        final String label;

        Release(String label) {
            this.label = label;
        }
    }

    /** What a miss does. */
    sealed interface Claim {
        /** Send the LLM request; close misses may wait for its reply. */
        record Lead(Flight flight) implements Claim {
        }

        /** Parked: its output comes later, through {@code ready}. */
        record Parked() implements Claim {
        }

        /** The request it matched was answered moments ago: this is its output. */
        record Answered(Output output) implements Claim {
        }

        /** Send the LLM request, not joinable (coalescing off, no vector, or the registry is full). */
        record Alone() implements Claim {
        }
    }

    /** One LLM request waited for. Guarded by the coalescer's lock. */
    static final class Flight {
        final String ref;
        final String scope;
        final CheckDetail leader;
        final long deadlineNanos;
        final List<Follower> followers = new ArrayList<>();
        /** The replies partition its answer comes on (the request's partition number), once written; else -1. */
        int replyPartition = -1;
        LlmReplyEvent reply;
        String entryKey;
        long answeredNanos;

        Flight(String ref, String scope, CheckDetail leader, long deadlineNanos) {
            this.ref = ref;
            this.scope = scope;
            this.leader = leader;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private record Follower(InputRecord in, PromptEvent event, CheckDetail detail, double distance) {
    }

    private final boolean enabled;
    private final int maxParked;
    private final long parkTimeoutNanos;
    private final Outputs outputs;
    private final ProcessorMetrics metrics;
    private final OutcomeSink outcomes;
    private final Consumer<List<InputRecord>> ready;
    private final LongSupplier nanoTime;
    private final Map<String, List<Flight>> byScope = new HashMap<>();
    private final Map<String, Flight> byRef = new HashMap<>();
    private final Set<Integer> ownedReplies = ConcurrentHashMap.newKeySet();
    private int parked;

    Coalescer(SemanticCacheProcessorConfig config, Outputs outputs, ProcessorMetrics metrics, OutcomeSink outcomes,
              Consumer<List<InputRecord>> ready, LongSupplier nanoTime) {
        this.enabled = config.coalescing();
        this.maxParked = config.maxPendingLlmRequests();
        this.parkTimeoutNanos = config.parkTimeout().toNanos();
        this.outputs = outputs;
        this.metrics = metrics;
        this.outcomes = outcomes;
        this.ready = ready;
        this.nanoTime = nanoTime;
    }

    boolean enabled() {
        return enabled;
    }

    /** Prompts parked now. */
    synchronized int parked() {
        return parked;
    }

    /** Requests waited for now (answered ones linger a moment). */
    synchronized int flights() {
        return byRef.size();
    }

    /** What the miss {@code in} (its event, its lookup) does: lead, park behind a close request, or go alone. */
    Claim claim(InputRecord in, PromptEvent event, CheckDetail detail) {
        if (!enabled || detail.vector() == null) {
            return new Claim.Alone();
        }
        String scope = detail.category() + '\u0000' + detail.filter().toQuery();
        long now = nanoTime.getAsLong();
        synchronized (this) {
            List<Flight> flights = byScope.get(scope);
            Flight nearest = null;
            double best = Double.POSITIVE_INFINITY;
            if (flights != null) {
                for (Flight f : flights) {
                    double d = detail.distanceTo(f.leader);
                    if (d <= detail.joinDistance() && d < best) {
                        best = d;
                        nearest = f;
                    }
                }
            }
            if (nearest != null && nearest.reply != null) {
                return new Claim.Answered(outputs.joined(in, event, nearest.reply, nearest.entryKey, best));
            }
            if (nearest != null && parked >= maxParked) {
                return new Claim.Alone(); // as many wait as LLM requests may: this one asks itself
            }
            if (nearest != null) {
                nearest.followers.add(new Follower(in, event, detail, best));
                in.parked = true;
                parked++;
            } else {
                if (byRef.size() >= MAX_FLIGHTS) {
                    return new Claim.Alone();
                }
                Flight f = new Flight(Outputs.requestRef(in.record), scope, detail, now + parkTimeoutNanos);
                byScope.computeIfAbsent(scope, s -> new ArrayList<>()).add(f);
                byRef.put(f.ref, f);
                in.flight = f;
                return new Claim.Lead(f);
            }
        }
        metrics.parked();
        outcomes.emit(new ProcessingOutcome(ProcessingOutcome.Kind.PARKED, in.record.topic(), in.record.partition(),
                in.offset(), event.id(), null, nanoTime.getAsLong() - in.polledNanos, null));
        return new Claim.Parked();
    }

    /** The leader's LLM request was acknowledged on partition {@code partition} of the requests topic. */
    void requestWritten(Flight f, int partition) {
        List<InputRecord> out;
        synchronized (this) {
            if (byRef.get(f.ref) != f) {
                return;
            }
            f.replyPartition = partition;
            if (ownedReplies.contains(partition)) {
                return;
            }
            out = release(f); // its reply will be read by another instance
        }
        handOver(out, Release.REASSIGNED);
    }

    /** The leader's LLM request could not be written as it was: its followers ask the LLM themselves. */
    void requestFailed(Flight f) {
        List<InputRecord> out;
        synchronized (this) {
            if (byRef.get(f.ref) != f) {
                return;
            }
            out = release(f);
        }
        handOver(out, Release.REQUEST_FAILED);
    }

    /** The first reply to request {@code ref} was stored under {@code entryKey}: its followers are answered with it. */
    void answered(String ref, LlmReplyEvent reply, String entryKey) {
        List<InputRecord> out = new ArrayList<>();
        synchronized (this) {
            Flight f = ref == null ? null : byRef.remove(ref);
            if (f == null) {
                return;
            }
            f.reply = reply;
            f.entryKey = entryKey;
            f.answeredNanos = nanoTime.getAsLong();
            for (Follower x : f.followers) {
                x.in.output = outputs.joined(x.in, x.event, reply, entryKey, x.distance);
                x.in.parked = false;
                out.add(x.in);
            }
            parked -= f.followers.size();
            f.followers.clear();
        }
        if (!out.isEmpty()) {
            ready.accept(out);
        }
    }

    /** Request {@code ref} was answered with an LLM timeout: its followers ask the LLM themselves. */
    void timedOut(String ref) {
        List<InputRecord> out;
        synchronized (this) {
            Flight f = ref == null ? null : byRef.get(ref);
            if (f == null) {
                return;
            }
            out = release(f);
        }
        handOver(out, Release.TIMEOUT);
    }

    /** Releases the followers of requests past their deadline; forgets answered requests after their linger. */
    void expire() {
        long now = nanoTime.getAsLong();
        List<InputRecord> out = new ArrayList<>();
        synchronized (this) {
            for (Iterator<List<Flight>> groups = byScope.values().iterator(); groups.hasNext(); ) {
                List<Flight> flights = groups.next();
                for (Iterator<Flight> it = flights.iterator(); it.hasNext(); ) {
                    Flight f = it.next();
                    if (f.reply != null ? now - f.answeredNanos > LINGER_NANOS : now - f.deadlineNanos > 0) {
                        it.remove();
                        if (f.reply == null) {
                            byRef.remove(f.ref);
                            out.addAll(plannedAsMisses(f));
                        }
                    }
                }
                if (flights.isEmpty()) {
                    groups.remove();
                }
            }
        }
        handOver(out, Release.TIMEOUT);
    }

    void repliesAssigned(Collection<Integer> partitions) {
        ownedReplies.addAll(partitions);
    }

    /** Replies partitions left this instance: requests answered there cannot answer anyone here. */
    void repliesRevoked(Collection<Integer> partitions) {
        ownedReplies.removeAll(partitions);
        releaseFlights(f -> partitions.contains(f.replyPartition), Release.REASSIGNED);
    }

    /** Followers whose own partition is handed over ({@code which}) ask the LLM themselves, so that they can commit. */
    void releaseFollowers(Predicate<InputRecord> which) {
        List<InputRecord> out = new ArrayList<>();
        synchronized (this) {
            for (Flight f : byRef.values()) {
                for (Iterator<Follower> it = f.followers.iterator(); it.hasNext(); ) {
                    Follower x = it.next();
                    if (which.test(x.in)) {
                        it.remove();
                        out.add(plannedAsMiss(x));
                    }
                }
            }
        }
        handOver(out, Release.REASSIGNED);
    }

    /** Followers whose partition was lost (its records are the next owner's): forgotten, nothing planned for them. */
    void forgetFollowers(Predicate<InputRecord> which) {
        synchronized (this) {
            for (Flight f : byRef.values()) {
                int before = f.followers.size();
                f.followers.removeIf(x -> which.test(x.in));
                parked -= before - f.followers.size();
            }
        }
    }

    /** Stopping: every parked prompt asks the LLM itself, and nothing more is joinable. */
    void releaseAll() {
        releaseAll(Release.STOPPING);
    }

    /** Every parked prompt asks the LLM itself, and nothing more is joinable. */
    void releaseAll(Release reason) {
        releaseFlights(f -> true, reason);
    }

    /** Forgets the unanswered requests {@code which} selects; their followers ask the LLM themselves. */
    private void releaseFlights(Predicate<Flight> which, Release reason) {
        List<InputRecord> out = new ArrayList<>();
        synchronized (this) {
            for (Flight f : List.copyOf(byRef.values())) {
                if (which.test(f)) {
                    out.addAll(release(f));
                }
            }
        }
        handOver(out, reason);
    }

    /** Under the lock: forgets {@code f}; its followers, planned as misses. */
    private List<InputRecord> release(Flight f) {
        byRef.remove(f.ref);
        List<Flight> group = byScope.get(f.scope);
        if (group != null) {
            group.remove(f);
            if (group.isEmpty()) {
                byScope.remove(f.scope);
            }
        }
        return plannedAsMisses(f);
    }

    private List<InputRecord> plannedAsMisses(Flight f) {
        List<InputRecord> out = new ArrayList<>(f.followers.size());
        for (Follower x : f.followers) {
            out.add(plannedAsMiss(x));
        }
        f.followers.clear();
        return out;
    }

    private InputRecord plannedAsMiss(Follower x) {
        x.in.output = outputs.miss(x.in, x.event, x.detail.result());
        x.in.parked = false;
        parked--;
        return x.in;
    }

    private void handOver(List<InputRecord> released, Release reason) {
        if (!released.isEmpty()) {
            metrics.parkReleased(reason.label, released.size());
            ready.accept(released);
        }
    }
}
