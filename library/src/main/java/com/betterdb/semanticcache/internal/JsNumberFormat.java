package com.betterdb.semanticcache.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * JavaScript number rendering: {@code Number.prototype.toString()} / {@code JSON.stringify} for
 * numbers (ECMA-262 Number::toString, shortest round-tripping digits) and
 * {@code Number.prototype.toFixed}.
 */
public final class JsNumberFormat {

    private static final BigDecimal TEN_POW_21 = new BigDecimal("1e21");

    private JsNumberFormat() {
    }

    /**
     * {@code String(x)} in JavaScript: {@code 0}, {@code 1}, {@code 0.1}, {@code 1e-7},
     * {@code 1.5e+21}, {@code 123456789012345680000}, {@code NaN}, {@code Infinity}; {@code -0} → {@code 0}.
     */
    public static String format(double x) {
        if (Double.isNaN(x)) {
            return "NaN";
        }
        if (x == 0) {
            return "0";
        }
        if (x < 0) {
            return "-" + format(-x);
        }
        if (Double.isInfinite(x)) {
            return "Infinity";
        }
        String fast = x >= Double.MIN_NORMAL ? fromJavaDigits(x) : null;
        return fast != null ? fast : formatExact(x);
    }

    /** {@link #format} of a finite positive {@code x} by the exact digit search (package-private for tests). */
    static String formatExact(double x) {
        BigDecimal shortest = shortest(x).stripTrailingZeros();
        String s = shortest.unscaledValue().toString();
        return render(s, s.length() - shortest.scale());
    }

    /**
     * The fast path: {@link Double#toString} always round-trips; when its digits (leading and trailing zeros dropped)
     * are at most 15, they are the shortest round-tripping digits, since two different decimals of at most 15
     * significant digits never map to the same normal double (subnormals have fewer digits of precision and are
     * left to the exact search). Longer ones may not be shortest (Java 17's algorithm sometimes
     * emits a digit too many): {@code null}, and the exact search decides.
     */
    private static String fromJavaDigits(double x) {
        String j = Double.toString(x); // "123.45", "0.00123" or "1.2345E-5"
        int e = j.indexOf('E');
        int end = e < 0 ? j.length() : e;
        int exp = e < 0 ? 0 : Integer.parseInt(j, e + 1, j.length(), 10);
        StringBuilder digits = new StringBuilder(20);
        int pointPos = -1;
        for (int i = 0; i < end; i++) {
            char c = j.charAt(i);
            if (c == '.') {
                pointPos = digits.length();
            } else {
                digits.append(c);
            }
        }
        if (pointPos < 0) {
            pointPos = digits.length();
        }
        int lead = 0;
        while (lead < digits.length() && digits.charAt(lead) == '0') {
            lead++;
        }
        int trail = digits.length();
        while (trail > lead && digits.charAt(trail - 1) == '0') {
            trail--;
        }
        if (trail - lead > 15) {
            return null;
        }
        // value = 0.<digits[lead, trail)> * 10^n
        return render(digits.substring(lead, trail), pointPos + exp - lead);
    }

    /** ECMA-262 Number::toString steps 6-10 for digits {@code s} (no leading/trailing zeros) and point position n. */
    private static String render(String s, int n) {
        int k = s.length();
        StringBuilder out = new StringBuilder(k + 8);
        if (k <= n && n <= 21) {
            out.append(s);
            out.append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(s, 0, n).append('.').append(s, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(s);
        } else {
            int e = n - 1;
            out.append(s.charAt(0));
            if (k > 1) {
                out.append('.').append(s, 1, k);
            }
            out.append('e').append(e >= 0 ? '+' : '-').append(Math.abs(e));
        }
        return out.toString();
    }

    /**
     * A uniformly random number in [0, 1) with at most 15 significant digits, so that {@link #format} takes its fast
     * path (JavaScript's {@code Math.random()} gives more digits; nothing reads them).
     */
    public static double random15(java.util.random.RandomGenerator random) {
        // k / 10^15 is correctly rounded, so the double is the nearest to the 15-digit decimal 0.<k>.
        return random.nextLong(1_000_000_000_000_000L) / 1e15;
    }

    /**
     * Shortest decimal that round-trips to {@code x} (x finite, positive); among equally short
     * candidates the one closest to {@code x}, ties to an even last digit (ECMA-262 Number::toString).
     */
    private static BigDecimal shortest(double x) {
        BigDecimal exact = new BigDecimal(x);
        for (int p = 1; p <= 17; p++) {
            BigDecimal down = exact.round(new MathContext(p, RoundingMode.DOWN));
            BigDecimal up = exact.round(new MathContext(p, RoundingMode.UP));
            boolean downOk = down.doubleValue() == x;
            boolean upOk = up.doubleValue() == x;
            if (downOk && upOk) {
                int cmp = exact.subtract(down).compareTo(up.subtract(exact));
                if (cmp < 0) {
                    return down;
                }
                if (cmp > 0) {
                    return up;
                }
                return down.unscaledValue().testBit(0) ? up : down;
            }
            if (downOk) {
                return down;
            }
            if (upOk) {
                return up;
            }
        }
        // 17 significant digits always round-trip; not reached.
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
    }

    /**
     * {@code x.toFixed(digits)} in JavaScript (0 ≤ digits ≤ 100): exact binary value rounded half
     * away from zero; {@code NaN} → {@code "NaN"}; |x| ≥ 1e21 → {@link #format}; the sign of a
     * negative value is kept even when it rounds to zero ({@code (-0.04).toFixed(1)} = {@code "-0.0"}).
     */
    public static String toFixed(double x, int digits) {
        if (digits < 0 || digits > 100) {
            throw new IllegalArgumentException("digits must be in 0..100: " + digits);
        }
        if (Double.isNaN(x)) {
            return "NaN";
        }
        if (Double.isInfinite(x)) {
            return format(x);
        }
        String sign = "";
        if (x < 0) {
            sign = "-";
            x = -x;
        }
        BigDecimal exact = new BigDecimal(x);
        if (exact.compareTo(TEN_POW_21) >= 0) {
            return sign + format(x);
        }
        return sign + exact.setScale(digits, RoundingMode.HALF_UP).toPlainString();
    }
}
