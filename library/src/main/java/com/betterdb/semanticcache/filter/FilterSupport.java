package com.betterdb.semanticcache.filter;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** Rendering helpers shared by the {@link Filter} records. */
final class FilterSupport {

    private static final Pattern FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private FilterSupport() {
    }

    static void requireField(String field) {
        if (field == null || !FIELD.matcher(field).matches()) {
            throw new IllegalArgumentException("invalid filter field name: '" + field + "'");
        }
    }

    /**
     * A tag value as valkey-search can match it: stripped (the module strips indexed tags and query values alike; an
     * escaped space at either end is not kept either), and not ending in {@code *}, which valkey-search 1.2 reads as a
     * prefix wildcard even when escaped.
     */
    static String tagValue(String value) {
        String v = Objects.requireNonNull(value, "tag value").strip();
        if (v.endsWith("*")) {
            throw new IllegalArgumentException("tag value '" + value + "' ends with '*': valkey-search reads a"
                    + " trailing * as a prefix wildcard even when escaped, so it cannot be matched exactly");
        }
        return v;
    }

    static String bound(double v, boolean inclusive) {
        String s;
        if (v == Double.POSITIVE_INFINITY) {
            s = "+inf";
        } else if (v == Double.NEGATIVE_INFINITY) {
            s = "-inf";
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            s = Long.toString((long) v);
        } else {
            s = Double.toString(v);
        }
        return inclusive || Double.isInfinite(v) ? s : "(" + s;
    }

    static String group(Filter f) {
        if (f instanceof Filter.Tag || f instanceof Filter.Numeric || f instanceof Filter.All) {
            return f.toQuery();
        }
        return "(" + f.toQuery() + ")";
    }

    static String join(List<Filter> parts, String sep) {
        if (parts.size() == 1) {
            return parts.get(0).toQuery();
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                sb.append(sep);
            }
            sb.append(group(parts.get(i)));
        }
        return sb.toString();
    }
}
