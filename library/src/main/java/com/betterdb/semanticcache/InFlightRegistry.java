package com.betterdb.semanticcache;

import com.betterdb.semanticcache.filter.Filter;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The {@code getOrCompute} computations running now, so that a concurrent miss close to one of them joins it
 * instead of calling the LLM again. Per cache instance, bounded in count and age. Flights are grouped by
 * (category, filter) and a group is scanned and extended under its own lock, so two paraphrases that miss together
 * cannot both become leaders; the lock is held for a scan of that group's in-flight vectors only.
 */
final class InFlightRegistry {

    /**
     * How long a finished computation stays joinable. The stored entry is searchable only once the index has taken
     * the write; during that short gap a paraphrase would otherwise miss and call the LLM again.
     */
    static final Duration LINGER = Duration.ofSeconds(1);

    /** What a miss should do. */
    sealed interface Claim {
        /** Compute, as the flight others may join. */
        record Lead(Flight flight) implements Claim {
        }

        /** Wait for this flight's answer. */
        record Join(Flight flight, double distance) implements Claim {
        }

        /** Compute without registering (coalescing off for this call, or the registry is full). */
        record Alone() implements Claim {
        }
    }

    /** The abandoned flight's error: every caller cancelled before the answer came. Joiners then compute alone. */
    static final class FlightAbandoned extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FlightAbandoned() {
            super("the computation was cancelled by all its callers", null, false, false);
        }
    }

    private record GroupKey(String category, String filter) {
    }

    /** The flights of one (category, filter); its monitor guards {@link #flights}. Identity equality on purpose. */
    private static final class Group {
        final GroupKey key;
        final List<Flight> flights = new ArrayList<>();

        Group(GroupKey key) {
            this.key = key;
        }
    }

    private final SemanticCacheOptions.Coalescing options;
    private final ConcurrentHashMap<GroupKey, Group> groups = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final LongSupplier nanoTime;

    InFlightRegistry(SemanticCacheOptions.Coalescing options) {
        this(options, System::nanoTime);
    }

    InFlightRegistry(SemanticCacheOptions.Coalescing options, LongSupplier nanoTime) {
        this.options = options;
        this.nanoTime = nanoTime;
    }

    boolean enabled() {
        return options.enabled();
    }

    /** Flights registered now (joinable or lingering). */
    int size() {
        return size.get();
    }

    /**
     * Joins the nearest flight of the group within {@code maxDistance} (inclusive), else registers a new flight for
     * the caller to {@link Flight#start start}, else (registry full) tells the caller to compute alone.
     */
    Claim claim(String category, Filter filter, float[] vector, double maxDistance) {
        GroupKey key = new GroupKey(category, filter.toQuery());
        double norm = norm(vector);
        while (true) {
            Group group = groups.computeIfAbsent(key, Group::new);
            synchronized (group) {
                if (groups.get(key) != group) {
                    continue; // emptied and dropped while we waited for its lock: take the current one
                }
                long now = nanoTime.getAsLong();
                Flight nearest = null;
                double best = Double.POSITIVE_INFINITY;
                for (Iterator<Flight> it = group.flights.iterator(); it.hasNext(); ) {
                    Flight f = it.next();
                    if (now - f.startNanos > options.maxAge().toNanos()) {
                        it.remove();
                        f.unregistered();
                        continue;
                    }
                    double d = distance(vector, norm, f.vector, f.norm);
                    if (d <= maxDistance && d < best) {
                        best = d;
                        nearest = f;
                    }
                }
                if (nearest != null) {
                    return new Claim.Join(nearest, best);
                }
                if (size.get() >= options.maxInFlight()) {
                    dropIfEmpty(group);
                    return new Claim.Alone();
                }
                Flight f = new Flight(this, group, vector.clone(), norm, now);
                group.flights.add(f);
                size.incrementAndGet();
                return new Claim.Lead(f);
            }
        }
    }

    private void remove(Flight f) {
        synchronized (f.group) {
            if (f.group.flights.remove(f)) {
                f.unregistered();
            }
            dropIfEmpty(f.group);
        }
    }

    /** Under the group's lock: an empty group leaves the map, so that groups of past filters do not accumulate. */
    private void dropIfEmpty(Group group) {
        if (group.flights.isEmpty()) {
            groups.remove(group.key, group);
        }
    }

    static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    /** Cosine distance {@code 1 - cos}, as the index scores candidates. */
    static double distance(float[] a, double normA, float[] b, double normB) {
        if (a.length != b.length || normA == 0 || normB == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
        }
        return 1 - dot / (normA * normB);
    }

    /**
     * One running computation and the callers waiting for it. The computation runs once, independently of any one
     * caller: it is cancelled only when every caller has cancelled, and a caller that arrives after it finished gets
     * the remembered result.
     */
    static final class Flight {
        private final InFlightRegistry registry;
        private final Group group;
        private final float[] vector;
        private final double norm;
        private final long startNanos;
        private final Sinks.One<ReadThrough.Computed> result = Sinks.one();
        private final AtomicInteger waiters = new AtomicInteger();
        private final AtomicBoolean registered = new AtomicBoolean(true);
        private volatile boolean finished;
        private volatile Disposable computation;

        private Flight(InFlightRegistry registry, Group group, float[] vector, double norm, long startNanos) {
            this.registry = registry;
            this.group = group;
            this.vector = vector;
            this.norm = norm;
            this.startNanos = startNanos;
        }

        /** Runs the computation. Its success stays joinable for {@link #LINGER}; its failure is forgotten at once. */
        void start(Mono<ReadThrough.Computed> work) {
            computation = work.subscribe(
                    v -> {
                        finished = true;
                        result.tryEmitValue(v);
                        Mono.delay(LINGER).subscribe(x -> registry.remove(this));
                    },
                    e -> {
                        finished = true;
                        registry.remove(this);
                        result.tryEmitError(e);
                    },
                    () -> {
                        // An empty computation is an error upstream; never leave waiters hanging.
                        if (!finished) {
                            finished = true;
                            registry.remove(this);
                            result.tryEmitError(new IllegalStateException("the computation completed empty"));
                        }
                    });
        }

        /** The computation's result for one caller; cancelling it abandons the computation only if nobody else waits. */
        Mono<ReadThrough.Computed> await() {
            return Mono.defer(() -> {
                waiters.incrementAndGet();
                return result.asMono().doFinally(this::leave);
            });
        }

        private void leave(SignalType signal) {
            if (waiters.decrementAndGet() == 0 && signal == SignalType.CANCEL && !finished) {
                finished = true;
                registry.remove(this);
                Disposable c = computation;
                if (c != null) {
                    c.dispose();
                }
                result.tryEmitError(new FlightAbandoned());
            }
        }

        private void unregistered() {
            if (registered.compareAndSet(true, false)) {
                registry.size.decrementAndGet();
            }
        }
    }
}
