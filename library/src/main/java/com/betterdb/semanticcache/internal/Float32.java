package com.betterdb.semanticcache.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Vectors as raw IEEE-754 binary32 little-endian bytes, no header (docs/data-format.md §5). */
public final class Float32 {

    private Float32() {
    }

    public static byte[] encode(float[] vector) {
        ByteBuffer buf = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(vector);
        return buf.array();
    }

    /** Decodes every 4 bytes; a trailing partial float is an error (as the TypeScript reader). */
    public static float[] decode(byte[] bytes) {
        if (bytes.length % 4 != 0) {
            throw new IllegalArgumentException("vector byte length " + bytes.length + " is not a multiple of 4");
        }
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    /** Widens to doubles, rounding each component to float32 first (what the server sees). */
    public static float[] fromDoubles(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
