package com.betterdb.semanticcache.store.valkey.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Conversions of decoded reply elements (byte[] / ByteBuffer bulk strings, String simple strings, Long, Double,
 * Boolean, List, Map) shared by the parsers and outputs. Never throws on odd input: returns null / NaN instead.
 */
final class ReplyValues {

    // Strict decoder (REPORT, not REPLACE): PY skips values that are not valid UTF-8 (PARSE-13), so must we.
    // One per thread because CharsetDecoder is stateful; outputs run on Netty event-loop threads.
    private static final ThreadLocal<CharsetDecoder> UTF8 = ThreadLocal.withInitial(() -> StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT));

    private ReplyValues() {
    }

    /** Whether the element is a string on the wire (bulk or simple), as opposed to a number, array or null. */
    static boolean isString(Object o) {
        return o instanceof String || o instanceof byte[] || o instanceof ByteBuffer;
    }

    /**
     * The element as text: strings decoded as strict UTF-8 (null when invalid), numbers and booleans via
     * {@code String.valueOf}; null for null, arrays and anything else.
     */
    static String text(Object o) {
        if (o instanceof String s) {
            return s;
        }
        if (o instanceof byte[] b) {
            return utf8(ByteBuffer.wrap(b));
        }
        if (o instanceof ByteBuffer bb) {
            return utf8(bb.duplicate());
        }
        if (o instanceof Long || o instanceof Integer || o instanceof Short || o instanceof Byte) {
            return Long.toString(((Number) o).longValue());
        }
        if (o instanceof Number || o instanceof Boolean) {
            return String.valueOf(o);
        }
        return null;
    }

    /**
     * Strict UTF-8 decode of the remaining bytes (consumes the buffer); null when the bytes are not valid UTF-8.
     * Pure-ASCII input (the common case: keys, field names, numbers) skips the decoder.
     */
    static String utf8(ByteBuffer bytes) {
        if (bytes == null) {
            return null;
        }
        int n = bytes.remaining();
        byte[] a;
        int off;
        if (bytes.hasArray()) {
            a = bytes.array();
            off = bytes.arrayOffset() + bytes.position();
        } else {
            // Lettuce hands out views of its (often direct) receive buffer; one copy is needed for the String anyway.
            a = new byte[n];
            off = 0;
            bytes.duplicate().get(a);
        }
        if (isAscii(a, off, n)) {
            bytes.position(bytes.limit());
            return new String(a, off, n, StandardCharsets.ISO_8859_1);
        }
        CharsetDecoder dec = UTF8.get();
        dec.reset();
        try {
            CharBuffer cb = dec.decode(bytes);
            return cb.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean isAscii(byte[] a, int off, int n) {
        for (int i = off, end = off + n; i < end; i++) {
            if (a[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The element as a number: Java numbers directly; strings parsed as a long, else as a double (so
     * {@code "2.0"} and {@code "1536.0"} work, as PY's {@code int(float(x))}). NaN when not numeric.
     */
    static double number(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (isString(o)) {
            return parseNumber(text(o));
        }
        return Double.NaN;
    }

    static double parseNumber(String s) {
        if (s == null) {
            return Double.NaN;
        }
        String t = s.trim();
        if (t.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException ignored) {
            // fall through to the decimal form
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** A list element, or a RESP3 map flattened into alternating key/value; null for anything else. */
    static List<?> list(Object o) {
        if (o instanceof List<?> l) {
            return l;
        }
        if (o instanceof Map<?, ?> m) {
            List<Object> flat = new ArrayList<>(m.size() * 2);
            for (Map.Entry<?, ?> e : m.entrySet()) {
                flat.add(e.getKey());
                flat.add(e.getValue());
            }
            return flat;
        }
        return null;
    }
}
