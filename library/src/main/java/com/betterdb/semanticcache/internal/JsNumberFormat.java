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
        BigDecimal shortest = shortest(x).stripTrailingZeros();
        String s = shortest.unscaledValue().toString();
        int k = s.length();
        int n = k - shortest.scale();
        StringBuilder out = new StringBuilder();
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
