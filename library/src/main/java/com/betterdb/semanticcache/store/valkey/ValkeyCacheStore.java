package com.betterdb.semanticcache.store.valkey;

import com.betterdb.semanticcache.ValkeyCommandError;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.store.Bookkeeping;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.store.EntryRecord;
import com.betterdb.semanticcache.store.IndexDescriptor;
import com.betterdb.semanticcache.store.IndexStats;
import com.betterdb.semanticcache.store.SearchOutcome;
import com.betterdb.semanticcache.store.SearchRequest;
import com.betterdb.semanticcache.store.WindowRecord;
import com.betterdb.semanticcache.store.valkey.protocol.FtCommands;
import com.betterdb.semanticcache.store.valkey.protocol.FtKeywords;
import com.betterdb.semanticcache.store.valkey.protocol.FtInfo;
import com.betterdb.semanticcache.store.valkey.protocol.FtReplies;
import com.betterdb.semanticcache.store.valkey.protocol.FtSearchOutput;
import com.betterdb.semanticcache.store.valkey.protocol.GenericReplyOutput;
import com.betterdb.semanticcache.store.valkey.protocol.IndexErrors;
import com.betterdb.semanticcache.internal.Float32;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.BooleanOutput;
import io.lettuce.core.output.DoubleOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.MapOutput;
import io.lettuce.core.output.ScoredValueListOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.output.ValueListOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.output.KeyScanOutput;
import io.lettuce.core.KeyScanCursor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Valkey + valkey-search store: the shared data format of docs/data-format.md, through Lettuce.
 *
 * <ul>
 *   <li>FT.* commands are sent through {@code dispatch} with this library's own encoders and typed outputs
 *       ({@code protocol} package), tested against real valkey-search replies in RESP2 and RESP3.</li>
 *   <li>KNN lookups ask only for the fields a decision needs ({@code RETURN}), so the vector of each hit is not
 *       shipped back. The entry data is untouched by that.</li>
 *   <li>Groups of writes (a check's bookkeeping, a batch's entries) go out as one {@link Pipeline}.</li>
 *   <li>{@code FT.SEARCH} and entry writes can go over separate search connections ({@link Lanes}, at most
 *       {@link ValkeyStoreOptions#pipelineDepth()} in flight on each): valkey-search blocks a connection for each of
 *       them, so one connection keeps one server worker busy; everything else goes to the first connection.</li>
 *   <li>Replies complete on the Netty event loop; results are handed to {@code Schedulers.parallel()} before any
 *       cache logic runs, so the event loop only decodes.</li>
 * </ul>
 *
 * <p>Works on a standalone connection ({@code StatefulRedisConnection}) and on a cluster connection
 * ({@code StatefulRedisClusterConnection}); what differs is in {@link Keyspace}: on a cluster, multi-key {@code DEL}
 * and {@code MGET} become pipelined single-key commands (no key carries a hash tag, so keys span slots), and
 * {@code flush()} scans every primary. Every other command is single-key and routed by Lettuce by its key's slot.
 * {@code FT.*} commands are keyless and go to the node Lettuce picks for keyless commands. With valkey-search's
 * coordinator ({@code --use-coordinator}) that node spreads {@code FT.CREATE}/{@code FT.DROPINDEX} to every shard and
 * fans searches out; {@code indexStats()} asks for the cluster-wide counts (tested on a real 3-primary cluster).
 */
public final class ValkeyCacheStore implements CacheStore {

    static final long WINDOW_MAX_AGE_MS = 7L * 24 * 3600 * 1000;
    static final long WINDOW_MAX_MEMBERS = 10_000;
    static final long PENDING_MAX_AGE_MS = 300_000;
    private static final int SCAN_COUNT = 100;
    /** valkey-search's reply to a scoped {@code FT.INFO} without its coordinator (or standalone). */
    static final String SCOPE_NOT_VALID = "option is not valid in this configuration";
    /** How long an invalidation search may keep returning deleted keys before it gives up with an error. */
    static final Duration STALE_SEARCH_BUDGET = Duration.ofSeconds(5);
    private static final Duration STALE_SEARCH_PAUSE = Duration.ofMillis(10);

    private final StatefulConnection<byte[], byte[]> connection;
    /** Where FT.SEARCH and entry writes go (see {@link Lanes}): every connection but the first, if there are several. */
    private final Lanes lanes;
    private final List<StatefulConnection<byte[], byte[]>> allConnections;
    /** The unfiltered k = 1 KNN query, the usual one, encoded once. */
    private final byte[] knnQueryAll;
    private final Keyspace keyspace;
    private final boolean ownsConnection;
    private final CacheKeys keys;
    private final byte[] indexName;
    private final byte[] statsKey;
    private final byte[] windowKey;
    private final byte[] pendingKey;
    private final byte[] verdictsKey;
    private final byte[] configKey;
    private final byte[] heartbeatKey;
    private final byte[] nameBytes;
    private static final byte[] REGISTRY = bytes(CacheKeys.REGISTRY_KEY);
    private static final byte[] PROTOCOL = bytes(CacheKeys.PROTOCOL_KEY);
    private static final byte[] F_TOTAL = bytes("total");
    private static final byte[] F_HITS = bytes("hits");
    private static final byte[] F_MISSES = bytes("misses");
    private static final byte[] F_COST = bytes("cost_saved_micros");
    private static final byte[] EMBEDDING = bytes(EntryRecord.EMBEDDING_FIELD);

    /**
     * @param connection a byte-array connection: a {@code StatefulRedisConnection} (standalone) or a
     *     {@code StatefulRedisClusterConnection} (cluster)
     */
    public ValkeyCacheStore(StatefulConnection<byte[], byte[]> connection, boolean ownsConnection, CacheKeys keys) {
        this(List.of(java.util.Objects.requireNonNull(connection, "connection")), ownsConnection, keys,
                ValkeyStoreOptions.defaults());
    }

    /**
     * A store over several connections to one standalone server: the first carries every command but
     * {@code FT.SEARCH} and entry writes, which are spread over the others (at most
     * {@link ValkeyStoreOptions#pipelineDepth()} in flight on each). With a single connection it carries everything.
     * {@link ValkeyStoreOptions#searchConnections()} is not used here (the list is what it is).
     *
     * @param ownsConnections whether {@link #close()} closes them
     */
    public ValkeyCacheStore(List<? extends StatefulConnection<byte[], byte[]>> connections, boolean ownsConnections,
                            CacheKeys keys, ValkeyStoreOptions options) {
        if (connections.isEmpty()) {
            throw new IllegalArgumentException("at least one connection is needed");
        }
        StatefulConnection<byte[], byte[]> connection = connections.get(0);
        if (connections.size() > 1 && connections.stream().anyMatch(c -> c instanceof StatefulRedisClusterConnection)) {
            throw new IllegalArgumentException("several connections are for a standalone server; pass one cluster"
                    + " connection");
        }
        this.connection = connection;
        this.lanes = new Lanes(connections.size() == 1 ? connections : connections.subList(1, connections.size()),
                options.pipelineDepth());
        this.allConnections = List.copyOf(connections);
        this.keyspace = Keyspace.of(connection);
        this.ownsConnection = ownsConnections;
        this.keys = keys;
        this.indexName = bytes(keys.indexName());
        this.statsKey = bytes(keys.statsKey());
        this.windowKey = bytes(keys.windowKey());
        this.pendingKey = bytes(keys.missPendingKey());
        this.verdictsKey = bytes(keys.judgeVerdictsKey());
        this.configKey = bytes(keys.configKey());
        this.heartbeatKey = bytes(keys.heartbeatKey());
        this.nameBytes = bytes(keys.name());
        this.knnQueryAll = bytes(FtCommands.knnQuery(null, 1));
    }

    @Override
    public CacheKeys keys() {
        return keys;
    }

    // ---------------------------------------------------------------------------------------------- index

    @Override
    public Mono<IndexDescriptor> ensureIndex(Mono<Integer> dimensionProbe) {
        return info()
                .flatMap(info -> info.dimension() > 0
                        ? Mono.just(new IndexDescriptor(info.dimension(), info.hasBinaryRefs()))
                        : dimensionProbe.map(dim -> new IndexDescriptor(dim, info.hasBinaryRefs())))
                .onErrorResume(e -> e instanceof ValkeyCommandError v && IndexErrors.isIndexMissing(v.getCause()),
                        e -> dimensionProbe.flatMap(this::create));
    }

    private Mono<IndexDescriptor> create(int dim) {
        return single(FtKeywords.CREATE, () -> new StatusOutput<>(ByteArrayCodec.INSTANCE),
                FtCommands.createIndex(keys.indexName(), keys.entryPrefix(), dim))
                .map(ok -> new IndexDescriptor(dim, true))
                // Another instance created it between our FT.INFO and FT.CREATE: use theirs.
                .onErrorResume(e -> String.valueOf(e.getMessage()).contains("already exists"),
                        e -> info().map(i -> new IndexDescriptor(i.dimension() > 0 ? i.dimension() : dim, i.hasBinaryRefs())))
                .onErrorMap(e -> !(e instanceof ValkeyCommandError), e -> new ValkeyCommandError("FT.CREATE", e));
    }

    private Mono<FtInfo> info() {
        return info(FtCommands.info(keys.indexName()));
    }

    private Mono<FtInfo> info(CommandArgs<byte[], byte[]> args) {
        return single(FtKeywords.INFO, () -> new GenericReplyOutput(), args)
                .publishOn(Schedulers.parallel())
                .map(FtReplies::parseInfo)
                .onErrorMap(e -> !(e instanceof ValkeyCommandError), e -> new ValkeyCommandError("FT.INFO", e));
    }

    /**
     * {@code FT.INFO}. On a cluster, plain {@code FT.INFO} describes the shard of the node that receives it, so the
     * document count comes from {@code FT.INFO idx PRIMARY} and the state from {@code FT.INFO idx CLUSTER} (valkey-search
     * with its coordinator); a module without the coordinator rejects the scopes, and the receiving node's view is
     * all there is.
     */
    @Override
    public Mono<IndexStats> indexStats() {
        Mono<IndexStats> local = info().map(i -> new IndexStats(i.numDocs(), i.indexingState()));
        if (!keyspace.isCluster()) {
            return local;
        }
        return Mono.zip(info(FtCommands.info(keys.indexName(), FtCommands.InfoScope.PRIMARY)),
                        info(FtCommands.info(keys.indexName(), FtCommands.InfoScope.CLUSTER)))
                .map(t -> new IndexStats(t.getT1().numDocs(), t.getT2().indexingState()))
                .onErrorResume(e -> String.valueOf(e.getMessage()).contains(SCOPE_NOT_VALID), e -> local);
    }

    // ---------------------------------------------------------------------------------------------- search

    @Override
    public Mono<List<Candidate>> knn(float[] vector, int k, Filter filter) {
        return Mono.defer(() -> {
                    Pipeline p = new Pipeline(1);
                    AsyncCommand<byte[], byte[], List<Candidate>> search = p.add(FtKeywords.SEARCH, new FtSearchOutput(),
                            knnArgs(vector, k, filter));
                    lanes.submit(p);
                    return Mono.fromCompletionStage(search);
                })
                .publishOn(Schedulers.parallel())
                .onErrorMap(e -> new ValkeyCommandError("FT.SEARCH", e));
    }

    /** All searches of a batch are written in one go; each result is independent. */
    @Override
    public Flux<SearchOutcome> knnAll(List<SearchRequest> requests) {
        return Mono.defer(() -> {
                    Pipeline p = new Pipeline(requests.size());
                    List<AsyncCommand<byte[], byte[], List<Candidate>>> searches = new ArrayList<>(requests.size());
                    for (SearchRequest r : requests) {
                        searches.add(p.add(FtKeywords.SEARCH, new FtSearchOutput(), knnArgs(r.vector(), r.k(), r.filter())));
                    }
                    return Mono.fromCompletionStage(lanes.submit(p)).thenReturn(searches);
                })
                .publishOn(Schedulers.parallel())
                .flatMapIterable(searches -> {
                    List<SearchOutcome> out = new ArrayList<>(searches.size());
                    for (AsyncCommand<byte[], byte[], List<Candidate>> s : searches) {
                        try {
                            out.add(SearchOutcome.ok(s.toCompletableFuture().join()));
                        } catch (RuntimeException e) {
                            Throwable cause = e.getCause() != null ? e.getCause() : e;
                            out.add(SearchOutcome.failed(new ValkeyCommandError("FT.SEARCH", cause)));
                        }
                    }
                    return out;
                });
    }

    /**
     * The KNN search of one lookup. On a cluster the query names the index's {@code EF_RUNTIME}: valkey-search's
     * coordinator does not apply the index default to the shards' searches, which then occasionally miss the
     * nearest entry ({@link FtCommands#knnQuery(String, int, int)}).
     */
    private CommandArgs<byte[], byte[]> knnArgs(float[] vector, int k, Filter filter) {
        boolean all = filter == null || filter instanceof Filter.All;
        byte[] query;
        if (keyspace.isCluster()) {
            query = bytes(FtCommands.knnQuery(all ? null : filter.toQuery(), k, Math.max(k, FtCommands.DEFAULT_EF_RUNTIME)));
        } else {
            query = all && k == 1 ? knnQueryAll : bytes(FtCommands.knnQuery(all ? null : filter.toQuery(), k));
        }
        return FtCommands.knnSearch(indexName, query, Float32.encode(vector), k);
    }

    // ---------------------------------------------------------------------------------------------- entries

    @Override
    public Mono<Void> putEntry(String key, EntryRecord entry, Duration ttl) {
        return putEntries(List.of(key), List.of(entry), java.util.Collections.singletonList(ttl));
    }

    @Override
    public Mono<Void> putEntries(List<String> keyList, List<EntryRecord> entries, List<Duration> ttls) {
        return Mono.defer(() -> {
            Pipeline p = new Pipeline(keyList.size() * 2);
            List<AsyncCommand<byte[], byte[], Long>> hsets = new ArrayList<>(keyList.size());
            for (int i = 0; i < keyList.size(); i++) {
                byte[] key = bytes(keyList.get(i));
                CommandArgs<byte[], byte[]> args = Pipeline.args().addKey(key);
                boolean embeddingWritten = false;
                for (Map.Entry<String, String> f : entries.get(i).fields().entrySet()) {
                    args.add(bytes(f.getKey())).add(bytes(f.getValue()));
                    if (!embeddingWritten && f.getKey().equals("metadata")) {
                        args.add(EMBEDDING).add(entries.get(i).embedding());
                        embeddingWritten = true;
                    }
                }
                if (!embeddingWritten) {
                    args.add(EMBEDDING).add(entries.get(i).embedding());
                }
                hsets.add(p.add(CommandType.HSET, new IntegerOutput<>(ByteArrayCodec.INSTANCE), args));
                Duration ttl = ttls.get(i);
                if (ttl != null) {
                    p.add(CommandType.EXPIRE, new BooleanOutput<>(ByteArrayCodec.INSTANCE),
                            Pipeline.args().addKey(key).add(ttl.toSeconds()));
                }
            }
            return Mono.fromCompletionStage(lanes.submit(p)).then(Mono.fromCallable(() -> {
                for (AsyncCommand<byte[], byte[], Long> h : hsets) {
                    try {
                        h.toCompletableFuture().join();
                    } catch (RuntimeException e) {
                        throw new ValkeyCommandError("HSET", e.getCause() != null ? e.getCause() : e);
                    }
                }
                return null;
            }));
        }).then();
    }

    // ---------------------------------------------------------------------------------------------- bookkeeping

    /** One pipeline: counters summed over the group, one ZADD per zset, one trim each, TTL refreshes, deletes. */
    @Override
    public Mono<Void> record(List<Bookkeeping> bookkeeping) {
        return Mono.defer(() -> {
            if (bookkeeping.isEmpty()) {
                return Mono.empty();
            }
            Bookkeeping.Totals totals = Bookkeeping.totals(bookkeeping);
            long now = totals.latestMs();
            CommandArgs<byte[], byte[]> windowAdd = null;
            CommandArgs<byte[], byte[]> pendingAdd = null;
            CommandArgs<byte[], byte[]> verdictAdd = null;
            Pipeline p = new Pipeline();
            for (Bookkeeping b : bookkeeping) {
                if (b.windowMember() != null) {
                    if (windowAdd == null) {
                        windowAdd = Pipeline.args().addKey(windowKey);
                    }
                    windowAdd.add(b.nowMs()).add(bytes(b.windowMember()));
                }
                if (b.pendingMember() != null) {
                    if (pendingAdd == null) {
                        pendingAdd = Pipeline.args().addKey(pendingKey);
                    }
                    pendingAdd.add(b.nowMs()).add(bytes(b.pendingMember()));
                }
                if (b.verdictMember() != null) {
                    if (verdictAdd == null) {
                        verdictAdd = Pipeline.args().addKey(verdictsKey);
                    }
                    verdictAdd.add(b.nowMs()).add(bytes(b.verdictMember()));
                }
            }
            p.add(CommandType.HINCRBY, new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                    Pipeline.args().addKey(statsKey).add(F_TOTAL).add(totals.total()));
            if (totals.hits() > 0) {
                p.add(CommandType.HINCRBY, new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                        Pipeline.args().addKey(statsKey).add(F_HITS).add(totals.hits()));
            }
            if (totals.misses() > 0) {
                p.add(CommandType.HINCRBY, new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                        Pipeline.args().addKey(statsKey).add(F_MISSES).add(totals.misses()));
            }
            if (windowAdd != null) {
                p.add(CommandType.ZADD, new IntegerOutput<>(ByteArrayCodec.INSTANCE), windowAdd);
                // Inclusive bound: members exactly 7 days old go.
                p.add(CommandType.ZREMRANGEBYSCORE, new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                        Pipeline.args().addKey(windowKey).add("-inf").add(Long.toString(now - WINDOW_MAX_AGE_MS)));
                p.add(CommandType.ZREMRANGEBYRANK, new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                        Pipeline.args().addKey(windowKey).add(0).add(-(WINDOW_MAX_MEMBERS + 1)));
            }
            if (pendingAdd != null) {
                p.add(CommandType.ZADD, new IntegerOutput<>(ByteArrayCodec.INSTANCE), pendingAdd);
                p.add(CommandType.ZREMRANGEBYSCORE, new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                        Pipeline.args().addKey(pendingKey).add("-inf").add("(" + (now - PENDING_MAX_AGE_MS)));
            }
            if (verdictAdd != null) {
                p.add(CommandType.ZADD, new IntegerOutput<>(ByteArrayCodec.INSTANCE), verdictAdd);
                p.add(CommandType.ZREMRANGEBYSCORE, new IntegerOutput<>(ByteArrayCodec.INSTANCE), Pipeline.args()
                        .addKey(verdictsKey).add("-inf").add(Long.toString(now - Bookkeeping.VERDICT_MAX_AGE_MS)));
                p.add(CommandType.ZREMRANGEBYRANK, new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                        Pipeline.args().addKey(verdictsKey).add(0).add(-(Bookkeeping.VERDICT_MAX_MEMBERS + 1)));
            }
            for (Bookkeeping b : bookkeeping) {
                if (b.expireKey() != null && b.expireTtl() != null) {
                    p.add(CommandType.EXPIRE, new BooleanOutput<>(ByteArrayCodec.INSTANCE),
                            Pipeline.args().addKey(bytes(b.expireKey())).add(b.expireTtl().toSeconds()));
                }
                if (b.deleteKey() != null) {
                    p.add(CommandType.DEL, new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                            Pipeline.args().addKey(bytes(b.deleteKey())));
                }
            }
            if (totals.costMicros() > 0) {
                p.add(CommandType.HINCRBY, new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                        Pipeline.args().addKey(statsKey).add(F_COST).add(totals.costMicros()));
            }
            return p.execute(connection);
        });
    }

    @Override
    public Mono<Map<String, String>> readStats() {
        return hgetall(statsKey);
    }

    @Override
    public Mono<Map<String, String>> readConfig() {
        return hgetall(configKey);
    }

    private Mono<Map<String, String>> hgetall(byte[] key) {
        return single(CommandType.HGETALL, () -> new MapOutput<>(ByteArrayCodec.INSTANCE), Pipeline.args().addKey(key))
                .map(m -> {
                    Map<String, String> out = new LinkedHashMap<>();
                    m.forEach((k, v) -> out.put(str(k), str(v)));
                    return out;
                });
    }

    @Override
    public Mono<List<WindowRecord>> readWindow() {
        return readZset(windowKey);
    }

    @Override
    public Mono<List<WindowRecord>> readJudgeVerdicts() {
        return readZset(verdictsKey);
    }

    private Mono<List<WindowRecord>> readZset(byte[] key) {
        return single(CommandType.ZRANGE, () -> new ScoredValueListOutput<>(ByteArrayCodec.INSTANCE),
                Pipeline.args().addKey(key).add(0).add(-1).add("WITHSCORES"))
                .publishOn(Schedulers.parallel())
                .map(list -> {
                    List<WindowRecord> out = new ArrayList<>(list.size());
                    for (ScoredValue<byte[]> sv : list) {
                        out.add(new WindowRecord(str(sv.getValue()), sv.getScore()));
                    }
                    return out;
                });
    }

    @Override
    public Mono<List<String>> pendingMisses(long nowMs) {
        return Mono.defer(() -> {
            Pipeline p = new Pipeline();
            p.add(CommandType.ZREMRANGEBYSCORE, new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                    Pipeline.args().addKey(pendingKey).add("-inf").add("(" + (nowMs - PENDING_MAX_AGE_MS)));
            AsyncCommand<byte[], byte[], List<byte[]>> range = p.add(CommandType.ZRANGE,
                    new ValueListOutput<>(ByteArrayCodec.INSTANCE), Pipeline.args().addKey(pendingKey).add(0).add(-1));
            p.dispatch(connection);
            return Mono.fromCompletionStage(range).map(l -> l.stream().map(ValkeyCacheStore::str).toList());
        });
    }

    @Override
    public Mono<Double> windowScore(String member) {
        return single(CommandType.ZSCORE, () -> new DoubleOutput<>(ByteArrayCodec.INSTANCE),
                Pipeline.args().addKey(windowKey).add(bytes(member)));
    }

    @Override
    public Mono<Void> replaceWindowMember(String oldMember, String newMember, double score, String pendingEntry) {
        return Mono.defer(() -> {
            Pipeline p = new Pipeline();
            p.add(CommandType.ZREM, new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                    Pipeline.args().addKey(windowKey).add(bytes(oldMember)));
            p.add(CommandType.ZADD, new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                    Pipeline.args().addKey(windowKey).add(score).add(bytes(newMember)));
            p.add(CommandType.ZREM, new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                    Pipeline.args().addKey(pendingKey).add(bytes(pendingEntry)));
            return p.execute(connection);
        });
    }

    @Override
    public Mono<Void> removePending(String pendingEntry) {
        return single(CommandType.ZREM, () -> new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                Pipeline.args().addKey(pendingKey).add(bytes(pendingEntry))).then();
    }

    // ---------------------------------------------------------------------------------------------- embedding cache

    @Override
    public Mono<List<byte[]>> getEmbeddings(List<String> sha256Hex) {
        if (sha256Hex.isEmpty()) {
            return Mono.just(List.of());
        }
        if (keyspace.perKeyReads()) {
            return getEach(sha256Hex);
        }
        CommandArgs<byte[], byte[]> args = Pipeline.args();
        for (String sha : sha256Hex) {
            args.addKey(bytes(keys.embedKey(sha)));
        }
        return single(CommandType.MGET, () -> new ValueListOutput<>(ByteArrayCodec.INSTANCE), args);
    }

    /** Cluster form of MGET: one pipelined GET per key (keys span slots); values in order, null for missing. */
    private Mono<List<byte[]>> getEach(List<String> sha256Hex) {
        return Mono.defer(() -> {
            Pipeline p = new Pipeline();
            List<AsyncCommand<byte[], byte[], byte[]>> gets = new ArrayList<>(sha256Hex.size());
            for (String sha : sha256Hex) {
                gets.add(p.add(CommandType.GET, new ValueOutput<>(ByteArrayCodec.INSTANCE),
                        Pipeline.args().addKey(bytes(keys.embedKey(sha)))));
            }
            p.dispatch(connection);
            return Mono.fromCompletionStage(p.allDone()).then(Mono.fromCallable(() -> {
                List<byte[]> out = new ArrayList<>(gets.size());
                for (AsyncCommand<byte[], byte[], byte[]> g : gets) {
                    out.add(joinOrThrow(g, "GET"));
                }
                return out;
            }));
        });
    }

    @Override
    public Mono<Void> putEmbeddings(Map<String, byte[]> vectorsBySha256Hex, Duration ttl) {
        return Mono.defer(() -> {
            Pipeline p = new Pipeline();
            vectorsBySha256Hex.forEach((sha, v) -> p.add(CommandType.SET, new StatusOutput<>(ByteArrayCodec.INSTANCE),
                    Pipeline.args().addKey(bytes(keys.embedKey(sha))).addValue(v).add("EX").add(ttl.toSeconds())));
            return p.execute(connection);
        });
    }

    // ---------------------------------------------------------------------------------------------- invalidation

    /**
     * {@code FT.SEARCH ... RETURN 0 LIMIT 0 n}, then {@code DEL} of the keys found; returns how many keys the DELs
     * removed. valkey-search applies a delete to its index a few milliseconds later, so a search right after one (the
     * previous page of an invalidation, or anyone's delete or expiry) can still return keys that are gone: they are
     * not counted, and a full page that held any is searched again after a pause, so that a count below
     * {@code limit} still means nothing matching is left.
     */
    @Override
    public Mono<Integer> deleteMatching(Filter filter, int limit) {
        return deletePage(filter.toQuery(), limit, 0, System.nanoTime() + STALE_SEARCH_BUDGET.toNanos());
    }

    private Mono<Integer> deletePage(String query, int limit, int deletedSoFar, long deadlineNanos) {
        int wanted = limit - deletedSoFar;
        return single(FtKeywords.SEARCH, () -> new FtSearchOutput(),
                FtCommands.searchKeys(keys.indexName(), query, wanted))
                .onErrorMap(e -> new ValkeyCommandError("FT.SEARCH", e))
                .flatMap(rows -> {
                    if (rows.isEmpty()) {
                        return Mono.just(deletedSoFar);
                    }
                    List<byte[]> found = new ArrayList<>(rows.size());
                    rows.forEach(r -> found.add(bytes(r.key())));
                    return delete(connection, found).flatMap(removed -> {
                        int deleted = deletedSoFar + removed.intValue();
                        boolean someWereGone = removed < rows.size();
                        if (!someWereGone || rows.size() < wanted || deleted >= limit) {
                            return Mono.just(deleted);
                        }
                        if (System.nanoTime() > deadlineNanos) {
                            return Mono.error(new ValkeyCommandError("FT.SEARCH", "the index kept returning deleted"
                                    + " keys for " + STALE_SEARCH_BUDGET.toSeconds() + " s; " + deleted
                                    + " entries were deleted, more may match"));
                        }
                        return Mono.delay(STALE_SEARCH_PAUSE)
                                .then(Mono.defer(() -> deletePage(query, limit, deleted, deadlineNanos)));
                    });
                });
    }

    // ---------------------------------------------------------------------------------------------- whole entries

    @Override
    public Mono<List<Candidate>> searchEntries(Filter filter, int offset, int limit) {
        return Mono.defer(() -> single(FtKeywords.SEARCH, () -> new FtSearchOutput(),
                        FtCommands.searchEntries(keys.indexName(), filter.toQuery(), offset, limit)))
                .publishOn(Schedulers.parallel())
                .onErrorMap(e -> !(e instanceof IllegalArgumentException), e -> new ValkeyCommandError("FT.SEARCH", e));
    }

    @Override
    public Mono<Long> deleteEntries(List<String> entryKeys) {
        if (entryKeys.isEmpty()) {
            return Mono.just(0L);
        }
        List<byte[]> keyList = new ArrayList<>(entryKeys.size());
        entryKeys.forEach(k -> keyList.add(bytes(k)));
        return delete(connection, keyList);
    }

    // ---------------------------------------------------------------------------------------------- flush

    @Override
    public Mono<Void> flush() {
        Mono<Void> drop = single(FtKeywords.DROPINDEX, () -> new StatusOutput<>(ByteArrayCodec.INSTANCE),
                FtCommands.dropIndex(keys.indexName()))
                .then()
                .onErrorResume(IndexErrors::isIndexMissing, e -> Mono.empty())
                .onErrorMap(e -> !(e instanceof ValkeyCommandError), e -> new ValkeyCommandError("FT.DROPINDEX", e));
        return drop.then(deleteCacheKeys());
    }

    /**
     * What {@code flush()} does after FT.DROPINDEX (docs/data-format.md §15): every {@code {name}:entry:*} key,
     * then every {@code {name}:embed:*} key ({@link #deleteByPattern}), then the stats, window, miss-pending and
     * judge-verdict keys.
     * Package-private for tests on servers without the search module.
     */
    Mono<Void> deleteCacheKeys() {
        return deleteByPattern(keys.entryPrefix() + "*")
                .then(deleteByPattern(keys.embedPrefix() + "*"))
                .then(delete(connection, List.of(statsKey, windowKey, pendingKey, verdictsKey)).then());
    }

    /**
     * Deletes every key matching {@code pattern} (a SCAN {@code MATCH} glob): cursor {@code SCAN … COUNT 100} on every
     * node holding keys (every primary on a cluster, the one server otherwise), each non-empty batch deleted on the
     * node that returned it (docs/data-format.md §14). Returns how many keys were deleted. Package-private for tests.
     */
    Mono<Long> deleteByPattern(String pattern) {
        return keyspace.scanNodes()
                .flatMapMany(Flux::fromIterable)
                .concatMap(node -> scanPage(node, pattern, "0")
                        .expand(page -> page.isFinished() ? Mono.empty() : scanPage(node, pattern, page.getCursor()))
                        .concatMap(page -> page.getKeys().isEmpty() ? Mono.just(0L) : delete(node, page.getKeys())))
                .reduce(0L, Long::sum);
    }

    private Mono<KeyScanCursor<byte[]>> scanPage(StatefulConnection<byte[], byte[]> node, String pattern, String cursor) {
        return single(node, CommandType.SCAN, () -> new KeyScanOutput<>(ByteArrayCodec.INSTANCE),
                Pipeline.args().add(cursor).add("MATCH").add(bytes(pattern)).add("COUNT").add(SCAN_COUNT))
                .onErrorMap(e -> new ValkeyCommandError("SCAN", e));
    }

    /**
     * Deletes {@code keyList} through {@code target}: one multi-key DEL standalone, pipelined single-key DELs on a
     * cluster (see {@link Keyspace#deleteCommands}). Any failed DEL → {@code ValkeyCommandError("DEL")}, after all
     * replies arrived. Returns the number of keys removed.
     */
    private Mono<Long> delete(StatefulConnection<byte[], byte[]> target, List<byte[]> keyList) {
        return Mono.defer(() -> {
            Pipeline p = new Pipeline();
            List<AsyncCommand<byte[], byte[], Long>> dels = new ArrayList<>();
            for (CommandArgs<byte[], byte[]> args : keyspace.deleteCommands(keyList)) {
                dels.add(p.add(CommandType.DEL, new IntegerOutput<>(ByteArrayCodec.INSTANCE), args));
            }
            p.dispatch(target);
            return Mono.fromCompletionStage(p.allDone()).then(Mono.fromCallable(() -> {
                long n = 0;
                for (AsyncCommand<byte[], byte[], Long> d : dels) {
                    Long r = joinOrThrow(d, "DEL");
                    n += r == null ? 0 : r;
                }
                return n;
            }));
        });
    }

    /** The result of a completed command, or its failure as {@code ValkeyCommandError(command)}. */
    private static <T> T joinOrThrow(AsyncCommand<byte[], byte[], T> cmd, String command) {
        try {
            return cmd.toCompletableFuture().join();
        } catch (RuntimeException e) {
            throw new ValkeyCommandError(command, e.getCause() != null ? e.getCause() : e);
        }
    }

    // ---------------------------------------------------------------------------------------------- discovery

    @Override
    public Mono<String> readRegistryMarker() {
        return single(CommandType.HGET, () -> new ValueOutput<>(ByteArrayCodec.INSTANCE),
                Pipeline.args().addKey(REGISTRY).add(nameBytes)).map(ValkeyCacheStore::str);
    }

    @Override
    public Mono<Void> writeRegistryMarker(String markerJson) {
        return single(CommandType.HSET, () -> new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                Pipeline.args().addKey(REGISTRY).add(nameBytes).add(bytes(markerJson))).then();
    }

    @Override
    public Mono<Void> writeProtocolMarker() {
        return single(CommandType.SET, () -> new StatusOutput<>(ByteArrayCodec.INSTANCE),
                Pipeline.args().addKey(PROTOCOL).add("1").add("NX")).then();
    }

    @Override
    public Mono<Void> writeHeartbeat(String isoTime, Duration ttl) {
        return single(CommandType.SET, () -> new StatusOutput<>(ByteArrayCodec.INSTANCE),
                Pipeline.args().addKey(heartbeatKey).add(bytes(isoTime)).add("EX").add(ttl.toSeconds())).then();
    }

    @Override
    public Mono<Void> deleteHeartbeat() {
        return single(CommandType.DEL, () -> new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                Pipeline.args().addKey(heartbeatKey)).then();
    }

    @Override
    public void close() {
        if (ownsConnection) {
            allConnections.forEach(StatefulConnection::closeAsync);
        }
    }

    @Override
    public Mono<Void> closeAsync() {
        return ownsConnection ? Mono.fromCompletionStage(connection::closeAsync).then() : Mono.empty();
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** One command; the output is created per subscription, so a re-subscription never reuses a filled one. */
    private <T> Mono<T> single(io.lettuce.core.protocol.ProtocolKeyword type,
                               java.util.function.Supplier<io.lettuce.core.output.CommandOutput<byte[], byte[], T>> output,
                               CommandArgs<byte[], byte[]> args) {
        return single(connection, type, output, args);
    }

    private <T> Mono<T> single(StatefulConnection<byte[], byte[]> target, io.lettuce.core.protocol.ProtocolKeyword type,
                               java.util.function.Supplier<io.lettuce.core.output.CommandOutput<byte[], byte[], T>> output,
                               CommandArgs<byte[], byte[]> args) {
        return Mono.defer(() -> {
            Pipeline p = new Pipeline();
            AsyncCommand<byte[], byte[], T> cmd = p.add(type, output.get(), args);
            p.dispatch(target);
            return Mono.fromCompletionStage(cmd);
        });
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
