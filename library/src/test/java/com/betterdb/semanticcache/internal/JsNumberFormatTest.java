package com.betterdb.semanticcache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsNumberFormatTest {

    @Test
    void integralValues() {
        assertThat(JsNumberFormat.format(0)).isEqualTo("0");
        assertThat(JsNumberFormat.format(-0.0)).isEqualTo("0");
        assertThat(JsNumberFormat.format(1)).isEqualTo("1");
        assertThat(JsNumberFormat.format(1.0)).isEqualTo("1");
        assertThat(JsNumberFormat.format(-1)).isEqualTo("-1");
        assertThat(JsNumberFormat.format(4242)).isEqualTo("4242");
        assertThat(JsNumberFormat.format(1e20)).isEqualTo("100000000000000000000");
        assertThat(JsNumberFormat.format(123456789012345680000.0)).isEqualTo("123456789012345680000");
        assertThat(JsNumberFormat.format(9007199254740993.0)).isEqualTo("9007199254740992");
    }

    @Test
    void fractions() {
        assertThat(JsNumberFormat.format(0.1)).isEqualTo("0.1");
        assertThat(JsNumberFormat.format(0.7)).isEqualTo("0.7");
        assertThat(JsNumberFormat.format(0.085)).isEqualTo("0.085");
        assertThat(JsNumberFormat.format(0.05)).isEqualTo("0.05");
        assertThat(JsNumberFormat.format(0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(JsNumberFormat.format(0.1 - 0.05 * 1.5)).isEqualTo("0.024999999999999994");
        assertThat(JsNumberFormat.format(1.5)).isEqualTo("1.5");
        assertThat(JsNumberFormat.format(-2.5)).isEqualTo("-2.5");
        assertThat(JsNumberFormat.format(123.456)).isEqualTo("123.456");
        assertThat(JsNumberFormat.format(0.00001)).isEqualTo("0.00001");
        assertThat(JsNumberFormat.format(1.0E-6)).isEqualTo("0.000001");
        assertThat(JsNumberFormat.format(1.5e-6)).isEqualTo("0.0000015");
        assertThat(JsNumberFormat.format(1.0 / 3)).isEqualTo("0.3333333333333333");
        assertThat(JsNumberFormat.format(2.0 / 3)).isEqualTo("0.6666666666666666");
    }

    @Test
    void exponentForms() {
        assertThat(JsNumberFormat.format(1e-7)).isEqualTo("1e-7");
        assertThat(JsNumberFormat.format(1.5e-7)).isEqualTo("1.5e-7");
        assertThat(JsNumberFormat.format(-1.5e-7)).isEqualTo("-1.5e-7");
        assertThat(JsNumberFormat.format(1e21)).isEqualTo("1e+21");
        assertThat(JsNumberFormat.format(1.5e21)).isEqualTo("1.5e+21");
        assertThat(JsNumberFormat.format(Double.MAX_VALUE)).isEqualTo("1.7976931348623157e+308");
        assertThat(JsNumberFormat.format(Double.MIN_VALUE)).isEqualTo("5e-324");
        assertThat(JsNumberFormat.format(Double.MIN_NORMAL)).isEqualTo("2.2250738585072014e-308");
    }

    @Test
    void shortestWhereOldJavaToStringIsNot() {
        // JDK < 19 Double.toString(2e23) = "2.0000000000000002E23"; JS prints 2e+23
        assertThat(JsNumberFormat.format(2e23)).isEqualTo("2e+23");
        assertThat(JsNumberFormat.format(1.0E23)).isEqualTo("1e+23");
        assertThat(JsNumberFormat.format(5e-324 * 3)).isEqualTo("1.5e-323");
    }

    @Test
    void nonFinite() {
        assertThat(JsNumberFormat.format(Double.NaN)).isEqualTo("NaN");
        assertThat(JsNumberFormat.format(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
        assertThat(JsNumberFormat.format(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
    }

    @Test
    void toFixed() {
        assertThat(JsNumberFormat.toFixed(25.0, 1)).isEqualTo("25.0");
        assertThat(JsNumberFormat.toFixed(0.25 * 100, 1)).isEqualTo("25.0");
        assertThat(JsNumberFormat.toFixed(1.0 / 3 * 100, 1)).isEqualTo("33.3");
        assertThat(JsNumberFormat.toFixed(2.0 / 3 * 100, 1)).isEqualTo("66.7");
        assertThat(JsNumberFormat.toFixed(12.0 / 13 * 100, 1)).isEqualTo("92.3");
        assertThat(JsNumberFormat.toFixed(100, 1)).isEqualTo("100.0");
        assertThat(JsNumberFormat.toFixed(0, 1)).isEqualTo("0.0");
        // exact binary value decides: 1.005 is 1.00499999999999989... -> "1.00"; 1.25 exact -> "1.3"
        assertThat(JsNumberFormat.toFixed(1.005, 2)).isEqualTo("1.00");
        assertThat(JsNumberFormat.toFixed(1.25, 1)).isEqualTo("1.3");
        assertThat(JsNumberFormat.toFixed(0.05, 1)).isEqualTo("0.1");
        assertThat(JsNumberFormat.toFixed(-0.04, 1)).isEqualTo("-0.0");
        assertThat(JsNumberFormat.toFixed(-1.25, 1)).isEqualTo("-1.3");
        assertThat(JsNumberFormat.toFixed(Double.NaN, 1)).isEqualTo("NaN");
        assertThat(JsNumberFormat.toFixed(1e21, 1)).isEqualTo("1e+21");
        assertThat(JsNumberFormat.toFixed(2.5, 0)).isEqualTo("3");
    }

    /** The Double.toString fast path must agree with the exact digit search on every kind of value. */
    @Test
    void fastPathAgreesWithExactSearch() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(42);
        for (int i = 0; i < 100_000; i++) {
            double[] xs = {
                    Double.longBitsToDouble(r.nextLong() & Long.MAX_VALUE),        // any positive bit pattern
                    r.nextDouble(),                                                 // 16-17 digit fractions
                    JsNumberFormat.random15(r),                                     // window nonces
                    Double.parseDouble(String.format(java.util.Locale.ROOT, "%.12g", r.nextDouble() * 2)), // __score
                    r.nextInt(1_000_000) / 1000.0,
                    Math.scalb(r.nextDouble(), r.nextInt(-1074, 1024))};
            for (double x : xs) {
                if (x > 0 && Double.isFinite(x)) {
                    assertThat(JsNumberFormat.format(x)).as("%s", Double.toString(x))
                            .isEqualTo(JsNumberFormat.formatExact(x));
                }
            }
        }
    }

    @Test
    void random15HasAtMost15SignificantDigitsInRange() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            double x = JsNumberFormat.random15(r);
            assertThat(x).isGreaterThanOrEqualTo(0).isLessThan(1);
            String digits = JsNumberFormat.format(x).replace("0.", "").replaceFirst("^0+", "");
            assertThat(digits.length()).isLessThanOrEqualTo(15);
        }
    }
}
