package com.betterdb.semanticcache.config;

import java.math.BigInteger;
import java.util.regex.Pattern;

/** JavaScript {@code Number(string)} conversion (ECMA-262 StringToNumber). */
public final class JsNumber {

    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?(?:Infinity|(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)");
    private static final Pattern HEX = Pattern.compile("0[xX][0-9a-fA-F]+");
    private static final Pattern OCT = Pattern.compile("0[oO][0-7]+");
    private static final Pattern BIN = Pattern.compile("0[bB][01]+");

    private JsNumber() {
    }

    /**
     * {@code Number(s)}: surrounding JS white space/line terminators are trimmed; empty → 0;
     * signed decimal literals with optional fraction/exponent; {@code [+-]Infinity}; unsigned
     * {@code 0x}/{@code 0o}/{@code 0b} integers; anything else (incl. {@code null}) → NaN.
     */
    public static double parse(String s) {
        if (s == null) {
            return Double.NaN;
        }
        String t = trim(s);
        if (t.isEmpty()) {
            return 0.0;
        }
        if (DECIMAL.matcher(t).matches()) {
            if (t.endsWith("Infinity")) {
                return t.charAt(0) == '-' ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            return Double.parseDouble(t);
        }
        if (HEX.matcher(t).matches()) {
            return new BigInteger(t.substring(2), 16).doubleValue();
        }
        if (OCT.matcher(t).matches()) {
            return new BigInteger(t.substring(2), 8).doubleValue();
        }
        if (BIN.matcher(t).matches()) {
            return new BigInteger(t.substring(2), 2).doubleValue();
        }
        return Double.NaN;
    }

    private static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isJsWhiteSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isJsWhiteSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** ECMA-262 WhiteSpace and LineTerminator code points. */
    static boolean isJsWhiteSpace(char c) {
        switch (c) {
            case '\t': case '\n': case 0x0B: case '\f': case '\r': case ' ':
            case 0x00A0: case 0xFEFF: case 0x2028: case 0x2029:
                return true;
            default:
                return Character.getType(c) == Character.SPACE_SEPARATOR;
        }
    }
}
