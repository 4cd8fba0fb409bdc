package com.betterdb.semanticcache.internal;

import java.math.BigDecimal;

/**
 * Renders doubles the way JavaScript's {@code String(number)} / {@code JSON.stringify} does, so numbers written into
 * hashes and JSON look like the TypeScript package's ({@code 1} not {@code 1.0}, {@code 1e-7} not {@code 1.0E-7}).
 * Readers must parse numerically anyway (data-format.md §0 row 16); this keeps our writes familiar.
 */
public final class JsNumbers {

    private JsNumbers() {
    }

    public static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("not a finite number: " + v);
        }
        if (v == 0) {
            return "0";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e21) {
            return new BigDecimal(v).toPlainString();
        }
        // Shortest round-trip digits from the JDK, then JavaScript's layout rules.
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - d.scale() - 1; // decimal exponent of the first digit
        String sign = v < 0 ? "-" : "";
        if (exponent >= 21 || exponent <= -7) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent > 0 ? "+" : "") + exponent;
        }
        return sign + d.abs().toPlainString();
    }
}
