package com.betterdb.semanticcache.testing;

import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.CacheStoreFactory;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import com.betterdb.semanticcache.store.SearchOutcome;
import com.betterdb.semanticcache.store.SearchRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Makes the rule "no test may depend on the order of equal distances" enforceable. Wraps a store and puts every
 * group of KNN candidates with the <b>same score</b> in a chosen, deterministic order, which also decides which of
 * them survive the {@code k} cut. Distinct scores keep the wrapped store's order.
 *
 * <p>Why: valkey-search's HNSW returns equally distant documents in no defined order (and either of them at the cut).
 * The in-memory store breaks ties by key, and the cache's keys are random UUIDs, so a test relying on one tie order
 * passes or fails there by chance and fails on a real server. Run such a test once per {@link Order} (e.g. a
 * {@code @ParameterizedClass} over {@code @EnumSource(TieOrderStore.Order.class)}): the two orders are exact opposites
 * over the same writes, so for every tie the first candidate differs between the runs and a test that expects a
 * particular one fails in one of them, in every build.
 *
 * <p>The order is by the time this wrapper saw an entry written ({@code putEntry}/{@code putEntries}; a rewrite
 * counts anew); entries written behind its back come last in {@link Order#FIRST_WRITTEN_FIRST} (first in the other),
 * by key. To choose at the cut, it asks the wrapped store for {@code k + 1} candidates, and for twice as many again
 * while the last one still ties with the {@code k}-th, so a whole tie group is seen before it is ordered and cut.
 */
public final class TieOrderStore extends ForwardingCacheStore {

  /** The order of equally distant candidates. */
  public enum Order {
    /** The entry written earliest first. */
    FIRST_WRITTEN_FIRST,
    /** The entry written latest first: the exact reverse of {@link #FIRST_WRITTEN_FIRST}. */
    LAST_WRITTEN_FIRST
  }

  private static final long NOT_SEEN = Long.MAX_VALUE;

  private final CacheStore delegate;
  private final Order order;
  private final Map<String, Long> writtenAt = new ConcurrentHashMap<>();
  private final AtomicLong clock = new AtomicLong();
  private final Comparator<Candidate> tieOrder;

  public TieOrderStore(CacheStore delegate, Order order) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.order = Objects.requireNonNull(order, "order");
    Comparator<Candidate> firstWritten = Comparator.<Candidate>comparingLong(c -> writtenAt.getOrDefault(c.key(),
        NOT_SEEN)).thenComparing(Candidate::key);
    this.tieOrder = order == Order.FIRST_WRITTEN_FIRST ? firstWritten : firstWritten.reversed();
  }

  /** Every store {@code factory} opens, wrapped. */
  public static CacheStoreFactory wrap(CacheStoreFactory factory, Order order) {
    Objects.requireNonNull(factory, "factory");
    Objects.requireNonNull(order, "order");
    return keys -> new TieOrderStore(factory.open(keys), order);
  }

  public Order order() {
    return order;
  }

  @Override
  protected CacheStore delegate() {
    return delegate;
  }

  @Override
  public Mono<Void> putEntry(String key, EntryRecord entry, Duration ttl) {
    return Mono.defer(() -> {
      seen(key);
      return delegate.putEntry(key, entry, ttl);
    });
  }

  @Override
  public Mono<Void> putEntries(List<String> keys, List<EntryRecord> entries, List<Duration> ttls) {
    return Mono.defer(() -> {
      keys.forEach(this::seen);
      return delegate.putEntries(keys, entries, ttls);
    });
  }

  private void seen(String key) {
    writtenAt.put(key, clock.incrementAndGet());
  }

  @Override
  public Mono<List<Candidate>> knn(float[] vector, int k, Filter filter) {
    if (k <= 0) {
      return delegate.knn(vector, k, filter);
    }
    return knn(vector, k, filter, k + 1);
  }

  private Mono<List<Candidate>> knn(float[] vector, int k, Filter filter, int asked) {
    return delegate.knn(vector, asked, filter).flatMap(found -> tieMayGoOn(found, k, asked)
        ? knn(vector, k, filter, Math.multiplyExact(asked, 2))
        : Mono.just(orderTies(found, k)));
  }

  @Override
  public Flux<SearchOutcome> knnAll(List<SearchRequest> requests) {
    List<SearchRequest> wider = requests.stream()
        .map(r -> new SearchRequest(r.vector(), r.k() + 1, r.filter())).toList();
    return delegate.knnAll(wider).index().concatMap(t -> {
      SearchRequest r = requests.get(t.getT1().intValue());
      SearchOutcome o = t.getT2();
      if (o.error() != null) {
        return Mono.just(o);
      }
      if (tieMayGoOn(o.candidates(), r.k(), r.k() + 1)) {
        return knn(r.vector(), r.k(), r.filter()).map(SearchOutcome::ok);
      }
      return Mono.just(SearchOutcome.ok(orderTies(o.candidates(), r.k())));
    });
  }

  /** Whether the answer is full and its last candidate ties with the k-th: more may share that score. */
  private static boolean tieMayGoOn(List<Candidate> found, int k, int asked) {
    return found.size() == asked && found.size() > k && sameScore(found.get(asked - 1), found.get(k - 1));
  }

  /** {@code sorted} (closest first) with each run of equal scores put in this store's tie order, cut to {@code k}. */
  List<Candidate> orderTies(List<Candidate> sorted, int k) {
    List<Candidate> out = new ArrayList<>(sorted);
    int from = 0;
    while (from < out.size()) {
      int to = from + 1;
      while (to < out.size() && sameScore(out.get(to), out.get(from))) {
        to++;
      }
      out.subList(from, to).sort(tieOrder);
      from = to;
    }
    return List.copyOf(out.subList(0, Math.min(k, out.size())));
  }

  private static boolean sameScore(Candidate a, Candidate b) {
    return Double.compare(a.score(), b.score()) == 0;
  }

  @Override
  public String toString() {
    return "TieOrderStore(" + order + ", " + delegate + ")";
  }
}
