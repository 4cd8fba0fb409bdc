package com.betterdb.semanticcache.filter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Evaluates a {@link Filter} against one entry's hash fields, with valkey-search semantics for the cache's schema
 * (TAG fields without {@code SEPARATOR}/{@code CASESENSITIVE}, NUMERIC fields; docs/data-format.md §4.1):
 *
 * <ul>
 *   <li><b>TAG</b> {@code @f:{v1|v2}}: the field value is split on {@code ,}, each tag is whitespace-trimmed and
 *       empty tags are discarded (so an absent or {@code ""} field never matches); the clause matches if any query
 *       value equals any tag, ignoring ASCII case. Query values are compared as given (the parser has already
 *       unescaped and trimmed them).</li>
 *   <li><b>NUMERIC</b> {@code @f:[min max]}: the field value is parsed as a decimal double (also {@code inf},
 *       {@code -inf}); an absent or unparsable value never matches; bounds honour their inclusivity.</li>
 *   <li>{@link Filter.All} matches everything; And / Or / Not are the boolean operators. Note: {@code Not} is plain
 *       negation, so {@code -@category:{x}} also matches entries without a category.</li>
 *   <li>{@link Filter.Raw} is parsed with {@link FilterParser} (unsupported syntax throws
 *       {@code SemanticCacheUsageError}). Parsed raw filters are cached in a small bounded LRU map
 *       ({@value #CACHE_SIZE} entries); callers evaluating many entries can also call {@link #prepare(Filter)} once
 *       and evaluate the result.</li>
 * </ul>
 */
public final class FilterEvaluator {

    static final int CACHE_SIZE = 256;

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private static final Map<String, Filter> PARSED = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Filter> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    private FilterEvaluator() {
    }

    /** Whether the entry whose hash fields are {@code fields} passes {@code filter}. */
    public static boolean matches(Filter filter, Filter.Fields fields) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(fields, "fields");
        return eval(filter, fields);
    }

    /**
     * {@code filter} with every {@link Filter.Raw} replaced by its parsed form, so that unsupported syntax fails
     * now and evaluation needs no parsing.
     */
    public static Filter prepare(Filter filter) {
        Objects.requireNonNull(filter, "filter");
        if (filter instanceof Filter.Raw r) {
            return parsed(r.query());
        } else if (filter instanceof Filter.And a) {
            return new Filter.And(prepareAll(a.parts()));
        } else if (filter instanceof Filter.Or o) {
            return new Filter.Or(prepareAll(o.parts()));
        } else if (filter instanceof Filter.Not n) {
            return new Filter.Not(prepare(n.inner()));
        }
        return filter;
    }

    private static List<Filter> prepareAll(List<Filter> parts) {
        List<Filter> out = new ArrayList<>(parts.size());
        for (Filter p : parts) {
            out.add(prepare(p));
        }
        return out;
    }

    private static boolean eval(Filter f, Filter.Fields fields) {
        if (f instanceof Filter.Tag t) {
            return tagMatches(t.values(), fields.get(t.field()));
        } else if (f instanceof Filter.Numeric n) {
            return numericMatches(n, fields.get(n.field()));
        } else if (f instanceof Filter.And a) {
            for (Filter p : a.parts()) {
                if (!eval(p, fields)) {
                    return false;
                }
            }
            return true;
        } else if (f instanceof Filter.Or o) {
            for (Filter p : o.parts()) {
                if (eval(p, fields)) {
                    return true;
                }
            }
            return false;
        } else if (f instanceof Filter.Not n) {
            return !eval(n.inner(), fields);
        } else if (f instanceof Filter.All) {
            return true;
        } else if (f instanceof Filter.Raw r) {
            return eval(parsed(r.query()), fields);
        }
        throw new IllegalArgumentException("unknown filter type " + f);
    }

    static Filter parsed(String query) {
        synchronized (PARSED) {
            Filter f = PARSED.get(query);
            if (f != null) {
                return f;
            }
        }
        Filter f = FilterParser.parse(query);
        synchronized (PARSED) {
            PARSED.put(query, f);
        }
        return f;
    }

    static int cachedCount() {
        synchronized (PARSED) {
            return PARSED.size();
        }
    }

    /** TAG semantics: split on ',', trim, drop empty, ASCII-case-insensitive equality with any query value. */
    static boolean tagMatches(List<String> queryValues, String raw) {
        if (raw == null) {
            return false;
        }
        int start = 0;
        int n = raw.length();
        while (start <= n) {
            int comma = raw.indexOf(',', start);
            int end = comma < 0 ? n : comma;
            String tag = raw.substring(start, end).strip();
            if (!tag.isEmpty()) {
                for (String q : queryValues) {
                    if (q.length() == tag.length() && asciiEqualsIgnoreCase(q, tag)) {
                        return true;
                    }
                }
            }
            if (comma < 0) {
                break;
            }
            start = comma + 1;
        }
        return false;
    }

    private static boolean asciiEqualsIgnoreCase(String a, String b) {
        for (int i = 0; i < a.length(); i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y && lower(x) != lower(y)) {
                return false;
            }
        }
        return true;
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    private static boolean numericMatches(Filter.Numeric n, String raw) {
        if (raw == null) {
            return false;
        }
        double v = parseNumber(raw.strip());
        if (Double.isNaN(v)) {
            return false;
        }
        boolean aboveMin = n.minInclusive() ? v >= n.min() : v > n.min();
        boolean belowMax = n.maxInclusive() ? v <= n.max() : v < n.max();
        return aboveMin && belowMax;
    }

    /** A decimal number, {@code inf}/{@code +inf}/{@code -inf}; NaN when unparsable. */
    static double parseNumber(String s) {
        if (DECIMAL.matcher(s).matches()) {
            return Double.parseDouble(s);
        }
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "inf":
            case "+inf":
                return Double.POSITIVE_INFINITY;
            case "-inf":
                return Double.NEGATIVE_INFINITY;
            default:
                return Double.NaN;
        }
    }
}
