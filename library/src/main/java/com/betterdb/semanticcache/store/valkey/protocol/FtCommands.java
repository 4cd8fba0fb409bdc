package com.betterdb.semanticcache.store.valkey.protocol;

import com.betterdb.semanticcache.filter.TagEscaper;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.CommandArgs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Argument vectors for the FT.* commands the cache sends (docs/data-format.md §4.1, §13).
 * <p>
 * Every builder comes in two forms: {@code xxxArgv(...)} returns the arguments after the command name as a
 * {@code List<byte[]>} (exact, testable), and {@code xxx(...)} wraps the same list in {@link CommandArgs} for a
 * {@link ByteArrayCodec} connection's {@code dispatch}. The index name is added as a plain argument, not as a
 * key: valkey-search indexes are not slot-bound, so there is nothing to route by.
 * <p>
 * Pure and thread-safe. Constant tokens are encoded once; the shared arrays are never handed to callers for
 * mutation beyond Lettuce's own (read-only) encoding.
 */
public final class FtCommands {

    /** Name of the vector attribute in the index schema. */
    public static final String EMBEDDING_FIELD = "embedding";

    /** The alias KNN queries give the cosine distance ({@code AS __score}). */
    public static final String SCORE_FIELD = "__score";

    /** The query parameter that carries the float32 query vector ({@code $vec}). */
    public static final String VECTOR_PARAM = "vec";

    /**
     * Fields requested from KNN lookups. Everything the cache reads from a hit, plus {@code __score}; asking for
     * them explicitly keeps the server from shipping each candidate's {@code embedding} bytes back (fixture 24
     * shows {@code RETURN ... __score} works on valkey-search 1.2.1).
     */
    public static final List<String> KNN_RETURN_FIELDS = List.of(
            "prompt", "response", "model", "category", "cost_micros", "content_blocks", SCORE_FIELD);

    /** valkey-search's default HNSW {@code ef_runtime}, which the cache's index keeps (it sets no HNSW options). */
    public static final int DEFAULT_EF_RUNTIME = 10;

    /** Row limit of the invalidation search (docs/data-format.md §13). */
    public static final int INVALIDATE_LIMIT = 1000;

    private static final byte[] ON = ascii("ON");
    private static final byte[] HASH = ascii("HASH");
    private static final byte[] PREFIX = ascii("PREFIX");
    private static final byte[] ONE = ascii("1");
    private static final byte[] ZERO = ascii("0");
    private static final byte[] TWO = ascii("2");
    private static final byte[] PARAMS = ascii("PARAMS");
    private static final byte[] VEC = ascii(VECTOR_PARAM);
    private static final byte[] RETURN = ascii("RETURN");
    private static final byte[] LIMIT = ascii("LIMIT");
    private static final byte[] DIALECT = ascii("DIALECT");
    private static final byte[] SORTBY = ascii("SORTBY");
    private static final byte[] ASC = ascii("ASC");
    private static final byte[] INSERTED_AT = ascii("inserted_at");

    /** {@code SCHEMA ... DIM}: everything between the prefix and the dimension (docs/data-format.md §4.1). */
    private static final List<byte[]> SCHEMA_HEAD = asciiList(
            "SCHEMA",
            "prompt", "TEXT", "NOSTEM",
            "response", "TEXT", "NOSTEM",
            "model", "TAG",
            "category", "TAG",
            "binary_refs", "TAG",
            "inserted_at", "NUMERIC", "SORTABLE",
            "temperature", "NUMERIC",
            "top_p", "NUMERIC",
            "seed", "NUMERIC",
            EMBEDDING_FIELD, "VECTOR", "HNSW", "6", "TYPE", "FLOAT32", "DIM");

    private static final List<byte[]> SCHEMA_TAIL = asciiList("DISTANCE_METRIC", "COSINE");

    /** {@code RETURN 7 prompt ... __score}, pre-encoded because the store sends it on every lookup. */
    private static final List<byte[]> KNN_RETURN_CLAUSE = returnClause(KNN_RETURN_FIELDS);

    private FtCommands() {
    }

    // ------------------------------------------------------------------------------------------- FT.CREATE

    /**
     * {@code FT.CREATE} arguments: exactly docs/data-format.md §4.1 after the command name,
     * {@code {idx} ON HASH PREFIX 1 {prefix} SCHEMA ... DIM {dim} DISTANCE_METRIC COSINE}.
     */
    public static List<byte[]> createIndexArgv(String indexName, String entryPrefix, int dim) {
        if (dim <= 0) {
            throw new IllegalArgumentException("dimension must be > 0, got " + dim);
        }
        List<byte[]> argv = new ArrayList<>(7 + SCHEMA_HEAD.size() + 1 + SCHEMA_TAIL.size());
        argv.add(utf8(indexName));
        argv.add(ON);
        argv.add(HASH);
        argv.add(PREFIX);
        argv.add(ONE);
        argv.add(utf8(entryPrefix));
        argv.addAll(SCHEMA_HEAD);
        argv.add(number(dim));
        argv.addAll(SCHEMA_TAIL);
        return argv;
    }

    /** {@link #createIndexArgv} as {@link CommandArgs}; send with {@link FtKeywords#CREATE}. */
    public static CommandArgs<byte[], byte[]> createIndex(String indexName, String entryPrefix, int dim) {
        return toCommandArgs(createIndexArgv(indexName, entryPrefix, dim));
    }

    // ------------------------------------------------------------------------------------------- queries

    /**
     * The combined filter clause of docs/data-format.md §13, without parentheses: the user filter (verbatim)
     * followed by one {@code @binary_refs:{<escaped ref>}} per ref in sorted order, space-joined. Refs are only
     * used when the index has the {@code binary_refs} attribute (older indexes may lack it).
     *
     * @return the clause, or {@code null} when there is nothing to filter on
     */
    public static String filterExpression(String userFilter, List<String> binaryRefs, boolean indexHasBinaryRefs) {
        StringBuilder sb = new StringBuilder();
        if (userFilter != null && !userFilter.isEmpty()) {
            sb.append(userFilter);
        }
        if (indexHasBinaryRefs && binaryRefs != null && !binaryRefs.isEmpty()) {
            List<String> sorted = new ArrayList<>(binaryRefs);
            // Same order as the reference packages' default sort (UTF-16 code units = String#compareTo).
            Collections.sort(sorted);
            for (String ref : sorted) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append("@binary_refs:{").append(TagEscaper.escape(ref)).append('}');
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /**
     * The KNN query string (docs/data-format.md §13): {@code *=>[KNN k @embedding $vec AS __score]} without a
     * filter, else {@code (filterExpr)=>[KNN k @embedding $vec AS __score]}.
     */
    public static String knnQuery(String filterExpr, int k) {
        return knnQuery(filterExpr, k, 0);
    }

    /**
     * {@link #knnQuery(String, int)} with {@code EF_RUNTIME efRuntime} in the KNN clause (fixture 25), or without it
     * when {@code efRuntime <= 0}. On a valkey-search 1.2.1 cluster the shards search without the index's default
     * {@code ef_runtime} unless the query names one, and about one lookup in a few hundred then misses even an exact
     * match; naming {@link #DEFAULT_EF_RUNTIME} restores the standalone behaviour (ValkeySearchClusterStoreTest).
     */
    public static String knnQuery(String filterExpr, int k, int efRuntime) {
        String head = filterExpr == null || filterExpr.isEmpty() ? "*" : "(" + filterExpr + ")";
        String ef = efRuntime > 0 ? " EF_RUNTIME " + efRuntime : "";
        return head + "=>[KNN " + k + " @" + EMBEDDING_FIELD + " $" + VECTOR_PARAM + ef + " AS " + SCORE_FIELD + "]";
    }

    /**
     * {@code FT.SEARCH} KNN arguments:
     * {@code {idx} {query} PARAMS 2 vec {bytes} [RETURN n f1 ...] LIMIT 0 {k} DIALECT 2}.
     *
     * @param vectorBytes  float32 little-endian query vector (sent as is, not copied)
     * @param returnFields {@code null} for no RETURN clause (the reference packages' exact argv, CHECK-01: every
     *                     field including the embedding comes back); usually {@link #KNN_RETURN_FIELDS}
     */
    public static List<byte[]> knnSearchArgv(String indexName, String query, byte[] vectorBytes, int k,
                                             List<String> returnFields) {
        Objects.requireNonNull(vectorBytes, "vectorBytes");
        List<byte[]> returnClause = returnFields == null ? List.of()
                : KNN_RETURN_FIELDS.equals(returnFields) ? KNN_RETURN_CLAUSE : returnClause(returnFields);
        List<byte[]> argv = new ArrayList<>(12 + returnClause.size());
        argv.add(utf8(indexName));
        argv.add(utf8(query));
        argv.add(PARAMS);
        argv.add(TWO);
        argv.add(VEC);
        argv.add(vectorBytes);
        argv.addAll(returnClause);
        argv.add(LIMIT);
        argv.add(ZERO);
        argv.add(number(k));
        argv.add(DIALECT);
        argv.add(TWO);
        return argv;
    }

    /** {@link #knnSearchArgv} as {@link CommandArgs}; send with {@link FtKeywords#SEARCH}. */
    public static CommandArgs<byte[], byte[]> knnSearch(String indexName, String query, byte[] vectorBytes, int k,
                                                        List<String> returnFields) {
        return toCommandArgs(knnSearchArgv(indexName, query, vectorBytes, k, returnFields));
    }

    /**
     * The store's hot path: {@link #knnSearchArgv} with {@link #KNN_RETURN_FIELDS}, from an index name and query
     * already encoded (UTF-8), straight into {@link CommandArgs} with no intermediate list.
     */
    public static CommandArgs<byte[], byte[]> knnSearch(byte[] indexName, byte[] query, byte[] vectorBytes, int k) {
        Objects.requireNonNull(vectorBytes, "vectorBytes");
        CommandArgs<byte[], byte[]> args = new CommandArgs<>(ByteArrayCodec.INSTANCE)
                .add(indexName).add(query).add(PARAMS).add(TWO).add(VEC).add(vectorBytes);
        for (byte[] b : KNN_RETURN_CLAUSE) {
            args.add(b);
        }
        return args.add(LIMIT).add(ZERO).add(number(k)).add(DIALECT).add(TWO);
    }

    /**
     * Key-only {@code FT.SEARCH} (invalidation): {@code {idx} {filter} RETURN 0 LIMIT 0 {limit} DIALECT 2}.
     * The reply is {@code [total, key, key, ...]}. Note valkey-search 1.2.1 rejects a bare {@code *} filter here.
     */
    public static List<byte[]> searchKeysArgv(String indexName, String filter, int limit) {
        List<byte[]> argv = new ArrayList<>(9);
        argv.add(utf8(indexName));
        argv.add(utf8(filter));
        argv.add(RETURN);
        argv.add(ZERO);
        argv.add(LIMIT);
        argv.add(ZERO);
        argv.add(number(limit));
        argv.add(DIALECT);
        argv.add(TWO);
        return argv;
    }

    /** {@link #searchKeysArgv} as {@link CommandArgs}; send with {@link FtKeywords#SEARCH}. */
    public static CommandArgs<byte[], byte[]> searchKeys(String indexName, String filter, int limit) {
        return toCommandArgs(searchKeysArgv(indexName, filter, limit));
    }

    /**
     * Paged {@code FT.SEARCH} of whole entries, oldest first (docs/data-format.md §13, the reference packages'
     * {@code _searchEntries}): {@code {idx} {filter} SORTBY inserted_at ASC LIMIT {offset} {limit} DIALECT 2}. No
     * RETURN clause: every field comes back ({@link FtSearchOutput} drops the embedding). valkey-search 1.2.1 rejects a
     * bare {@code *} filter here ("Invalid query string syntax"), so the filter must name a field.
     */
    public static List<byte[]> searchEntriesArgv(String indexName, String filter, int offset, int limit) {
        if (offset < 0 || limit < 1) {
            throw new IllegalArgumentException("offset must be >= 0 and limit >= 1, got " + offset + ", " + limit);
        }
        List<byte[]> argv = new ArrayList<>(11);
        argv.add(utf8(indexName));
        argv.add(utf8(filter));
        argv.add(SORTBY);
        argv.add(INSERTED_AT);
        argv.add(ASC);
        argv.add(LIMIT);
        argv.add(number(offset));
        argv.add(number(limit));
        argv.add(DIALECT);
        argv.add(TWO);
        return argv;
    }

    /** {@link #searchEntriesArgv} as {@link CommandArgs}; send with {@link FtKeywords#SEARCH}. */
    public static CommandArgs<byte[], byte[]> searchEntries(String indexName, String filter, int offset, int limit) {
        return toCommandArgs(searchEntriesArgv(indexName, filter, offset, limit));
    }

    // ------------------------------------------------------------------------------------------- admin

    /** {@code FT.INFO {idx}} arguments. */
    public static List<byte[]> infoArgv(String indexName) {
        return List.of(utf8(indexName));
    }

    /** {@code FT.INFO {idx}}; send with {@link FtKeywords#INFO}. */
    public static CommandArgs<byte[], byte[]> info(String indexName) {
        return toCommandArgs(infoArgv(indexName));
    }

    /**
     * {@code FT.INFO {idx} {scope}} arguments: on a cluster whose valkey-search runs its coordinator, {@code PRIMARY}
     * sums {@code num_docs} over the primaries and {@code CLUSTER} reports the back-fill {@code state} of the whole
     * cluster (plain {@code FT.INFO} counts the receiving node's shard only). Standalone servers reject a scope.
     */
    public static List<byte[]> infoArgv(String indexName, InfoScope scope) {
        return List.of(utf8(indexName), ascii(scope.name()));
    }

    /** {@link #infoArgv(String, InfoScope)}; send with {@link FtKeywords#INFO}. */
    public static CommandArgs<byte[], byte[]> info(String indexName, InfoScope scope) {
        return toCommandArgs(infoArgv(indexName, scope));
    }

    /** The scopes of a cluster-wide {@code FT.INFO}. */
    public enum InfoScope {
        /** {@code num_docs} summed over the primaries. */
        PRIMARY,
        /** The back-fill {@code state} over every node. */
        CLUSTER
    }

    /** {@code FT.DROPINDEX {idx}} arguments — never {@code DD} (valkey-search 1.2 rejects it, fixture 28). */
    public static List<byte[]> dropIndexArgv(String indexName) {
        return List.of(utf8(indexName));
    }

    /** {@code FT.DROPINDEX {idx}}; send with {@link FtKeywords#DROPINDEX}. Documents stay in place. */
    public static CommandArgs<byte[], byte[]> dropIndex(String indexName) {
        return toCommandArgs(dropIndexArgv(indexName));
    }

    /** {@code FT._LIST} takes no arguments; send with {@link FtKeywords#LIST}. */
    public static CommandArgs<byte[], byte[]> list() {
        return new CommandArgs<>(ByteArrayCodec.INSTANCE);
    }

    // ------------------------------------------------------------------------------------------- helpers

    /** Wraps an argv (as built above) into {@link CommandArgs}, one bulk string per element, in order. */
    public static CommandArgs<byte[], byte[]> toCommandArgs(List<byte[]> argv) {
        CommandArgs<byte[], byte[]> args = new CommandArgs<>(ByteArrayCodec.INSTANCE);
        for (byte[] arg : argv) {
            args.add(arg);
        }
        return args;
    }

    private static List<byte[]> returnClause(List<String> fields) {
        List<byte[]> clause = new ArrayList<>(fields.size() + 2);
        clause.add(RETURN);
        clause.add(number(fields.size()));
        for (String f : fields) {
            clause.add(utf8(f));
        }
        return List.copyOf(clause);
    }

    private static byte[] number(int n) {
        return switch (n) {
            case 0 -> ZERO;
            case 1 -> ONE;
            case 2 -> TWO;
            default -> ascii(Integer.toString(n));
        };
    }

    private static byte[] utf8(String s) {
        return Objects.requireNonNull(s).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static List<byte[]> asciiList(String... tokens) {
        List<byte[]> out = new ArrayList<>(tokens.length);
        for (String t : tokens) {
            out.add(ascii(t));
        }
        return List.copyOf(out);
    }
}
