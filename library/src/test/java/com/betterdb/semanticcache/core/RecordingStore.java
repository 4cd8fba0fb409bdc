package com.betterdb.semanticcache.core;

import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.Bookkeeping;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import com.betterdb.semanticcache.store.IndexDescriptor;
import com.betterdb.semanticcache.store.IndexStats;
import com.betterdb.semanticcache.store.WindowRecord;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scripted {@link CacheStore} for unit tests of the core: searches answer from a queue of canned row lists (or a
 * function), and every write is recorded, the way the reference suites test against a mocked client.
 */
public class RecordingStore implements CacheStore {

    public record Search(float[] vector, int k, Filter filter) {
    }

    public record Put(String key, EntryRecord entry, Duration ttl) {
    }

    private final CacheKeys keys;
    public volatile IndexDescriptor existingIndex;
    public volatile RuntimeException ensureIndexError;
    public final AtomicInteger createdIndexes = new AtomicInteger();
    public final Deque<Object> searchReplies = new ArrayDeque<>();
    public volatile Function<Search, List<Candidate>> searchFunction;
    public final List<Search> searches = new CopyOnWriteArrayList<>();
    public final List<Put> puts = new CopyOnWriteArrayList<>();
    public final List<List<Bookkeeping>> recordCalls = new CopyOnWriteArrayList<>();
    public final Map<String, String> stats = Collections.synchronizedMap(new LinkedHashMap<>());
    public final Map<String, String> config = Collections.synchronizedMap(new LinkedHashMap<>());
    public volatile RuntimeException configError;
    public final AtomicInteger configReads = new AtomicInteger();
    public final List<WindowRecord> window = new CopyOnWriteArrayList<>();
    public final List<String> pending = new CopyOnWriteArrayList<>();
    public final Map<String, byte[]> embeddings = Collections.synchronizedMap(new HashMap<>());
    public final List<String> embeddingReads = new CopyOnWriteArrayList<>();
    public final List<Filter> deletes = new CopyOnWriteArrayList<>();
    public final Deque<Integer> deleteReplies = new ArrayDeque<>();
    public volatile IndexStats indexStats = new IndexStats(0, "unknown");
    public volatile RuntimeException indexStatsError;
    public final AtomicInteger flushes = new AtomicInteger();
    /** flush() completes only after this does. */
    public volatile Mono<Void> flushGate = Mono.empty();
    public volatile String registryMarker;
    public final List<String> heartbeats = new CopyOnWriteArrayList<>();
    public final AtomicInteger heartbeatDeletes = new AtomicInteger();
    public final AtomicInteger protocolWrites = new AtomicInteger();

    public RecordingStore(CacheKeys keys) {
        this.keys = keys;
    }

    /** Queues the rows of the next search. */
    public RecordingStore reply(Candidate... rows) {
        searchReplies.add(List.of(rows));
        return this;
    }

    /** Queues an error for the next search. */
    public RecordingStore replyError(RuntimeException e) {
        searchReplies.add(e);
        return this;
    }

    public static Candidate row(String key, double score, String... fieldValuePairs) {
        Map<String, String> f = new LinkedHashMap<>();
        for (int i = 0; i + 1 < fieldValuePairs.length; i += 2) {
            f.put(fieldValuePairs[i], fieldValuePairs[i + 1]);
        }
        return new Candidate(key, score, f);
    }

    public List<Bookkeeping> allBookkeeping() {
        List<Bookkeeping> all = new ArrayList<>();
        recordCalls.forEach(all::addAll);
        return all;
    }

    @Override
    public CacheKeys keys() {
        return keys;
    }

    @Override
    public Mono<IndexDescriptor> ensureIndex(Mono<Integer> dimensionProbe) {
        if (ensureIndexError != null) {
            return Mono.error(ensureIndexError);
        }
        if (existingIndex != null && existingIndex.dimension() > 0) {
            return Mono.just(existingIndex);
        }
        return dimensionProbe.map(d -> {
            createdIndexes.incrementAndGet();
            existingIndex = new IndexDescriptor(d, true);
            return existingIndex;
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public Mono<List<Candidate>> knn(float[] vector, int k, Filter filter) {
        return Mono.defer(() -> {
            Search s = new Search(vector, k, filter);
            searches.add(s);
            if (searchFunction != null) {
                return Mono.just(searchFunction.apply(s));
            }
            Object next;
            synchronized (searchReplies) {
                next = searchReplies.poll();
            }
            if (next instanceof RuntimeException e) {
                return Mono.error(e);
            }
            return Mono.just(next == null ? List.of() : (List<Candidate>) next);
        });
    }

    @Override
    public Mono<Void> putEntry(String key, EntryRecord entry, Duration ttl) {
        return Mono.fromRunnable(() -> puts.add(new Put(key, entry, ttl)));
    }

    @Override
    public Mono<Void> record(List<Bookkeeping> bookkeeping) {
        return Mono.fromRunnable(() -> {
            recordCalls.add(List.copyOf(bookkeeping));
            for (Bookkeeping b : bookkeeping) {
                stats.merge("total", "1", RecordingStore::add);
                stats.merge(b.hit() ? "hits" : "misses", "1", RecordingStore::add);
                if (b.costMicros() > 0) {
                    stats.merge("cost_saved_micros", Long.toString(b.costMicros()), RecordingStore::add);
                }
                if (b.windowMember() != null) {
                    window.add(new WindowRecord(b.windowMember(), b.nowMs()));
                }
                if (b.pendingMember() != null) {
                    pending.add(b.pendingMember());
                }
            }
        });
    }

    private static String add(String a, String b) {
        return Long.toString(Long.parseLong(a) + Long.parseLong(b));
    }

    @Override
    public Mono<Map<String, String>> readStats() {
        return Mono.fromCallable(() -> Map.copyOf(stats));
    }

    @Override
    public Mono<List<WindowRecord>> readWindow() {
        return Mono.fromCallable(() -> List.copyOf(window));
    }

    @Override
    public Mono<Map<String, String>> readConfig() {
        return Mono.defer(() -> {
            configReads.incrementAndGet();
            return configError != null ? Mono.error(configError) : Mono.just(Map.copyOf(config));
        });
    }

    @Override
    public Mono<List<String>> pendingMisses(long nowMs) {
        return Mono.fromCallable(() -> List.copyOf(pending));
    }

    @Override
    public Mono<Double> windowScore(String member) {
        return Mono.justOrEmpty(window.stream().filter(w -> w.member().equals(member)).map(WindowRecord::timestampMs)
                .findFirst());
    }

    @Override
    public Mono<Void> replaceWindowMember(String oldMember, String newMember, double score, String pendingEntry) {
        return Mono.fromRunnable(() -> {
            window.removeIf(w -> w.member().equals(oldMember));
            window.add(new WindowRecord(newMember, score));
            pending.remove(pendingEntry);
        });
    }

    @Override
    public Mono<Void> removePending(String pendingEntry) {
        return Mono.fromRunnable(() -> pending.remove(pendingEntry));
    }

    @Override
    public Mono<List<byte[]>> getEmbeddings(List<String> sha256Hex) {
        return Mono.fromCallable(() -> {
            List<byte[]> out = new ArrayList<>();
            for (String sha : sha256Hex) {
                embeddingReads.add(sha);
                out.add(embeddings.get(sha));
            }
            return out;
        });
    }

    @Override
    public Mono<Void> putEmbeddings(Map<String, byte[]> vectorsBySha256Hex, Duration ttl) {
        return Mono.fromRunnable(() -> embeddings.putAll(vectorsBySha256Hex));
    }

    @Override
    public Mono<Integer> deleteMatching(Filter filter, int limit) {
        return Mono.fromCallable(() -> {
            deletes.add(filter);
            Integer n;
            synchronized (deleteReplies) {
                n = deleteReplies.poll();
            }
            return n == null ? 0 : n;
        });
    }

    @Override
    public Mono<IndexStats> indexStats() {
        return indexStatsError != null ? Mono.error(indexStatsError) : Mono.just(indexStats);
    }

    @Override
    public Mono<Void> flush() {
        return flushGate.then(Mono.fromRunnable(() -> {
            flushes.incrementAndGet();
            existingIndex = null;
        }));
    }

    @Override
    public Mono<String> readRegistryMarker() {
        return Mono.justOrEmpty(registryMarker);
    }

    @Override
    public Mono<Void> writeRegistryMarker(String markerJson) {
        return Mono.fromRunnable(() -> registryMarker = markerJson);
    }

    @Override
    public Mono<Void> writeProtocolMarker() {
        return Mono.fromRunnable(protocolWrites::incrementAndGet);
    }

    @Override
    public Mono<Void> writeHeartbeat(String isoTime, Duration ttl) {
        return Mono.fromRunnable(() -> heartbeats.add(isoTime));
    }

    @Override
    public Mono<Void> deleteHeartbeat() {
        return Mono.fromRunnable(heartbeatDeletes::incrementAndGet);
    }
}
