package com.betterdb.semanticcache.search;

import com.betterdb.semanticcache.IndexInfo;
import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.testing.ValkeySearchServer;
import com.betterdb.semanticcache.testing.ValkeyServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Caches on a real valkey-search server for one test: each on its own connection (as separate application instances
 * would be), all closed, dropped and deleted by {@link #close()}.
 */
final class SearchCaches implements AutoCloseable {

    static final Duration T = Duration.ofSeconds(30);

    private final ValkeySearchServer server;
    private final List<SemanticCache> caches = new ArrayList<>();
    private final List<ValkeyServer.BinaryConnection> connections = new ArrayList<>();
    private final Set<String> names = new LinkedHashSet<>();

    SearchCaches(ValkeySearchServer server) {
        this.server = server;
    }

    /** A cache name no other test uses; dropped on close. */
    String newName(String prefix) {
        String name = server.uniqueCacheName(prefix);
        names.add(name);
        return name;
    }

    /** A cache (not initialised) named {@code name}, with the defaults of these tests changed by {@code custom}. */
    SemanticCache create(String name, EmbedFn embedFn, Consumer<SemanticCacheOptions.Builder> custom) {
        names.add(name);
        ValkeyServer.BinaryConnection c = server.openBinary();
        connections.add(c);
        SemanticCacheOptions.Builder b = SemanticCacheOptions.builder()
                .name(name)
                .store(CacheStores.valkey(c.connection()))
                .embedFn(embedFn)
                .meterRegistry(new SimpleMeterRegistry())
                .discovery(SemanticCacheOptions.Discovery.disabled())
                .configRefresh(SemanticCacheOptions.ConfigRefresh.disabled());
        custom.accept(b);
        SemanticCache cache = SemanticCache.create(b.build());
        caches.add(cache);
        return cache;
    }

    /** {@link #create} and {@code initialize()}. */
    SemanticCache initialized(String name, EmbedFn embedFn, Consumer<SemanticCacheOptions.Builder> custom) {
        SemanticCache cache = create(name, embedFn, custom);
        cache.initialize().block(T);
        return cache;
    }

    /**
     * Creates {@code <name>:idx} with the schema of an index made before the {@code binary_refs} attribute existed
     * (as an old package version would have), {@code dim} dimensions.
     */
    void createIndexWithoutBinaryRefs(String name, int dim) {
        server.call("FT.CREATE", name + ":idx", "ON", "HASH", "PREFIX", "1", name + ":entry:", "SCHEMA",
                "prompt", "TEXT", "NOSTEM", "response", "TEXT", "NOSTEM", "model", "TAG", "category", "TAG",
                "inserted_at", "NUMERIC", "SORTABLE", "embedding", "VECTOR", "HNSW", "6", "TYPE", "FLOAT32", "DIM",
                Integer.toString(dim), "DISTANCE_METRIC", "COSINE");
    }

    /** How many {@code <name>:entry:*} keys exist (SCAN: the keyspace itself, not the index, which may lag). */
    long entryKeyCount(String name) {
        long n = 0;
        io.lettuce.core.ScanCursor cursor = io.lettuce.core.ScanCursor.INITIAL;
        do {
            io.lettuce.core.KeyScanCursor<String> page = server.commands().scan(cursor,
                    io.lettuce.core.ScanArgs.Builder.matches(name + ":entry:*").limit(1000));
            n += page.getKeys().size();
            cursor = page;
        } while (!cursor.isFinished());
        return n;
    }

    /** Polls {@code indexInfo()} until it satisfies {@code ready} (valkey-search indexes asynchronously). */
    static IndexInfo await(SemanticCache cache, Predicate<IndexInfo> ready, String what) {
        long deadline = System.nanoTime() + T.toNanos();
        IndexInfo info = null;
        while (System.nanoTime() < deadline) {
            info = cache.indexInfo().block(T);
            if (ready.test(info)) {
                return info;
            }
            sleep(20);
        }
        throw new AssertionError("index of " + cache.name() + " not " + what + " within " + T + ": " + info);
    }

    /** Waits until the index holds {@code docs} documents and is ready. */
    static IndexInfo awaitDocs(SemanticCache cache, long docs) {
        return await(cache, i -> i.numDocs() == docs && "ready".equals(i.indexingState()), "ready with " + docs + " docs");
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (SemanticCache c : caches) {
            try {
                c.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        for (String n : names) {
            server.dropCache(n);
        }
        connections.forEach(ValkeyServer.BinaryConnection::close);
        if (first != null) {
            throw first;
        }
    }
}
