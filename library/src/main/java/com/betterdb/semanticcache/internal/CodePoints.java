package com.betterdb.semanticcache.internal;

import java.util.Comparator;

/** String order by Unicode code point (= UTF-8 byte order, Valkey's member order, Python's str order). */
public final class CodePoints {

    /** Unlike {@code String#compareTo}, which orders UTF-16 units and differs for characters outside the BMP. */
    public static final Comparator<String> ORDER = CodePoints::compare;

    private CodePoints() {
    }

    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
