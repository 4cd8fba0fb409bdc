package com.betterdb.semanticcache.filter;

import java.util.List;
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
