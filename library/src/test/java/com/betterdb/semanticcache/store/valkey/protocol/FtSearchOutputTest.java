package com.betterdb.semanticcache.store.valkey.protocol;

import com.betterdb.semanticcache.store.Candidate;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.protocol.RedisStateMachine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming output against hand-written RESP replies (the PARSE scenarios in wire form, plus shapes the
 * fixtures do not cover), decoded by Lettuce's state machine — whole and one byte at a time.
 */
class FtSearchOutputTest {

    /** A RESP simple string ({@code +text}). */
    record Simple(String text) {
    }

    /** A RESP3 double. */
    record Dbl(double value) {
    }

    /** A RESP3 null ({@code _}). */
    record Null3() {
    }

    /** A RESP3 boolean. */
    record Bool(boolean value) {
    }

    private static void write(ByteArrayOutputStream out, Object o) {
        if (o == null) {
            out.writeBytes("$-1\r\n".getBytes(StandardCharsets.US_ASCII));
        } else if (o instanceof String s) {
            write(out, s.getBytes(StandardCharsets.UTF_8));
        } else if (o instanceof byte[] b) {
            out.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(b);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        } else if (o instanceof Simple s) {
            out.writeBytes(("+" + s.text() + "\r\n").getBytes(StandardCharsets.UTF_8));
        } else if (o instanceof Long n) {
            out.writeBytes((":" + n + "\r\n").getBytes(StandardCharsets.US_ASCII));
        } else if (o instanceof Dbl d) {
            out.writeBytes(("," + d.value() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        } else if (o instanceof Null3) {
            out.writeBytes("_\r\n".getBytes(StandardCharsets.US_ASCII));
        } else if (o instanceof Bool b) {
            out.writeBytes(("#" + (b.value() ? "t" : "f") + "\r\n").getBytes(StandardCharsets.US_ASCII));
        } else if (o instanceof List<?> l) {
            out.writeBytes(("*" + l.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            l.forEach(e -> write(out, e));
        } else if (o instanceof Map<?, ?> m) {
            out.writeBytes(("%" + m.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            m.forEach((k, v) -> {
                write(out, k);
                write(out, v);
            });
        } else {
            throw new IllegalArgumentException(String.valueOf(o));
        }
    }

    private static byte[] resp(Object reply) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, reply);
        return out.toByteArray();
    }

    private static <T> T decodeWhole(CommandOutput<byte[], byte[], T> output, byte[] bytes) {
        RedisStateMachine rsm = new RedisStateMachine();
        rsm.setProtocolVersion(ProtocolVersion.RESP3);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        assertThat(rsm.decode(buf, output)).isTrue();
        assertThat(buf.isReadable()).isFalse();
        return output.get();
    }

    /** Feeds the reply one byte at a time, as a slow socket would. */
    private static <T> T decodeByteByByte(CommandOutput<byte[], byte[], T> output, byte[] bytes) {
        RedisStateMachine rsm = new RedisStateMachine();
        rsm.setProtocolVersion(ProtocolVersion.RESP2);
        ByteBuf buf = Unpooled.buffer();
        boolean done = false;
        for (int i = 0; i < bytes.length; i++) {
            assertThat(done).as("finished early at byte %d", i).isFalse();
            buf.writeByte(bytes[i]);
            done = rsm.decode(buf, output);
            buf.discardReadBytes();
        }
        assertThat(done).isTrue();
        return output.get();
    }

    /** Both decode paths of the streaming output, cross-checked with the generic parser. */
    private static List<Candidate> parse(Object reply) {
        byte[] bytes = resp(reply);
        List<Candidate> whole = decodeWhole(new FtSearchOutput(), bytes);
        assertThat(decodeByteByByte(new FtSearchOutput(), bytes)).isEqualTo(whole);
        assertThat(FtReplies.parseSearch(decodeWhole(new GenericReplyOutput(), bytes))).isEqualTo(whole);
        return whole;
    }

    @Test
    void emptyShapes() {
        // PARSE-01
        assertThat(parse(List.of())).isEmpty();
        assertThat(parse(List.of("0"))).isEmpty();
        assertThat(parse(List.of(0L))).isEmpty();
        assertThat(parse(new Null3())).isEmpty();
        assertThat(parse(null)).isEmpty();
    }

    @Test
    void nonArrayShapes() {
        // PARSE-02 (wire forms: a scalar or a RESP3 map at the top level)
        assertThat(parse(new Simple("OK"))).isEmpty();
        assertThat(parse("garbage")).isEmpty();
        assertThat(parse(123L)).isEmpty();
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("total_results", 1L);
        map.put("results", List.of("k", List.of("f", "v")));
        assertThat(parse(map)).isEmpty();
    }

    @Test
    void oneAndTwoHits() {
        // PARSE-03
        List<Candidate> one = parse(List.of("1", "cache:entry:abc",
                List.of("prompt", "hello", "response", "world", "__score", "0.05")));
        assertThat(one).containsExactly(new Candidate("cache:entry:abc", 0.05,
                Map.of("prompt", "hello", "response", "world", "__score", "0.05")));
        // PARSE-04, PARSE-06
        List<Candidate> two = parse(List.of(2L, "key:a", List.of("__score", "0.0234", "f1", "v1"),
                "key:b", List.of("__score", "0.1500", "f2", "v2")));
        assertThat(two).extracting(Candidate::key).containsExactly("key:a", "key:b");
        assertThat(two).extracting(Candidate::score).containsExactly(0.0234, 0.15);
    }

    @Test
    void orphanField() {
        // PARSE-05
        assertThat(parse(List.of("1", "k", List.of("field1", "val1", "orphan"))).get(0).fields())
                .containsExactly(Map.entry("field1", "val1"));
    }

    @Test
    void totals() {
        // PARSE-07 numeric total, PARSE-08 bad totals, PARSE-11 untrusted total, PARSE-12 "2.0"
        assertThat(parse(List.of(1L, "key:a", List.of("f", "v")))).hasSize(1);
        assertThat(parse(List.of("abc", "key:a", List.of("f", "v")))).isEmpty();
        assertThat(parse(List.of("-1", "key:a"))).isEmpty();
        assertThat(parse(List.of(-1L, "key:a"))).isEmpty();
        assertThat(parse(List.of(List.of("1"), "key:a"))).isEmpty();
        assertThat(parse(List.of(new Simple("1"), "key:a"))).hasSize(1);
        assertThat(parse(List.of("5", "key:a", List.of("f", "v")))).hasSize(1);
        assertThat(parse(List.of("2.0", "a", List.of("f", "v"), "b", List.of("f", "v")))).hasSize(2);
        assertThat(parse(List.of(new Dbl(1.0), "a"))).hasSize(1);
    }

    @Test
    void returnZero() {
        // PARSE-09
        List<Candidate> keys = parse(List.of("2", "key:a", "key:b"));
        assertThat(keys).containsExactly(new Candidate("key:a", Double.NaN, Map.of()),
                new Candidate("key:b", Double.NaN, Map.of()));
        // a key-only row between two full rows
        assertThat(parse(List.of("3", "a", List.of("f", "v"), "b", "c", List.of("g", "w"))))
                .extracting(Candidate::key).containsExactly("a", "b", "c");
    }

    @Test
    void nonStringKeys() {
        // PARSE-10
        assertThat(parse(List.of("1", 42L, List.of("f", "v")))).isEmpty();
        assertThat(parse(List.of("2", new Dbl(4.2), List.of("f", "v"), "k", List.of("a", "b"))))
                .extracting(Candidate::key).containsExactly("k");
        assertThat(parse(List.of("2", new Bool(true), List.of("f", "v"), "k"))).extracting(Candidate::key)
                .containsExactly("k");
        // a null key is not a string either
        List<Object> withNull = new ArrayList<>(List.of("2"));
        withNull.add(null);
        withNull.add(List.of("f", "v"));
        withNull.add("k");
        assertThat(parse(withNull)).extracting(Candidate::key).containsExactly("k");
        // a key followed by a number: key-only row, the number is skipped
        assertThat(parse(List.of("2", "a", 7L, "b"))).extracting(Candidate::key).containsExactly("a", "b");
    }

    @Test
    void invalidUtf8AndEmbedding() {
        // PARSE-13
        byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, 0x00, 0x01};
        byte[] vec = {0, 0, (byte) 0x80, 0x3f};
        List<Candidate> rows = parse(List.of("1", "mykey", List.of("response", "hello", "blob", notUtf8,
                "embedding", vec, "prompt", "naïve café ☕", "__score", "0.5")));
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).fields()).containsOnly(Map.entry("response", "hello"),
                Map.entry("prompt", "naïve café ☕"), Map.entry("__score", "0.5"));
        assertThat(rows.get(0).score()).isEqualTo(0.5);
        // a key that is not UTF-8 is dropped with its fields
        assertThat(parse(List.of("2", notUtf8, List.of("f", "v"), "ok"))).extracting(Candidate::key)
                .containsExactly("ok");
    }

    @Test
    void oddElementsInsideRows() {
        // nested arrays, numbers, nulls and simple strings as names/values
        List<Object> row = new ArrayList<>(List.of("nested", List.of("x", List.of("y")), "n", 113L, "d", new Dbl(0.5),
                new Simple("s"), new Simple("simple"), 7L, "numeric-name")); 
        row.add("nul");
        row.add(null);
        row.add("after");
        row.add("ok");
        List<Candidate> rows = parse(List.of(1L, "k", row));
        assertThat(rows.get(0).fields()).containsOnly(Map.entry("n", "113"), Map.entry("d", "0.5"),
                Map.entry("s", "simple"), Map.entry("7", "numeric-name"), Map.entry("after", "ok"));
        // a nested array in a name slot consumes the name; its value is dropped
        assertThat(parse(List.of(1L, "k", List.of(List.of("x"), "dropped", "f", "v"))).get(0).fields())
                .containsOnly(Map.entry("f", "v"));
        // a RESP3 map as the row's field list
        Map<Object, Object> mapRow = new LinkedHashMap<>();
        mapRow.put("prompt", "p");
        mapRow.put("embedding", new byte[] {1, 2, 3, 4});
        mapRow.put("__score", "0.125");
        assertThat(parse(List.of(1L, "k", mapRow))).containsExactly(
                new Candidate("k", 0.125, Map.of("prompt", "p", "__score", "0.125")));
    }

    @Test
    void realFixtureByteByByte() {
        // fixture 11 (RESP2) through a byte-at-a-time socket gives the same rows as a whole buffer
        byte[] bytes = Fixtures.bytes(Fixtures.get(11).file("resp2"));
        List<Candidate> slow = decodeByteByByte(new FtSearchOutput(), bytes);
        assertThat(slow).isEqualTo(decodeWhole(new FtSearchOutput(), bytes));
        assertThat(slow).hasSize(3);
        assertThat(Arrays.asList(slow.get(0).score(), slow.get(2).score())).containsExactly(0.00124764442444, 1.0);
    }

    @Test
    void errorReplyLeavesNoRows() {
        FtSearchOutput out = new FtSearchOutput();
        RedisStateMachine rsm = new RedisStateMachine();
        rsm.decode(Unpooled.wrappedBuffer("-Invalid query string syntax\r\n".getBytes(StandardCharsets.US_ASCII)), out);
        assertThat(out.hasError()).isTrue();
        assertThat(out.getError()).isEqualTo("Invalid query string syntax");
        assertThat(out.get()).isEmpty();
    }
}
