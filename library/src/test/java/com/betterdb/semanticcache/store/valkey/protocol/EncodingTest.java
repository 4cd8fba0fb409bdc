package com.betterdb.semanticcache.store.valkey.protocol;

import com.betterdb.semanticcache.filter.TagEscaper;
import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.internal.Hashing;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** ENC scenarios against the shared Float32 / Hashing / TagEscaper helpers the FT.* builders rely on. */
class EncodingTest {

    private static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }

    // ENC-01
    @Test
    void enc01() {
        assertThat(hex(Float32.encode(new float[] {1.0f}))).isEqualTo("00 00 80 3f");
    }

    // ENC-02
    @Test
    void enc02() {
        assertThat(hex(Float32.encode(new float[] {-2.0f}))).isEqualTo("00 00 00 c0");
    }

    // ENC-03
    @Test
    void enc03() {
        assertThat(hex(Float32.encode(new float[] {0.5f, 1.5f}))).isEqualTo("00 00 00 3f 00 00 c0 3f");
        // data-format.md §5 example
        assertThat(hex(Float32.encode(Float32.fromDoubles(new double[] {0.1, 0.2})))).isEqualTo("cd cc cc 3d cd cc 4c 3e");
    }

    // ENC-04
    @Test
    void enc04() {
        assertThat(Float32.encode(new float[0])).isEmpty();
        assertThat(Float32.decode(new byte[0])).isEmpty();
    }

    // ENC-05
    @Test
    void enc05() {
        assertThat(Float32.encode(new float[] {1f, 2f, 3f, 4f})).hasSize(16);
    }

    // ENC-06
    @Test
    void enc06() {
        float[] v = {0.5f, -1.25f, 3.75f};
        byte[] bytes = Float32.encode(v);
        ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(le.getFloat(0)).isEqualTo(0.5f);
        assertThat(le.getFloat(4)).isEqualTo(-1.25f);
        assertThat(le.getFloat(8)).isEqualTo(3.75f);
        assertThat(Float32.decode(bytes)).containsExactly(v);
    }

    // ENC-07
    @Test
    void enc07() {
        double[] v = {0.1, 0.5, 0.9, -0.3};
        byte[] bytes = Float32.encode(Float32.fromDoubles(v));
        assertThat(bytes).hasSize(16);
        float[] back = Float32.decode(bytes);
        for (int i = 0; i < v.length; i++) {
            assertThat((double) back[i]).isCloseTo(v[i], within(1e-6));
        }
    }

    // ENC-08
    @Test
    void enc08() {
        assertThat(Hashing.sha256Hex("hello"))
                .isEqualTo("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        assertThat(Hashing.sha256Hex("")).hasSize(64);
        assertThat(Hashing.sha256Hex("x")).isEqualTo(Hashing.sha256Hex("x"));
    }

    // ENC-09
    @Test
    void enc09() {
        assertThat(TagEscaper.escape("gpt-4o")).isEqualTo("gpt\\-4o");
        assertThat(TagEscaper.escape("gpt 4o")).isEqualTo("gpt\\ 4o");
        assertThat(TagEscaper.escape("hello world")).isEqualTo("hello\\ world");
    }

    // ENC-10
    @Test
    void enc10() {
        assertThat(TagEscaper.escape("a,b.c/d\\e")).isEqualTo("a\\,b\\.c\\/d\\\\e");
        assertThat(TagEscaper.escape("a/b\\c")).isEqualTo("a\\/b\\\\c");
    }

    // ENC-11
    @Test
    void enc11() {
        assertThat(TagEscaper.escape("a,b")).isEqualTo("a\\,b");
        assertThat(TagEscaper.escape("a.b")).isEqualTo("a\\.b");
        assertThat(TagEscaper.escape("a{b}")).isEqualTo("a\\{b\\}");
        assertThat(TagEscaper.escape("a|b")).isEqualTo("a\\|b");
    }

    // ENC-12
    @Test
    void enc12() {
        assertThat(TagEscaper.escape("{x}[y]\"z\"'w'")).isEqualTo("\\{x\\}\\[y\\]\\\"z\\\"\\'w\\'");
    }

    // ENC-13
    @Test
    void enc13() {
        String specials = "!@#$%^&*()+=~|<>:;";
        StringBuilder expected = new StringBuilder();
        for (char c : specials.toCharArray()) {
            expected.append('\\').append(c);
        }
        assertThat(specials).hasSize(18);
        assertThat(TagEscaper.escape(specials)).isEqualTo(expected.toString());
    }

    // ENC-14
    @Test
    void enc14() {
        assertThat(TagEscaper.escape("abc_DEF_123")).isEqualTo("abc_DEF_123");
        assertThat(TagEscaper.escape("model_v2")).isEqualTo("model_v2");
    }

    // ENC-15
    @Test
    void enc15() {
        assertThat(TagEscaper.escape("x?y`z")).isEqualTo("x?y`z");
    }
}
