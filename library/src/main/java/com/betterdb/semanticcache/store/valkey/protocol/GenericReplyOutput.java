package com.betterdb.semanticcache.store.valkey.protocol;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Decodes any RESP2/RESP3 reply into a plain tree for {@link FtReplies}: bulk and simple strings (and RESP3 big
 * numbers) become {@code byte[]}, integers {@code Long}, RESP3 doubles {@code Double}, booleans {@code Boolean},
 * nulls {@code null}, arrays/sets/pushes {@code List<Object>}, RESP3 maps an alternating key/value
 * {@code List<Object>} (so parsers see one shape under both protocols). A null array decodes as an empty list.
 * <p>
 * Why not Lettuce's own: {@code NestedMultiOutput} throws on RESP3 booleans and wraps a top-level scalar in a
 * list, and {@code ObjectOutput} turns RESP3 maps into {@code Map}s keyed by {@code byte[]} (identity equality).
 * Lettuce 7.7's state machine also routes simple strings through {@code set(ByteBuffer)}, so no output can tell
 * them from bulk strings; this one does not try. One instance per command; not thread-safe (Lettuce calls it
 * from one event loop).
 * <p>
 * Server errors are not part of the tree: they land in {@link #getError()} and Lettuce completes the command
 * exceptionally with a {@code RedisCommandExecutionException} carrying the server's text.
 */
public final class GenericReplyOutput extends CommandOutput<byte[], byte[], Object> {

    private final Deque<List<Object>> open = new ArrayDeque<>();

    public GenericReplyOutput() {
        super(ByteArrayCodec.INSTANCE, null);
    }

    @Override
    public void set(ByteBuffer bytes) {
        add(copy(bytes));
    }

    @Override
    public void set(long integer) {
        add(integer);
    }

    @Override
    public void set(double number) {
        add(number);
    }

    @Override
    public void set(boolean value) {
        add(value);
    }

    @Override
    public void multi(int count) {
        List<Object> list = new ArrayList<>(Math.max(0, count));
        add(list);
        open.push(list);
    }

    @Override
    public void complete(int depth) {
        // The state machine reports the remaining nesting after every element; close the arrays that ended.
        while (open.size() > depth) {
            open.pop();
        }
    }

    private void add(Object value) {
        List<Object> parent = open.peek();
        if (parent == null) {
            output = value;
        } else {
            parent.add(value);
        }
    }

    private static byte[] copy(ByteBuffer bytes) {
        if (bytes == null) {
            return null;
        }
        byte[] b = new byte[bytes.remaining()];
        bytes.get(b);
        return b;
    }
}
