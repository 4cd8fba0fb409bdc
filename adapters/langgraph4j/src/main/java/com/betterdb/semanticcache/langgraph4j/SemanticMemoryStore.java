package com.betterdb.semanticcache.langgraph4j;

import com.betterdb.semanticcache.CacheEntry;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.filter.Filter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A semantic memory store for agents: items put and got by namespace and key, and searched by meaning. The items live
 * in a {@link SemanticCache} as ordinary entries, in the layout of BetterDB's Python and TypeScript LangGraph stores
 * ({@code BetterDBSemanticStore}), so the three share one dataset: an item written by any of them is found by key and
 * by similarity by the others.
 *
 * <ul>
 *   <li>entry {@code category} = the namespace joined with {@code :}, every {@code .} and {@code /} replaced by
 *       {@code _} ({@link #category(List)}); {@code metadata} = {@code {"key":..., "namespace": "a:b"}};</li>
 *   <li>entry {@code response} = the item JSON; embedded text = {@code value[embedField]} when it is a string, else
 *       the value's compact JSON.</li>
 * </ul>
 *
 * <p>LangGraph4j {@value #TESTED_VERSION} has no store interface (only checkpoint savers), so this is a standalone
 * class: use it from any node, e.g. {@code store.search(ns, query, 5).block()} in a {@code NodeAction}, or hand it to
 * nodes through the run's config with {@link LangGraphMemory}. Every method returns a {@link Mono} and initialises the
 * cache first ({@code initialize()} is idempotent).
 *
 * <p>Differences from the reference stores, on purpose: failures (Valkey down, index missing) propagate instead of
 * reading as "no item" or "no results"; a put keeps the {@code createdAt} of the item it replaces; an empty namespace
 * is rejected.
 */
public final class SemanticMemoryStore {

    /** The langgraph4j-core version this store is tested with. */
    public static final String TESTED_VERSION = "1.8.17";
    /** Default field of a value whose text is embedded. */
    public static final String DEFAULT_EMBED_FIELD = "content";
    /** Default result count of {@link #search}. */
    public static final int DEFAULT_LIMIT = 10;

    /** Page size of the category scans (get, delete), as in the reference stores. */
    static final int PAGE = 100;

    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final SemanticCache cache;
    private final String embedField;

    public SemanticMemoryStore(SemanticCache cache) {
        this(cache, DEFAULT_EMBED_FIELD);
    }

    /** @param embedField the value field whose string is embedded (default {@value #DEFAULT_EMBED_FIELD}) */
    public SemanticMemoryStore(SemanticCache cache, String embedField) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.embedField = Objects.requireNonNull(embedField, "embedField");
    }

    /** The entry category of a namespace: segments joined with {@code :}, then {@code .} and {@code /} → {@code _}. */
    public static String category(List<String> namespace) {
        return namespaceKey(namespace).replace('.', '_').replace('/', '_');
    }

    // ------------------------------------------------------------------------------------------------------ writes

    /**
     * Stores {@code value} at namespace/key, replacing every item with that key in the namespace (upsert). The new
     * item keeps the {@code createdAt} of the oldest item it replaces.
     */
    public Mono<Void> put(List<String> namespace, String key, Map<String, ?> value) {
        List<String> ns = requireNamespace(namespace);
        Objects.requireNonNull(key, "key");
        Map<String, Object> v = new LinkedHashMap<>(Objects.requireNonNull(value, "value"));
        return cache.initialize()
                .then(remove(ns, key))
                .flatMap(removed -> {
                    String now = ISO_MILLIS.format(Instant.ofEpochMilli(cache.options().clock().millis()));
                    String created = removed.createdAt.isEmpty() ? now : removed.createdAt;
                    Item item = new Item(ns, key, v, created, now);
                    Map<String, Object> metadata = new LinkedHashMap<>();
                    metadata.put("key", key);
                    metadata.put("namespace", namespaceKey(ns));
                    return cache.store(embedText(v), ItemJson.write(item), StoreOptions.builder()
                            .category(category(ns)).metadata(metadata).build());
                })
                .then();
    }

    /**
     * Deletes every item with {@code key} in the namespace; emits how many entries were deleted. Pages through the
     * namespace 100 entries at a time, oldest first; after a page in which something was deleted it starts over (the
     * deletions shift the pages), and it stops at a short page where nothing was deleted.
     */
    public Mono<Long> delete(List<String> namespace, String key) {
        List<String> ns = requireNamespace(namespace);
        Objects.requireNonNull(key, "key");
        return cache.initialize().then(remove(ns, key)).map(r -> r.deleted);
    }

    /** A put (value present) or delete (value {@code null}) of one item. */
    public record Write(List<String> namespace, String key, Map<String, ?> value) {
        public Write {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(key, "key");
        }

        public static Write put(List<String> namespace, String key, Map<String, ?> value) {
            return new Write(namespace, key, Objects.requireNonNull(value, "value"));
        }

        public static Write delete(List<String> namespace, String key) {
            return new Write(namespace, key, null);
        }
    }

    /** Applies the writes one after the other (two writes of one key never interleave). */
    public Mono<Void> batch(List<Write> writes) {
        return Flux.fromIterable(List.copyOf(writes))
                .concatMap(w -> w.value() == null ? delete(w.namespace(), w.key()).then() : put(w.namespace(), w.key(),
                        w.value()))
                .then();
    }

    // ------------------------------------------------------------------------------------------------------ reads

    /** The item at namespace/key (the first found, oldest first), or empty. */
    public Mono<Item> get(List<String> namespace, String key) {
        List<String> ns = requireNamespace(namespace);
        Objects.requireNonNull(key, "key");
        Filter filter = Filter.category(category(ns));
        return cache.initialize().then(findPage(filter, ns, key, 0));
    }

    private Mono<Item> findPage(Filter filter, List<String> ns, String key, int offset) {
        return cache.entries(filter, offset, PAGE).flatMap(rows -> {
            for (CacheEntry e : rows) {
                var item = ItemJson.read(e.response(), ns);
                if (item.isPresent() && item.get().key().equals(key)) {
                    return Mono.just(item.get());
                }
            }
            return rows.size() < PAGE ? Mono.empty() : findPage(filter, ns, key, offset + PAGE);
        });
    }

    /** {@link #search(List, String, int, Double)} with the cache's default threshold. */
    public Mono<List<Item>> search(List<String> namespace, String query, int limit) {
        return search(namespace, query, limit, null);
    }

    /**
     * With a query: the items of the namespace nearest to it, closest first, at most {@code limit}, within
     * {@code threshold} (cosine distance; {@code null} = the cache's effective default threshold). Without a query
     * ({@code null} or empty): the namespace's first {@code limit} items, oldest first.
     */
    public Mono<List<Item>> search(List<String> namespace, String query, int limit, Double threshold) {
        List<String> ns = requireNamespace(namespace);
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        Filter filter = Filter.category(category(ns));
        Mono<List<CacheEntry>> rows = query == null || query.isEmpty()
                ? cache.entries(filter, 0, limit)
                : Mono.defer(() -> cache.similarEntries(query, limit, filter,
                        threshold != null ? threshold : cache.currentConfig().defaultThreshold()));
        return cache.initialize().then(rows).map(list -> {
            List<Item> items = new ArrayList<>(list.size());
            for (CacheEntry e : list) {
                ItemJson.read(e.response(), ns).ifPresent(items::add);
            }
            return items;
        });
    }

    // ------------------------------------------------------------------------------------------------------ internals

    private record Removed(long deleted, String createdAt) {
        Removed plus(long n, String created) {
            String c = createdAt.isEmpty() || (!created.isEmpty() && created.compareTo(createdAt) < 0) ? created
                    : createdAt;
            return new Removed(deleted + n, c);
        }
    }

    private Mono<Removed> remove(List<String> ns, String key) {
        return removePage(Filter.category(category(ns)), key, 0, new Removed(0, ""));
    }

    private Mono<Removed> removePage(Filter filter, String key, int offset, Removed sofar) {
        return cache.entries(filter, offset, PAGE).flatMap(rows -> {
            List<String> targets = new ArrayList<>();
            String created = "";
            for (CacheEntry e : rows) {
                var item = ItemJson.read(e.response(), List.of());
                if (item.isPresent() && item.get().key().equals(key)) {
                    targets.add(e.key());
                    String c = item.get().createdAt();
                    if (created.isEmpty() || (!c.isEmpty() && c.compareTo(created) < 0)) {
                        created = c;
                    }
                }
            }
            Mono<Long> deleted = targets.isEmpty() ? Mono.just(0L) : cache.deleteEntries(targets);
            String createdHere = created;
            return deleted.flatMap(n -> {
                Removed now = sofar.plus(n, createdHere);
                if (n > 0) {
                    return removePage(filter, key, 0, now); // deletions shifted the pages: start over
                }
                // Nothing deleted here (no match, or the index still lists entries already gone): move on.
                return rows.size() < PAGE ? Mono.just(now) : removePage(filter, key, offset + PAGE, now);
            });
        });
    }

    private String embedText(Map<String, Object> value) {
        return value.get(embedField) instanceof String s ? s : ItemJson.compact(value);
    }

    private static String namespaceKey(List<String> namespace) {
        return String.join(":", namespace);
    }

    private static List<String> requireNamespace(List<String> namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (namespace.isEmpty()) {
            throw new IllegalArgumentException("namespace must have at least one segment");
        }
        for (String s : namespace) {
            Objects.requireNonNull(s, "namespace segment");
        }
        return List.copyOf(namespace);
    }
}
