package com.betterdb.semanticcache.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsNumberTest {

    @Test
    void decimals() {
        assertThat(JsNumber.parse("0.1")).isEqualTo(0.1);
        assertThat(JsNumber.parse("0.085")).isEqualTo(0.085);
        assertThat(JsNumber.parse("120.0")).isEqualTo(120.0);
        assertThat(JsNumber.parse("1e2")).isEqualTo(100.0);
        assertThat(JsNumber.parse("1E-2")).isEqualTo(0.01);
        assertThat(JsNumber.parse("+5")).isEqualTo(5.0);
        assertThat(JsNumber.parse("-0.1")).isEqualTo(-0.1);
        assertThat(JsNumber.parse(".5")).isEqualTo(0.5);
        assertThat(JsNumber.parse("5.")).isEqualTo(5.0);
        assertThat(JsNumber.parse("007")).isEqualTo(7.0);
        assertThat(JsNumber.parse("1e400")).isInfinite();
    }

    @Test
    void whitespaceAndEmpty() {
        assertThat(JsNumber.parse("")).isEqualTo(0.0);
        assertThat(JsNumber.parse("   ")).isEqualTo(0.0);
        assertThat(JsNumber.parse(" \t\n0.5\r\n ")).isEqualTo(0.5);
        assertThat(JsNumber.parse("\u00a0 0.5\u2028\ufeff")).isEqualTo(0.5);
        assertThat(JsNumber.parse("\u3000 1")).isEqualTo(1.0);
    }

    @Test
    void prefixes() {
        assertThat(JsNumber.parse("0x10")).isEqualTo(16.0);
        assertThat(JsNumber.parse("0XfF")).isEqualTo(255.0);
        assertThat(JsNumber.parse("0o17")).isEqualTo(15.0);
        assertThat(JsNumber.parse("0b101")).isEqualTo(5.0);
        assertThat(JsNumber.parse("-0x10")).isNaN();
        assertThat(JsNumber.parse("0x")).isNaN();
        assertThat(JsNumber.parse("0o8")).isNaN();
        assertThat(JsNumber.parse("0b2")).isNaN();
    }

    @Test
    void infinityAndNaN() {
        assertThat(JsNumber.parse("Infinity")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(JsNumber.parse("-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(JsNumber.parse("+Infinity")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(JsNumber.parse("infinity")).isNaN();
        assertThat(JsNumber.parse("NaN")).isNaN();
        assertThat(JsNumber.parse("not a number")).isNaN();
        assertThat(JsNumber.parse("1d")).isNaN();
        assertThat(JsNumber.parse("1f")).isNaN();
        assertThat(JsNumber.parse("0x1p3")).isNaN();
        assertThat(JsNumber.parse("1_000")).isNaN();
        assertThat(JsNumber.parse("1 2")).isNaN();
        assertThat(JsNumber.parse(".")).isNaN();
        assertThat(JsNumber.parse("e5")).isNaN();
        assertThat(JsNumber.parse("1e")).isNaN();
        assertThat(JsNumber.parse("--1")).isNaN();
        assertThat(JsNumber.parse(null)).isNaN();
    }
}
