package com.betterdb.semanticcache.store.valkey.protocol;

import com.betterdb.semanticcache.store.Candidate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parsers for already-decoded FT.* replies (the generic form: elements are {@code byte[]} / {@code ByteBuffer}
 * bulk strings, {@code String} simple strings, {@code Long}, {@code Double}, {@code List}, RESP3 {@code Map}).
 * The streaming {@link FtSearchOutput} implements the same FT.SEARCH rules without building the generic tree.
 * <p>
 * All methods are pure, thread-safe and never throw on malformed input.
 */
public final class FtReplies {

    private FtReplies() {
    }

    // ------------------------------------------------------------------------------------------- FT.SEARCH

    /**
     * Parses an {@code FT.SEARCH} reply following docs/data-format.md §13:
     * <ol>
     *   <li>not a list, or empty → empty (a top-level map is not a valkey-search reply → empty, PARSE-02);</li>
     *   <li>element 0 is the total (number, or string incl. {@code "2.0"}); NaN or {@code <= 0} → empty;</li>
     *   <li>from element 1: a non-string element is skipped (so a non-string key also drops the field list after
     *       it); a string is a key, and if the next element is a list (or map) it is read as alternating
     *       field/value pairs, otherwise the key is recorded with no fields ({@code RETURN 0});</li>
     *   <li>the declared total is not trusted: the rows actually present are returned.</li>
     * </ol>
     * Within a row: an odd trailing field is dropped, values that are not valid UTF-8 are skipped, and the
     * {@code embedding} field is never copied. {@link Candidate#score()} is {@code __score} parsed as a double,
     * NaN when absent or unparsable.
     */
    public static List<Candidate> parseSearch(Object reply) {
        if (!(reply instanceof List<?> top) || top.isEmpty()) {
            return List.of();
        }
        if (!validTotal(top.get(0))) {
            return List.of();
        }
        List<Candidate> out = new ArrayList<>();
        int i = 1;
        int n = top.size();
        while (i < n) {
            Object el = top.get(i);
            if (!ReplyValues.isString(el)) {
                i++;
                continue;
            }
            String key = ReplyValues.text(el);
            List<?> fieldList = i + 1 < n ? ReplyValues.list(top.get(i + 1)) : null;
            if (key == null) {
                // Bytes that are not UTF-8 cannot name a key we could later address by String; drop the row.
                i += fieldList != null ? 2 : 1;
                continue;
            }
            if (fieldList != null) {
                out.add(row(key, fieldList));
                i += 2;
            } else {
                out.add(new Candidate(key, Double.NaN, Map.of()));
                i += 1;
            }
        }
        return out;
    }

    /** Element 0 of a search reply: a number or numeric string greater than zero. */
    static boolean validTotal(Object total) {
        double t = ReplyValues.number(total);
        return !Double.isNaN(t) && t > 0;
    }

    private static Candidate row(String key, List<?> pairs) {
        Map<String, String> fields = new HashMap<>(Math.max(4, pairs.size()));
        for (int j = 0; j + 1 < pairs.size(); j += 2) {
            String name = ReplyValues.text(pairs.get(j));
            if (name == null || FtCommands.EMBEDDING_FIELD.equals(name)) {
                continue;
            }
            Object raw = pairs.get(j + 1);
            if (raw instanceof List<?> || raw instanceof Map<?, ?>) {
                continue;
            }
            String value = ReplyValues.text(raw);
            if (value != null) {
                fields.put(name, value);
            }
        }
        return new Candidate(key, score(fields.get(FtCommands.SCORE_FIELD)), fields);
    }

    /** {@code __score} as a double; NaN when absent or not a number. */
    static double score(String raw) {
        return ReplyValues.parseNumber(raw);
    }

    // ------------------------------------------------------------------------------------------- FT.INFO

    /**
     * Parses an {@code FT.INFO} reply (docs/data-format.md §4.3) read as a flat key/value list at the top level.
     * <ul>
     *   <li>dimension: under {@code attributes} (or legacy {@code fields}), the first attribute with an adjacent
     *       pair {@code type VECTOR} and a dimension &gt; 0, from a flat {@code DIM}/{@code dim} value or from the
     *       nested {@code index [... dimensions n ...]} of valkey-search 1.2; 0 otherwise;</li>
     *   <li>hasBinaryRefs: some attribute has the adjacent pair {@code identifier binary_refs};</li>
     *   <li>numDocs: {@code num_docs}, 0 when absent or not a number;</li>
     *   <li>indexingState: see {@link FtInfo#indexingState()} — the spec's raw {@code indexing} value when
     *       present, else valkey-search 1.2's {@code state} (the real reply has no {@code indexing} key).</li>
     * </ul>
     * Numbers are accepted as Long, Double, {@code "1536"}, {@code "1536.0"} or bytes. A non-list reply yields
     * {@code FtInfo(0, false, 0, "unknown")}.
     */
    public static FtInfo parseInfo(Object reply) {
        List<?> top = ReplyValues.list(reply);
        if (top == null) {
            return new FtInfo(0, false, 0, FtInfo.UNKNOWN);
        }
        int dimension = 0;
        boolean binaryRefs = false;
        long numDocs = 0;
        String indexing = null;
        String state = null;
        String backfill = null;
        for (int i = 0; i + 1 < top.size(); i += 2) {
            String key = ReplyValues.text(top.get(i));
            if (key == null) {
                continue;
            }
            Object value = top.get(i + 1);
            switch (key) {
                case "attributes", "fields" -> {
                    List<?> attributes = ReplyValues.list(value);
                    if (attributes == null) {
                        break;
                    }
                    for (Object a : attributes) {
                        List<?> attr = ReplyValues.list(a);
                        if (attr == null) {
                            continue;
                        }
                        if (dimension <= 0) {
                            dimension = vectorDimension(attr);
                        }
                        binaryRefs |= hasPair(attr, "identifier", "binary_refs");
                    }
                }
                case "num_docs" -> {
                    double d = ReplyValues.number(value);
                    numDocs = Double.isNaN(d) || Double.isInfinite(d) ? 0 : (long) d;
                }
                case "indexing" -> indexing = ReplyValues.text(value);
                case "state" -> state = ReplyValues.text(value);
                case "backfill_in_progress" -> backfill = ReplyValues.text(value);
                default -> {
                    // other statistics are not used by the cache
                }
            }
        }
        String indexingState;
        if (indexing != null) {
            indexingState = indexing;
        } else if (state != null && !state.isEmpty()) {
            indexingState = state;
        } else if (backfill != null) {
            double b = ReplyValues.parseNumber(backfill);
            indexingState = b == 0 ? FtInfo.READY : "backfill_in_progress";
        } else {
            indexingState = FtInfo.UNKNOWN;
        }
        return new FtInfo(Math.max(0, dimension), binaryRefs, numDocs, indexingState);
    }

    /** Dimension of a vector attribute, or 0 when it is not a vector or reports none. */
    private static int vectorDimension(List<?> attr) {
        if (!hasPair(attr, "type", "VECTOR")) {
            return 0;
        }
        for (int j = 0; j + 1 < attr.size(); j++) {
            String k = textOrNull(attr.get(j));
            if (k == null) {
                continue;
            }
            if (k.equalsIgnoreCase("dim")) {
                int d = positiveInt(attr.get(j + 1));
                if (d > 0) {
                    return d;
                }
            } else if (k.equals("index")) {
                List<?> nested = ReplyValues.list(attr.get(j + 1));
                if (nested != null) {
                    for (int m = 0; m + 1 < nested.size(); m++) {
                        if ("dimensions".equals(textOrNull(nested.get(m)))) {
                            int d = positiveInt(nested.get(m + 1));
                            if (d > 0) {
                                return d;
                            }
                        }
                    }
                }
            }
        }
        return 0;
    }

    /** Whether {@code key} is immediately followed by {@code value} somewhere in the list (adjacent pair). */
    private static boolean hasPair(List<?> list, String key, String value) {
        for (int j = 0; j + 1 < list.size(); j++) {
            if (key.equals(textOrNull(list.get(j))) && value.equals(textOrNull(list.get(j + 1)))) {
                return true;
            }
        }
        return false;
    }

    private static String textOrNull(Object o) {
        return ReplyValues.isString(o) ? ReplyValues.text(o) : null;
    }

    private static int positiveInt(Object o) {
        double d = ReplyValues.number(o);
        if (Double.isNaN(d) || d < 1 || d > Integer.MAX_VALUE) {
            return 0;
        }
        return (int) d;
    }

    // ------------------------------------------------------------------------------------------- misc

    /** {@code FT._LIST}: the index names (non-string elements skipped); empty for a non-list reply. */
    public static List<String> parseStringList(Object reply) {
        List<?> list = ReplyValues.list(reply);
        if (list == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            String s = ReplyValues.isString(o) ? ReplyValues.text(o) : null;
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** Whether a status reply is {@code OK} (FT.CREATE, FT.DROPINDEX). */
    public static boolean isOk(Object reply) {
        return ReplyValues.isString(reply) && "OK".equals(ReplyValues.text(reply));
    }
}
