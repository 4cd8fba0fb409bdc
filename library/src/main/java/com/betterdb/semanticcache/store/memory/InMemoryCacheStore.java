package com.betterdb.semanticcache.store.memory;

import com.betterdb.semanticcache.ValkeyCommandError;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.filter.FilterEvaluator;
import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.store.Bookkeeping;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import com.betterdb.semanticcache.store.IndexDescriptor;
import com.betterdb.semanticcache.store.IndexStats;
import com.betterdb.semanticcache.store.WindowRecord;
import com.betterdb.semanticcache.store.valkey.protocol.FtCommands;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A {@link CacheStore} that keeps everything in this JVM's heap: exact brute-force KNN instead of valkey-search,
 * with the semantics of the {@code ValkeyCacheStore} as seen from {@code SemanticCache}. For tests, demos and
 * applications that run without a Valkey server.
 *
 * <p><b>Limits.</b> Not distributed (one JVM; two processes never see each other's entries), not persistent
 * (everything is gone when the JVM exits), not wire-compatible with anything (the TypeScript and Python packages
 * cannot read it). Memory: about {@code 4 * dimension} bytes of vector plus the text fields per entry; bound it with
 * {@link InMemoryOptions.Builder#maxEntries(int)}. KNN is exact and linear: about 10-30 ms per lookup at 100,000
 * entries of 384 dimensions on one core (see {@code docs/in-memory-store.md}).
 *
 * <p><b>Semantics mirrored from Valkey + valkey-search</b>:
 * <ul>
 *   <li>KNN: cosine distance {@code 1 - cos}, computed as valkey-search does (both vectors normalised to unit length
 *       in float32 at insert / query time, the dot product and {@code 1 - dot} in float32) and rounded to 12
 *       significant digits as valkey-search prints {@code __score} ({@code %.12g}); closest first, ties by key, at
 *       most {@code k}. A zero vector is kept as is (distance 1 to everything). Only entries that pass the filter are
 *       ranked (a pre-filter, like valkey-search's). Typed filters always work; {@link Filter.Raw} is parsed with
 *       {@code FilterParser}: unsupported syntax fails with {@code SemanticCacheUsageError} naming the construct.
 *       A bare {@code *} / {@link Filter#all()} matches everything (valkey-search 1.2.1 rejects it outside KNN).</li>
 *   <li>Candidates carry the fields {@code FtCommands.KNN_RETURN_FIELDS} names (prompt, response, model, category,
 *       cost_micros, content_blocks) that the entry has; never the embedding.</li>
 *   <li>An entry whose vector length differs from the index dimension (or is not a whole number of floats) is stored
 *       and counted in {@code numDocs} but never returned by KNN, as valkey-search counts it in
 *       {@code hash_indexing_failures}. It is still found (and deleted) by {@code deleteMatching}.</li>
 *   <li>{@code putEntry} is {@code HSET} + {@code EXPIRE}: fields are merged into an existing entry, a {@code null}
 *       TTL keeps the existing one, a TTL of less than one second ({@code EXPIRE 0}) deletes the entry. A key expires
 *       when the clock is past {@code write time + seconds * 1000} (Redis: {@code now > when}). Expired entries are
 *       never returned: they are skipped and removed on read, and swept from the whole store at most once per second
 *       of store time on writes (or with {@link #sweepExpired()}).</li>
 *   <li>Bookkeeping, stats, similarity window, miss-pending set, embedding cache ({@code SET EX} / {@code MGET}),
 *       config hash and discovery keys behave as the Valkey commands the Valkey store sends (window: trim members
 *       {@code <= now - 7 days}, then keep the newest 10,000; pending: drop members {@code < now - 5 minutes}).</li>
 *   <li>With no index ({@code ensureIndex} not called yet, or after {@code flush()}), {@code knn},
 *       {@code deleteMatching} and {@code indexStats} fail with {@code ValkeyCommandError} like a missing
 *       valkey-search index; entries written meanwhile are kept and found once the index exists (valkey-search
 *       backfills them too).</li>
 * </ul>
 *
 * <p><b>Threads.</b> Safe for any number of threads. Reads take no lock: entries live in a
 * {@link ConcurrentHashMap}; each entry is immutable apart from its expiry time, with its vector normalised once at
 * write time; KNN scans an array snapshot of the entries, rebuilt lazily after writes. Entry writes serialise on one
 * monitor (for the FIFO eviction order); stats, window, pending set and config each have their own. Nothing blocks:
 * scans over more than {@link InMemoryOptions#parallelThreshold()} entries run on {@code Schedulers.parallel()}, split
 * into one slice per core (one slice per threshold's worth of entries at most) and merged by (distance, key); smaller
 * ones run on the subscribing thread.
 */
public final class InMemoryCacheStore implements CacheStore {

    static final long WINDOW_MAX_AGE_MS = 7L * 24 * 3600 * 1000;
    static final long WINDOW_MAX_MEMBERS = 10_000;
    static final long PENDING_MAX_AGE_MS = 300_000;
    static final long SWEEP_INTERVAL_MS = 1000;

    /** The fields a KNN candidate carries: {@link FtCommands#KNN_RETURN_FIELDS} without {@code __score}. */
    static final List<String> RETURN_FIELDS = FtCommands.KNN_RETURN_FIELDS.stream()
            .filter(f -> !f.equals(FtCommands.SCORE_FIELD)).toList();

    private static final long NO_EXPIRY = Long.MAX_VALUE;
    private static final MathContext SCORE_DIGITS = new MathContext(12, RoundingMode.HALF_EVEN);

    /**
     * One entry hash. Immutable except for its expiry time (EXPIRE on an existing key). Only the normalised vector
     * is kept, not the raw embedding bytes (nothing reads them back).
     */
    private static final class Entry {
        final String key;
        final long seq;
        final Map<String, String> fields;
        /**
         * Unit-length vector while the entry is not in the {@link #matrix} (no index yet, or not the index dimension);
         * {@code null} once its row is there, or when the bytes are not a whole number of floats. Writers only.
         */
        float[] unit;
        /** The fields as a filter sees them. */
        final Filter.Fields view;
        volatile long expiresAtMs;

        Entry(String key, long seq, Map<String, String> fields, byte[] embedding, long expiresAtMs) {
            this.key = key;
            this.seq = seq;
            this.fields = fields;
            this.unit = normalizedOrNull(embedding);
            this.view = fields::get;
            this.expiresAtMs = expiresAtMs;
        }

        boolean expiredAt(long nowMs) {
            return nowMs > expiresAtMs;
        }
    }

    private record TimedBytes(byte[] value, long expiresAtMs) {
    }

    private final CacheKeys keys;
    private final InMemoryOptions options;
    private final Clock clock;
    private final SharedKeys shared;

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    /** Guards entry writes, {@link #fifo} and {@link #seq}. */
    private final Object writeLock = new Object();
    private final ArrayDeque<Entry> fifo = new ArrayDeque<>();
    private long seq;
    /**
     * The vectors of the indexed entries (those whose vector has the index dimension), for KNN. Created with the index,
     * dropped by {@code flush()}; written under {@link #writeLock}.
     */
    private volatile VectorMatrix<Entry> matrix;
    /** The approximate index over the matrix rows, when {@link InMemoryOptions#hnsw()} is set. */
    private final HnswIndex hnsw;
    private volatile long lastSweepMs = Long.MIN_VALUE;  // never

    private final Object indexLock = new Object();
    private volatile IndexDescriptor index;

    private final Map<String, String> stats = new LinkedHashMap<>();
    private final Map<String, String> config = new LinkedHashMap<>();
    private final SortedSet window = new SortedSet();
    private final SortedSet pending = new SortedSet();
    private final SortedSet verdicts = new SortedSet();
    private final ConcurrentHashMap<String, TimedBytes> embeddings = new ConcurrentHashMap<>();

    /** A stand-alone store with default options and its own registry/protocol/heartbeat keys. */
    public InMemoryCacheStore(CacheKeys keys) {
        this(keys, InMemoryOptions.defaults());
    }

    /** A stand-alone store with its own registry/protocol/heartbeat keys. */
    public InMemoryCacheStore(CacheKeys keys, InMemoryOptions options) {
        this(keys, options, new SharedKeys(options.clock()));
    }

    InMemoryCacheStore(CacheKeys keys, InMemoryOptions options, SharedKeys shared) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.options = Objects.requireNonNull(options, "options");
        this.clock = options.clock();
        this.shared = shared;
        if (options.hnsw().isPresent()) {
            HnswIndex.requireLucene();
            this.hnsw = new HnswIndex(options.hnsw().get());
        } else {
            this.hnsw = null;
        }
    }

    @Override
    public CacheKeys keys() {
        return keys;
    }

    public InMemoryOptions options() {
        return options;
    }

    // ---------------------------------------------------------------------------------------------- index

    @Override
    public Mono<IndexDescriptor> ensureIndex(Mono<Integer> dimensionProbe) {
        return Mono.defer(() -> {
            IndexDescriptor d = index;
            if (d != null) {
                return Mono.just(d);
            }
            if (options.dimension().isPresent()) {
                return Mono.just(createIndex(options.dimension().getAsInt()));
            }
            return dimensionProbe.map(this::createIndex);
        });
    }

    /** FT.CREATE; when another caller created the index meanwhile, theirs is used (as "already exists"). */
    private IndexDescriptor createIndex(int dim) {
        if (dim <= 0) {
            throw new IllegalArgumentException("dimension must be > 0, got " + dim);
        }
        synchronized (indexLock) {
            if (index == null) {
                index = new IndexDescriptor(dim, true);
                synchronized (writeLock) {
                    // Entries written before the index existed are indexed now (valkey-search backfills them too).
                    VectorMatrix<Entry> m = new VectorMatrix<>(dim);
                    long now = clock.millis();
                    for (Entry e : entries.values()) {
                        if (e.unit != null && e.unit.length == dim && !e.expiredAt(now)) {
                            m.append(e, e.unit, this::isLive);
                            e.unit = null;
                        }
                    }
                    matrix = m;
                    if (hnsw != null) {
                        hnsw.sync(m.view());
                    }
                }
            }
            return index;
        }
    }

    /** Whether {@code e} is still the entry of its key (its matrix row is not dead). */
    private boolean isLive(Entry e) {
        return entries.get(e.key) == e;
    }

    private IndexDescriptor requireIndex(String command) {
        IndexDescriptor d = index;
        if (d == null) {
            throw new ValkeyCommandError(command, "Index with name '" + keys.indexName() + "' not found in database 0");
        }
        return d;
    }

    /** {@code num_docs}: live entries, including those whose vector does not fit the index; state {@code ready}. */
    @Override
    public Mono<IndexStats> indexStats() {
        return Mono.fromCallable(() -> {
            requireIndex("FT.INFO");
            long now = clock.millis();
            long n = 0;
            for (Entry e : entries.values()) {
                if (!e.expiredAt(now)) {
                    n++;
                }
            }
            return new IndexStats(n, "ready");
        });
    }

    // ---------------------------------------------------------------------------------------------- search

    @Override
    public Mono<List<Candidate>> knn(float[] vector, int k, Filter filter) {
        return Mono.defer(() -> {
            IndexDescriptor idx = requireIndex("FT.SEARCH");
            Objects.requireNonNull(vector, "vector");
            if (vector.length != idx.dimension()) {
                throw new ValkeyCommandError("FT.SEARCH", "Error parsing vector similarity parameters: query vector"
                        + " blob size (" + vector.length * 4 + ") does not match index's expected size ("
                        + idx.dimension() * 4 + ").");
            }
            Filter prepared = prepare(filter);
            float[] query = normalized(vector);
            VectorMatrix<Entry> m = matrix;
            if (m == null || m.dim() != idx.dimension() || k <= 0) {
                return Mono.just(List.<Candidate>of());
            }
            VectorMatrix.View<Entry> view = m.view();
            long now = clock.millis();
            if (hnsw != null && view.count >= options.hnsw().get().minEntries()) {
                List<Candidate> found = approximate(view, query, k, prepared, now);
                if (found != null) {
                    return Mono.just(found);
                }
            }
            if (view.count <= options.parallelThreshold()) {
                return Mono.just(merge(List.of(scan(view, 0, view.count, query, k, prepared, now)), k));
            }
            // A large scan is split into one slice per core, scanned in parallel off the caller's thread; the
            // slices' best k are merged by (distance, key), so the result equals the single scan's.
            int slices = Math.max(1, Math.min(Schedulers.DEFAULT_POOL_SIZE, view.count / options.parallelThreshold()));
            if (slices == 1) {
                return Mono.fromCallable(() -> merge(List.of(scan(view, 0, view.count, query, k, prepared, now)), k))
                        .subscribeOn(Schedulers.parallel());
            }
            // Slices start at a block boundary, so no block is computed twice.
            int blocks = (view.count + VectorMatrix.BLOCK - 1) / VectorMatrix.BLOCK;
            int size = (blocks + slices - 1) / slices * VectorMatrix.BLOCK;
            return Flux.range(0, slices)
                    .parallel(slices)
                    .runOn(Schedulers.parallel())
                    .map(s -> scan(view, s * size, Math.min(view.count, (s + 1) * size), query, k, prepared, now))
                    .sequential()
                    .collectList()
                    .map(parts -> merge(parts, k));
        });
    }

    /**
     * The k best among the graph's candidates, with exact distances and the exact path's checks (live row, TTL,
     * filter) applied inside the graph search; {@code null} when the graph is behind the view.
     */
    private List<Candidate> approximate(VectorMatrix.View<Entry> view, float[] query, int k, Filter filter, long now) {
        List<Entry> expired = new ArrayList<>();
        int[] rows = hnsw.search(view, query, k, row -> {
            Entry e = view.owner(row);
            if (!isLive(e)) {
                return false;
            }
            if (e.expiredAt(now)) {
                expired.add(e);
                return false;
            }
            return filter == null || FilterEvaluator.matches(filter, e.view);
        });
        if (rows == null) {
            return null;
        }
        float[] bestD = new float[rows.length];
        Entry[] bestE = new Entry[rows.length];
        int n = 0;
        for (int row : rows) {
            float d = 1f - view.dot(query, row);
            Entry e = view.owner(row);
            int i = n++;
            while (i > 0 && before(d, e.key, bestD[i - 1], bestE[i - 1].key)) {
                bestD[i] = bestD[i - 1];
                bestE[i] = bestE[i - 1];
                i--;
            }
            bestD[i] = d;
            bestE[i] = e;
        }
        return merge(List.of(new TopK(bestD, bestE, Math.min(n, k), expired)), k);
    }

    /** {@code null} for "everything"; else the filter with raw parts parsed (unsupported syntax throws now). */
    private static Filter prepare(Filter filter) {
        if (filter == null || filter instanceof Filter.All) {
            return null;
        }
        return FilterEvaluator.prepare(filter);
    }

    /** The k best of one slice of a snapshot, ascending by (distance, key), and the expired entries seen. */
    private record TopK(float[] distances, Entry[] entries, int size, List<Entry> expired) {
    }

    /**
     * Rows {@code [from, to)} of the matrix: the distances of a block of rows first (vectorised, see
     * {@link VectorMatrix}), and only for a row that would enter the best k, the checks that need its entry: still the
     * live entry of its key (not a dead row), not expired, passes the filter. Same result as checking first: the
     * checks do not depend on the distance.
     */
    private TopK scan(VectorMatrix.View<Entry> view, int from, int to, float[] query, int k, Filter filter, long now) {
        // A linear insert into the sorted best-k arrays is fastest for the usual small k.
        float[] bestD = new float[k];
        Entry[] bestE = new Entry[k];
        int n = 0;
        float worst = Float.POSITIVE_INFINITY;
        List<Entry> expired = null;
        VectorMatrix.Scratch block = new VectorMatrix.Scratch();
        for (int row = from; row < to; row++) {
            int at = row % VectorMatrix.BLOCK;
            if (at == 0 || row == from) {
                view.dots(query, row / VectorMatrix.BLOCK, block);
            }
            float d = 1f - block.out[at];
            if (n == k && d > worst) {
                continue; // cannot enter (ties go on to the key comparison)
            }
            Entry e = view.owner(row);
            if (n == k && !before(d, e.key, bestD[k - 1], bestE[k - 1].key)) {
                continue;
            }
            if (entries.get(e.key) != e) {
                continue; // a dead row: deleted, evicted or rewritten since
            }
            if (e.expiredAt(now)) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(e);
                continue;
            }
            if (filter != null && !FilterEvaluator.matches(filter, e.view)) {
                continue;
            }
            int i = n < k ? n++ : k - 1;
            while (i > 0 && before(d, e.key, bestD[i - 1], bestE[i - 1].key)) {
                bestD[i] = bestD[i - 1];
                bestE[i] = bestE[i - 1];
                i--;
            }
            bestD[i] = d;
            bestE[i] = e;
            if (n == k) {
                worst = bestD[k - 1];
            }
        }
        return new TopK(bestD, bestE, n, expired == null ? List.of() : expired);
    }

    private record Hit(float distance, Entry entry) {
    }

    /** Merges slices: drops the expired entries they saw, returns the overall k best as candidates. */
    private List<Candidate> merge(List<TopK> parts, int k) {
        List<Hit> hits = new ArrayList<>();
        for (TopK p : parts) {
            p.expired().forEach(this::removeIfSame);
            for (int i = 0; i < p.size(); i++) {
                hits.add(new Hit(p.distances()[i], p.entries()[i]));
            }
        }
        if (parts.size() > 1) { // each slice is sorted already; only several need a merge
            hits.sort((a, b) -> {
                int c = Float.compare(a.distance(), b.distance());
                return c != 0 ? c : a.entry().key.compareTo(b.entry().key);
            });
        }
        int n = Math.min(k, hits.size());
        List<Candidate> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Hit h = hits.get(i);
            out.add(new Candidate(h.entry().key, score(h.distance()), returnFields(h.entry().fields)));
        }
        return out;
    }

    private static boolean before(float d, String key, float otherD, String otherKey) {
        int c = Float.compare(d, otherD);
        return c < 0 || (c == 0 && key.compareTo(otherKey) < 0);
    }

    /** {@code __score} as valkey-search prints it ({@code %.12g}) and the Valkey store parses it back. */
    static double score(float distance) {
        if (!Float.isFinite(distance)) {
            return Double.NaN;
        }
        return new BigDecimal(distance).round(SCORE_DIGITS).doubleValue();
    }

    private static Map<String, String> returnFields(Map<String, String> fields) {
        Map<String, String> out = new HashMap<>(8);
        for (String f : RETURN_FIELDS) {
            String v = fields.get(f);
            if (v != null) {
                out.put(f, v);
            }
        }
        return out;
    }

    /**
     * Float32 dot product, four accumulators (valkey-search's SIMD kernels also sum in several lanes). The reference
     * for {@link VectorMatrix.View#dots}, which sums in exactly this order.
     */
    static float dot(float[] a, float[] b) {
        int n = a.length;
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < n; i++) {
            s0 += a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Unit-length copy in float32 ({@code v[i] / |v|}); a zero vector stays zero. */
    static float[] normalized(float[] v) {
        float sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        float[] out = new float[v.length];
        if (sum == 0 || !Float.isFinite(sum)) {
            System.arraycopy(v, 0, out, 0, v.length);
            return out;
        }
        float norm = (float) Math.sqrt(sum);
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / norm;
        }
        return out;
    }

    private static float[] normalizedOrNull(byte[] bytes) {
        if (bytes.length % 4 != 0) {
            return null;
        }
        return normalized(Float32.decode(bytes));
    }

    // ---------------------------------------------------------------------------------------------- entries

    @Override
    public Mono<Void> putEntry(String key, EntryRecord entry, Duration ttl) {
        return putEntries(List.of(key), List.of(entry), Collections.singletonList(ttl));
    }

    @Override
    public Mono<Void> putEntries(List<String> keyList, List<EntryRecord> records, List<Duration> ttls) {
        return Mono.fromRunnable(() -> {
            if (keyList.size() != records.size() || keyList.size() != ttls.size()) {
                throw new IllegalArgumentException("keys, entries and ttls differ in size: " + keyList.size() + ", "
                        + records.size() + ", " + ttls.size());
            }
            long now = clock.millis();
            maybeSweep(now);
            synchronized (writeLock) {
                for (int i = 0; i < keyList.size(); i++) {
                    write(Objects.requireNonNull(keyList.get(i), "key"), records.get(i), ttls.get(i), now);
                }
                evictOverCapacity();
            }
        });
    }

    /** HSET (merging into a live entry, keeping its TTL) then EXPIRE. Caller holds {@link #writeLock}. */
    private void write(String key, EntryRecord record, Duration ttl, long now) {
        Entry old = entries.get(key);
        if (old != null && old.expiredAt(now)) {
            old = null;
        }
        Map<String, String> fields;
        if (old == null) {
            fields = new HashMap<>(record.fields());
        } else {
            fields = new HashMap<>(old.fields);
            fields.putAll(record.fields());
        }
        fields.remove(EntryRecord.EMBEDDING_FIELD);
        long expiresAt = old == null ? NO_EXPIRY : old.expiresAtMs;
        if (ttl != null) {
            long seconds = ttl.toSeconds();
            if (seconds <= 0) {
                // EXPIRE with a non-positive time deletes the key.
                entries.remove(key);
                return;
            }
            expiresAt = now + seconds * 1000;
        }
        Entry e = new Entry(key, ++seq, Collections.unmodifiableMap(fields), record.embedding(), expiresAt);
        entries.put(key, e);
        VectorMatrix<Entry> m = matrix;
        if (m != null && e.unit != null && e.unit.length == m.dim()) {
            m.append(e, e.unit, this::isLive);
            e.unit = null;
            if (hnsw != null) {
                hnsw.sync(m.view());
            }
        }
        if (options.maxEntries() > 0) {
            fifo.addLast(e);
        }
    }

    /** Evicts the oldest-written entries beyond {@code maxEntries}. Caller holds {@link #writeLock}. */
    private void evictOverCapacity() {
        int max = options.maxEntries();
        if (max <= 0) {
            return;
        }
        while (entries.size() > max) {
            Entry oldest = fifo.pollFirst();
            if (oldest == null) {
                break;
            }
            entries.remove(oldest.key, oldest); // no-op for a record superseded by a later write or deletion
        }
        if (fifo.size() > 2L * max + 1024) {
            fifo.removeIf(e -> entries.get(e.key) != e);
        }
    }

    private void removeIfSame(Entry e) {
        entries.remove(e.key, e);
    }

    private void deleteKey(String key) {
        entries.remove(key);
    }

    /** EXPIRE on an existing, live entry (no-op when it is gone). */
    private void expire(String key, Duration ttl, long now) {
        Entry e = entries.get(key);
        if (e == null || e.expiredAt(now)) {
            return;
        }
        long seconds = ttl.toSeconds();
        if (seconds <= 0) {
            removeIfSame(e);
        } else {
            e.expiresAtMs = now + seconds * 1000;
        }
    }

    private void maybeSweep(long now) {
        long last = lastSweepMs;
        if (last == Long.MIN_VALUE || now - last >= SWEEP_INTERVAL_MS || now < last) {
            lastSweepMs = now;
            sweep(now);
        }
    }

    /**
     * Removes every expired entry, embedding-cache value and heartbeat now (they are never returned anyway; this
     * frees their memory). Runs by itself at most once per second of store time on writes. Returns the number of
     * entries removed.
     */
    public int sweepExpired() {
        long now = clock.millis();
        lastSweepMs = now;
        return sweep(now);
    }

    private int sweep(long now) {
        int removed = 0;
        for (Entry e : entries.values()) {
            if (e.expiredAt(now) && entries.remove(e.key, e)) {
                removed++;
            }
        }
        embeddings.entrySet().removeIf(en -> now > en.getValue().expiresAtMs());
        shared.heartbeat(keys.name());
        return removed;
    }

    /** The number of live entries (expired ones excluded). */
    public int size() {
        long now = clock.millis();
        int n = 0;
        for (Entry e : entries.values()) {
            if (!e.expiredAt(now)) {
                n++;
            }
        }
        return n;
    }

    /** The text fields of a live entry ({@code HGETALL} without the embedding); empty when absent or expired. */
    public Optional<Map<String, String>> entryFields(String key) {
        Entry e = entries.get(key);
        return e == null || e.expiredAt(clock.millis()) ? Optional.empty() : Optional.of(e.fields);
    }

    /** The remaining TTL of a live entry ({@code PTTL}); empty when absent, expired, or without a TTL. */
    public Optional<Duration> entryTtl(String key) {
        Entry e = entries.get(key);
        long now = clock.millis();
        if (e == null || e.expiredAt(now) || e.expiresAtMs == NO_EXPIRY) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(e.expiresAtMs - now));
    }

    // ---------------------------------------------------------------------------------------------- bookkeeping

    /** The Valkey store's pipeline, in its order: counters summed over the group, zsets, trims, TTLs, deletes. */
    @Override
    public Mono<Void> record(List<Bookkeeping> bookkeeping) {
        return Mono.fromRunnable(() -> {
            Bookkeeping.Totals totals = Bookkeeping.totals(bookkeeping);
            long hits = totals.hits();
            long misses = totals.misses();
            long cost = totals.costMicros();
            long now = totals.latestMs();
            synchronized (stats) {
                hincrby("total", hits + misses);
                if (hits > 0) {
                    hincrby("hits", hits);
                }
                if (misses > 0) {
                    hincrby("misses", misses);
                }
            }
            if (addMembers(bookkeeping, Bookkeeping::windowMember, window)) {
                window.removeUpTo(now - WINDOW_MAX_AGE_MS, true);
                window.keepNewest(WINDOW_MAX_MEMBERS);
            }
            if (addMembers(bookkeeping, Bookkeeping::pendingMember, pending)) {
                pending.removeUpTo(now - PENDING_MAX_AGE_MS, false);
            }
            if (addMembers(bookkeeping, Bookkeeping::verdictMember, verdicts)) {
                verdicts.removeUpTo(now - Bookkeeping.VERDICT_MAX_AGE_MS, true);
                verdicts.keepNewest(Bookkeeping.VERDICT_MAX_MEMBERS);
            }
            long clockNow = clock.millis();
            for (Bookkeeping b : bookkeeping) {
                if (b.expireKey() != null && b.expireTtl() != null) {
                    expire(b.expireKey(), b.expireTtl(), clockNow);
                }
                if (b.deleteKey() != null) {
                    deleteKey(b.deleteKey());
                }
            }
            if (cost > 0) {
                synchronized (stats) {
                    hincrby("cost_saved_micros", cost);
                }
            }
        });
    }

    /** Adds the member each batch entry names (if any) to {@code set}, scored by its time; whether any was added. */
    private static boolean addMembers(List<Bookkeeping> batch, Function<Bookkeeping, String> member, SortedSet set) {
        boolean added = false;
        for (Bookkeeping b : batch) {
            String m = member.apply(b);
            if (m != null) {
                set.add(b.nowMs(), m);
                added = true;
            }
        }
        return added;
    }

    /** HINCRBY; a non-integer current value fails like Valkey ("hash value is not an integer"). */
    private void hincrby(String field, long by) {
        String cur = stats.get(field);
        long v;
        try {
            v = cur == null ? 0 : Long.parseLong(cur);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("ERR hash value is not an integer (" + keys.statsKey() + " " + field + ")");
        }
        stats.put(field, Long.toString(Math.addExact(v, by)));
    }

    @Override
    public Mono<Map<String, String>> readStats() {
        return Mono.fromCallable(() -> {
            synchronized (stats) {
                return new LinkedHashMap<>(stats);
            }
        });
    }

    @Override
    public Mono<List<WindowRecord>> readWindow() {
        return Mono.fromCallable(window::range);
    }

    @Override
    public Mono<List<WindowRecord>> readJudgeVerdicts() {
        return Mono.fromCallable(verdicts::range);
    }

    // ---------------------------------------------------------------------------------------------- config

    @Override
    public Mono<Map<String, String>> readConfig() {
        return Mono.fromCallable(() -> {
            synchronized (config) {
                return new LinkedHashMap<>(config);
            }
        });
    }

    /** {@code HSET {name}:__config field value}: for tests and demos (the cache re-reads it on refresh). */
    public void putConfig(String field, String value) {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(value, "value");
        synchronized (config) {
            config.put(field, value);
        }
    }

    /** {@code HDEL {name}:__config field}. */
    public void removeConfig(String field) {
        synchronized (config) {
            config.remove(field);
        }
    }

    // ---------------------------------------------------------------------------------------------- miss-pending

    @Override
    public Mono<List<String>> pendingMisses(long nowMs) {
        return Mono.fromCallable(() -> {
            synchronized (pending) {
                pending.removeUpTo(nowMs - PENDING_MAX_AGE_MS, false);
                return pending.members();
            }
        });
    }

    @Override
    public Mono<Double> windowScore(String member) {
        return Mono.fromCallable(() -> window.score(member));
    }

    @Override
    public Mono<Void> replaceWindowMember(String oldMember, String newMember, double score, String pendingEntry) {
        return Mono.fromRunnable(() -> {
            synchronized (window) {
                window.remove(oldMember);
                window.add(score, newMember);
            }
            pending.remove(pendingEntry);
        });
    }

    @Override
    public Mono<Void> removePending(String pendingEntry) {
        return Mono.fromRunnable(() -> pending.remove(pendingEntry));
    }

    // ---------------------------------------------------------------------------------------------- embedding cache

    @Override
    public Mono<List<byte[]>> getEmbeddings(List<String> sha256Hex) {
        return Mono.fromCallable(() -> {
            long now = clock.millis();
            List<byte[]> out = new ArrayList<>(sha256Hex.size());
            for (String sha : sha256Hex) {
                TimedBytes t = embeddings.get(sha);
                if (t != null && now > t.expiresAtMs()) {
                    embeddings.remove(sha, t);
                    t = null;
                }
                out.add(t == null ? null : t.value().clone());
            }
            return out;
        });
    }

    /** {@code SET key value EX seconds} per hash; a TTL under one second fails as in Valkey. */
    @Override
    public Mono<Void> putEmbeddings(Map<String, byte[]> vectorsBySha256Hex, Duration ttl) {
        return Mono.fromRunnable(() -> {
            long seconds = ttl.toSeconds();
            if (seconds <= 0) {
                throw new IllegalArgumentException("ERR invalid expire time in 'set' command: " + seconds);
            }
            long expiresAt = clock.millis() + seconds * 1000;
            vectorsBySha256Hex.forEach((sha, v) -> embeddings.put(sha, new TimedBytes(v.clone(), expiresAt)));
        });
    }

    // ---------------------------------------------------------------------------------------------- invalidation

    /** At most {@code limit} live entries matching {@code filter}, oldest written first, are deleted. */
    @Override
    public Mono<Integer> deleteMatching(Filter filter, int limit) {
        return Mono.fromCallable(() -> {
            requireIndex("FT.SEARCH");
            Filter prepared = prepare(Objects.requireNonNull(filter, "filter"));
            long now = clock.millis();
            List<Entry> matching = new ArrayList<>();
            for (Entry e : entries.values()) {
                if (!e.expiredAt(now) && (prepared == null || FilterEvaluator.matches(prepared, e.view))) {
                    matching.add(e);
                }
            }
            matching.sort((a, b) -> Long.compare(a.seq, b.seq));
            int n = Math.min(Math.max(limit, 0), matching.size());
            for (int i = 0; i < n; i++) {
                removeIfSame(matching.get(i));
            }
            return n;
        });
    }

    // ---------------------------------------------------------------------------------------------- whole entries

    /**
     * Live entries matching {@code filter}, by numeric {@code inserted_at} ascending (entries without a number last),
     * ties in write order; then {@code offset} and {@code limit}. A bare {@code *} matches everything here, where
     * valkey-search 1.2.1 rejects it.
     */
    @Override
    public Mono<List<Candidate>> searchEntries(Filter filter, int offset, int limit) {
        return Mono.fromCallable(() -> {
            if (offset < 0 || limit < 1) {
                throw new IllegalArgumentException("offset must be >= 0 and limit >= 1, got " + offset + ", " + limit);
            }
            requireIndex("FT.SEARCH");
            Filter prepared = prepare(Objects.requireNonNull(filter, "filter"));
            long now = clock.millis();
            List<Entry> matching = new ArrayList<>();
            for (Entry e : entries.values()) {
                if (!e.expiredAt(now) && (prepared == null || FilterEvaluator.matches(prepared, e.view))) {
                    matching.add(e);
                }
            }
            matching.sort(java.util.Comparator.comparingDouble((Entry e) -> insertedAt(e)).thenComparingLong(e -> e.seq));
            List<Candidate> page = new ArrayList<>();
            for (int i = offset; i < matching.size() && page.size() < limit; i++) {
                Entry e = matching.get(i);
                page.add(new Candidate(e.key, Double.NaN, e.fields));
            }
            return page;
        });
    }

    private static double insertedAt(Entry e) {
        String v = e.fields.get("inserted_at");
        if (v == null) {
            return Double.POSITIVE_INFINITY;
        }
        try {
            double d = Double.parseDouble(v.strip());
            return Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
        } catch (NumberFormatException ex) {
            return Double.POSITIVE_INFINITY;
        }
    }

    @Override
    public Mono<Long> deleteEntries(List<String> entryKeys) {
        return Mono.fromCallable(() -> {
            long now = clock.millis();
            long n = 0;
            for (String key : entryKeys) {
                Entry e = entries.get(Objects.requireNonNull(key, "key"));
                // The matrix row of a removed entry is skipped by its liveness check and dropped when the matrix grows.
                if (e != null && entries.remove(key, e)) {
                    n += e.expiredAt(now) ? 0 : 1; // an expired key no longer exists for DEL
                }
            }
            return n;
        });
    }

    // ---------------------------------------------------------------------------------------------- flush

    /**
     * Drops the index and deletes every entry, the embedding cache, stats, window, miss-pending set and judge
     * verdicts. Keeps the
     * config, the registry, the protocol marker and the heartbeat.
     */
    @Override
    public Mono<Void> flush() {
        return Mono.fromRunnable(() -> {
            synchronized (indexLock) { // index and matrix go together (lock order: indexLock, then writeLock)
                index = null;
                synchronized (writeLock) {
                    entries.clear();
                    fifo.clear();
                    matrix = null;
                }
            }
            embeddings.clear();
            synchronized (stats) {
                stats.clear();
            }
            window.clear();
            pending.clear();
            verdicts.clear();
        });
    }

    // ---------------------------------------------------------------------------------------------- discovery

    @Override
    public Mono<String> readRegistryMarker() {
        return Mono.fromCallable(() -> shared.registryMarker(keys.name()).orElse(null));
    }

    @Override
    public Mono<Void> writeRegistryMarker(String markerJson) {
        return Mono.fromRunnable(() -> shared.putRegistryMarker(keys.name(), markerJson));
    }

    @Override
    public Mono<Void> writeProtocolMarker() {
        return Mono.fromRunnable(() -> shared.setProtocolIfAbsent("1"));
    }

    @Override
    public Mono<Void> writeHeartbeat(String isoTime, Duration ttl) {
        return Mono.fromRunnable(() -> shared.putHeartbeat(keys.name(), isoTime, ttl.toSeconds()));
    }

    @Override
    public Mono<Void> deleteHeartbeat() {
        return Mono.fromRunnable(() -> shared.deleteHeartbeat(keys.name()));
    }

    /** {@code GET __betterdb:heartbeat:{name}}. */
    public Optional<String> heartbeat() {
        return shared.heartbeat(keys.name());
    }

    /** {@code GET __betterdb:protocol}. */
    public Optional<String> protocolMarker() {
        return shared.protocol();
    }

    /** Nothing to release; the data stays for other caches on the same store (like keys on a server). */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "InMemoryCacheStore{" + keys.name() + ", entries=" + entries.size() + ", index=" + index + '}';
    }
}
