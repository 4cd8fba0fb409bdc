package com.betterdb.semanticcache.store.valkey;

import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.testing.ForwardingCacheStore;
import com.betterdb.semanticcache.store.CacheStoreFactory;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.IndexDescriptor;
import com.betterdb.semanticcache.store.IndexStats;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * A {@link CacheStore} for a plain Valkey server without the valkey-search module: the FT.* parts of the SPI
 * ({@code ensureIndex}, {@code knn}, {@code deleteMatching}, {@code indexStats}) are answered in-process, every other
 * method goes to a real {@link ValkeyCacheStore}, so all bookkeeping, entries, embedding cache, config and discovery
 * keys are really written to Valkey.
 *
 * <ul>
 *   <li>{@code ensureIndex} subscribes the dimension probe (as the real store does when it creates an index) and
 *       answers {@code IndexDescriptor(dim, true)};</li>
 *   <li>{@code knn} answers {@link #knnAnswer} for the query vector (default: no candidates).</li>
 * </ul>
 */
public final class FakeSearchStore extends ForwardingCacheStore {

    private final CacheStore real;
    /** What {@code knn} returns for a query vector. */
    public final AtomicReference<Function<float[], List<Candidate>>> knnAnswer =
            new AtomicReference<>(v -> List.of());
    /** Every vector {@code knn} was asked about, in order. */
    public final List<float[]> knnQueries = new CopyOnWriteArrayList<>();

    public FakeSearchStore(CacheStore real) {
        this.real = real;
    }

    /** A factory over {@code connection} (not owned); {@code created} receives the store the cache opens. */
    public static CacheStoreFactory over(StatefulRedisConnection<byte[], byte[]> connection,
                                         Consumer<FakeSearchStore> created) {
        return keys -> {
            FakeSearchStore s = new FakeSearchStore(new ValkeyCacheStore(connection, false, keys));
            created.accept(s);
            return s;
        };
    }

    /** Answers every {@code knn} with {@code candidates}. */
    public void answer(Candidate... candidates) {
        List<Candidate> list = List.of(candidates);
        knnAnswer.set(v -> list);
    }

    @Override
    protected CacheStore delegate() {
        return real;
    }

    @Override
    public Mono<IndexDescriptor> ensureIndex(Mono<Integer> dimensionProbe) {
        return dimensionProbe.map(dim -> new IndexDescriptor(dim, true));
    }

    @Override
    public Mono<List<Candidate>> knn(float[] vector, int k, Filter filter) {
        return Mono.fromSupplier(() -> {
            knnQueries.add(vector.clone());
            List<Candidate> all = knnAnswer.get().apply(vector);
            return all.size() <= k ? all : all.subList(0, k);
        });
    }

    @Override
    public Mono<Integer> deleteMatching(Filter filter, int limit) {
        return Mono.just(0);
    }

    @Override
    public Mono<IndexStats> indexStats() {
        return Mono.just(new IndexStats(0, "0"));
    }
}
