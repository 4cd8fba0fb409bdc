package com.betterdb.semanticcache.filter;

import com.betterdb.semanticcache.SemanticCacheUsageError;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Parses the subset of valkey-search filter syntax that the cache and its users write into a typed {@link Filter},
 * so that stores without valkey-search (the in-memory store) can evaluate raw filters.
 *
 * <p>Grammar (precedence: negation, then AND, then OR, as in valkey-search):
 * <pre>
 * query   := or
 * or      := and ( '|' and )*
 * and     := unary ( unary )*                      -- juxtaposition (whitespace optional) is AND
 * unary   := '-' unary | primary
 * primary := '(' or ')' | '*'
 *          | '@' field ':' '{' tag ( '|' tag )* '}'     -- TAG clause
 *          | '@' field ':' '[' bound ws bound ']'       -- NUMERIC clause
 * bound   := [ '(' ] ( number | '-inf' | '+inf' | 'inf' )   -- '(' = exclusive
 * </pre>
 * Inside a tag, a backslash escapes the next character ({@code gpt\-4o} is {@code gpt-4o}); unescaped
 * whitespace around each value is trimmed; an unescaped {@code *} (prefix/wildcard match) is not supported.
 * Everything else - text search ({@code @prompt:hello}), bare terms, phrases, KNN parts ({@code =>[KNN ...]}),
 * prefix/fuzzy/wildcard forms, unknown syntax - is rejected with a {@link SemanticCacheUsageError} that names the
 * construct and its 0-based position.
 *
 * <p>For typed filters {@code f} built with the {@link Filter} factories, {@code parse(f.toQuery())} evaluates like
 * {@code f} (see {@link FilterEvaluator}).
 */
public final class FilterParser {

    private static final String SUPPORTED = "only TAG (@field:{...}) and NUMERIC (@field:[min max]) clauses with"
            + " AND/OR/NOT are supported";
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private final String src;
    private int pos;

    private FilterParser(String src) {
        this.src = src;
    }

    /**
     * Parses a valkey-search filter expression.
     *
     * @throws SemanticCacheUsageError if the expression uses a construct outside the supported subset or is malformed
     */
    public static Filter parse(String query) {
        Objects.requireNonNull(query, "query");
        FilterParser p = new FilterParser(query);
        p.skipWs();
        if (p.atEnd()) {
            throw p.syntax("empty filter expression");
        }
        Filter f = p.parseOr();
        p.skipWs();
        if (!p.atEnd()) {
            if (p.peek() == ')') {
                throw p.syntax("unbalanced ')'");
            }
            throw p.unsupported(p.pos);
        }
        return f;
    }

    private Filter parseOr() {
        List<Filter> parts = new ArrayList<>();
        parts.add(parseAnd());
        while (true) {
            skipWs();
            if (!atEnd() && peek() == '|') {
                pos++;
                parts.add(parseAnd());
            } else {
                break;
            }
        }
        return parts.size() == 1 ? parts.get(0) : new Filter.Or(parts);
    }

    private Filter parseAnd() {
        List<Filter> parts = new ArrayList<>();
        while (true) {
            skipWs();
            if (atEnd() || peek() == ')' || peek() == '|') {
                break;
            }
            parts.add(parseUnary());
        }
        if (parts.isEmpty()) {
            throw syntax(atEnd() ? "expression expected at end of input" : "expression expected before '" + peek() + "'");
        }
        return parts.size() == 1 ? parts.get(0) : new Filter.And(parts);
    }

    private Filter parseUnary() {
        if (peek() == '-') {
            int start = pos;
            pos++;
            if (atEnd() || isWs(peek())) {
                throw unsupported(start);
            }
            return new Filter.Not(parseUnary());
        }
        return parsePrimary();
    }

    private Filter parsePrimary() {
        char c = peek();
        if (c == '(') {
            int open = pos;
            pos++;
            Filter inner = parseOr();
            skipWs();
            if (atEnd() || peek() != ')') {
                throw new SemanticCacheUsageError("Invalid filter syntax: '(' at position " + open
                        + " is not closed in '" + src + "'");
            }
            pos++;
            return inner;
        }
        if (c == '*') {
            pos++;
            if (!atEnd() && !isWs(peek()) && peek() != ')' && peek() != '|') {
                throw unsupported(pos - 1);
            }
            return Filter.all();
        }
        if (c == '@') {
            return parseClause();
        }
        throw unsupported(pos);
    }

    private Filter parseClause() {
        int start = pos;
        pos++; // '@'
        int nameStart = pos;
        while (!atEnd() && isFieldChar(peek(), pos == nameStart)) {
            pos++;
        }
        String field = src.substring(nameStart, pos);
        if (field.isEmpty() || atEnd() || peek() != ':' || pos + 1 >= src.length()) {
            throw unsupported(start);
        }
        pos++; // ':'
        char open = peek();
        if (open == '{') {
            return parseTag(start, field);
        }
        if (open == '[') {
            return parseNumeric(start, field);
        }
        throw unsupported(start);
    }

    private Filter parseTag(int start, String field) {
        pos++; // '{'
        List<String> values = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int lastSignificant = 0; // length of cur up to the last escaped or non-whitespace char
        while (true) {
            if (atEnd()) {
                throw new SemanticCacheUsageError("Invalid filter syntax: '{' of the tag clause at position " + start
                        + " is not closed in '" + src + "'");
            }
            char c = src.charAt(pos);
            if (c == '\\') {
                if (pos + 1 >= src.length()) {
                    throw syntax("dangling '\\' in tag clause");
                }
                cur.append(src.charAt(pos + 1));
                lastSignificant = cur.length();
                pos += 2;
            } else if (c == '|' || c == '}') {
                values.add(finishTag(cur, lastSignificant, start));
                cur.setLength(0);
                lastSignificant = 0;
                pos++;
                if (c == '}') {
                    break;
                }
            } else if (c == '*') {
                throw new SemanticCacheUsageError("In-memory store cannot evaluate filter construct '"
                        + constructAt(start) + "' at position " + start
                        + ": unescaped '*' (prefix/wildcard tag match) is not supported; " + SUPPORTED);
            } else if (isWs(c) && cur.length() == 0) {
                pos++; // leading whitespace
            } else {
                cur.append(c);
                if (!isWs(c)) {
                    lastSignificant = cur.length();
                }
                pos++;
            }
        }
        return new Filter.Tag(field, values);
    }

    private String finishTag(StringBuilder cur, int lastSignificant, int start) {
        String v = cur.substring(0, lastSignificant);
        if (v.isEmpty()) {
            throw new SemanticCacheUsageError("Invalid filter syntax: empty tag value in the tag clause at position "
                    + start + " of '" + src + "'");
        }
        if (v.strip().endsWith("*")) { // valkey-search reads "\*" at the end as a prefix wildcard too
            throw new SemanticCacheUsageError("In-memory store cannot evaluate filter construct '"
                    + constructAt(start) + "' at position " + start + ": a tag value ending in '*', escaped or not,"
                    + " is a prefix/wildcard tag match on valkey-search and is not supported; " + SUPPORTED);
        }
        return v;
    }

    private Filter parseNumeric(int start, String field) {
        pos++; // '['
        skipWs();
        int minPos = pos;
        String min = readBound();
        skipWs();
        int maxPos = pos;
        String max = readBound();
        skipWs();
        if (atEnd() || peek() != ']' || min.isEmpty() || max.isEmpty()) {
            throw new SemanticCacheUsageError("In-memory store cannot evaluate filter construct '" + constructAt(start)
                    + "' at position " + start + ": a numeric clause needs exactly two bounds, as in"
                    + " @field:[min max]; " + SUPPORTED);
        }
        pos++; // ']'
        boolean minIncl = !min.startsWith("(");
        boolean maxIncl = !max.startsWith("(");
        double lo = bound(minIncl ? min : min.substring(1), minPos);
        double hi = bound(maxIncl ? max : max.substring(1), maxPos);
        return new Filter.Numeric(field, lo, minIncl, hi, maxIncl);
    }

    private String readBound() {
        int s = pos;
        while (!atEnd() && !isWs(peek()) && peek() != ']') {
            pos++;
        }
        return src.substring(s, pos);
    }

    private double bound(String text, int at) {
        String t = text.toLowerCase(Locale.ROOT);
        switch (t) {
            case "inf":
            case "+inf":
                return Double.POSITIVE_INFINITY;
            case "-inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (NUMBER.matcher(text).matches()) {
                    return Double.parseDouble(text);
                }
                throw new SemanticCacheUsageError("Invalid filter syntax: bad numeric bound '" + text
                        + "' at position " + at + " of '" + src + "'");
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private SemanticCacheUsageError unsupported(int at) {
        return new SemanticCacheUsageError("In-memory store cannot evaluate filter construct '" + constructAt(at)
                + "' at position " + at + ": " + SUPPORTED);
    }

    private SemanticCacheUsageError syntax(String what) {
        return new SemanticCacheUsageError("Invalid filter syntax at position " + pos + ": " + what + " in '"
                + src + "'");
    }

    /** The construct starting at {@code at}: up to whitespace, '|' or ')' outside quotes and brackets. */
    private String constructAt(int at) {
        int depth = 0;
        boolean quoted = false;
        int i = at;
        for (; i < src.length(); i++) {
            char c = src.charAt(i);
            if (c == '\\' && i + 1 < src.length()) {
                i++;
                continue;
            }
            if (quoted) {
                quoted = c != '"';
                continue;
            }
            if (c == '"') {
                quoted = true;
            } else if (c == '[' || c == '{' || (c == '(' && i > at)) {
                depth++;
            } else if ((c == ']' || c == '}' || c == ')') && depth > 0) {
                depth--;
            } else if (depth == 0 && (isWs(c) || c == '|' || c == ')') && i > at) {
                break;
            }
        }
        return src.substring(at, Math.max(i, Math.min(at + 1, src.length())));
    }

    private boolean atEnd() {
        return pos >= src.length();
    }

    private char peek() {
        return src.charAt(pos);
    }

    private void skipWs() {
        while (!atEnd() && isWs(peek())) {
            pos++;
        }
    }

    private static boolean isWs(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static boolean isFieldChar(char c, boolean first) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || (!first && c >= '0' && c <= '9');
    }
}
