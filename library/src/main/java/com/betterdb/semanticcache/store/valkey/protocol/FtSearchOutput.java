package com.betterdb.semanticcache.store.valkey.protocol;

import com.betterdb.semanticcache.store.Candidate;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Streaming {@code FT.SEARCH} output: builds {@link Candidate}s directly from the RESP decoder callbacks, with
 * the same rules as {@link FtReplies#parseSearch} (docs/data-format.md §13), under RESP2 and RESP3 alike (valkey-search
 * answers FT.SEARCH with an array in both; a top-level map is not its reply shape and yields no rows).
 * <p>
 * Allocation-light: nothing is copied for elements that are dropped — in particular the {@code embedding} value
 * (the largest field of every row when no RETURN clause is sent) is never decoded or copied; kept keys, field
 * names and values are decoded straight from Lettuce's receive buffer to {@code String} (strict UTF-8; invalid
 * values are skipped, PARSE-13).
 * <p>
 * Depth tracking: Lettuce 7.7's {@code RedisStateMachine} calls {@link #multi(int)} when an array starts and, after
 * every element (scalar or array) completes, {@link #complete(int)} with the number of arrays still open. So an
 * array at nesting level L has ended exactly when {@code complete} reports a depth below L.
 * <p>
 * Server errors land in {@link #getError()}; Lettuce then completes the command exceptionally with a
 * {@code RedisCommandExecutionException} carrying the server's text.
 * <p>
 * One instance per command; not thread-safe, not reusable. {@code reactive().dispatch(...)} captures the output
 * instance, so build the Flux inside {@code Flux.defer(() -> ...dispatch(SEARCH, new FtSearchOutput(), args))}
 * (or {@code Mono.fromCompletionStage(() -> async().dispatch(...))}) to give every retry/resubscription a fresh
 * one. {@code dispatch} does not dissolve collections: the Flux emits one {@code List<Candidate>}.
 */
public final class FtSearchOutput extends CommandOutput<byte[], byte[], List<Candidate>> {

    private static final ByteBuffer EMBEDDING = ByteBuffer
            .wrap(FtCommands.EMBEDDING_FIELD.getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();

    /** Arrays currently open: 1 = the reply, 2 = a row's field list, 3+ = something we ignore. */
    private int level;

    /** Position of the next element inside the top-level array (0 = total). */
    private int topIndex;

    /** The reply is not a row list (top-level map, or total missing / NaN / &lt;= 0): ignore the rest. */
    private boolean rejected;

    /** A string key seen at top level whose field list (if any) has not started yet. */
    private String pendingKey;

    /** The level-2 array being read belongs to {@link #rowKey} (false: skipped, e.g. after a non-string key). */
    private boolean inRow;

    private String rowKey;

    private Map<String, String> rowFields;

    /** Inside a row: the next element is a field name (else a value). */
    private boolean expectName;

    /** Name of the field whose value comes next; null when that value is to be dropped. */
    private String fieldName;

    public FtSearchOutput() {
        super(ByteArrayCodec.INSTANCE, new ArrayList<>());
    }

    // ------------------------------------------------------------------------------------------- scalars

    @Override
    public void set(ByteBuffer bytes) {
        if (rejected || level == 0) {
            return;
        }
        if (level == 1) {
            if (topIndex++ == 0) {
                total(bytes == null ? Double.NaN : ReplyValues.parseNumber(ReplyValues.utf8(bytes)));
            } else {
                flushPendingKey();
                // null bulk → not a string → skipped, and so is a field list after it.
                pendingKey = bytes == null ? null : ReplyValues.utf8(bytes);
            }
            return;
        }
        if (level == 2 && inRow) {
            if (expectName) {
                expectName = false;
                fieldName = bytes == null || EMBEDDING.equals(bytes) ? null : ReplyValues.utf8(bytes);
            } else {
                expectName = true;
                if (fieldName != null && bytes != null) {
                    String value = ReplyValues.utf8(bytes);
                    if (value != null) {
                        rowFields.put(fieldName, value);
                    }
                }
                fieldName = null;
            }
        }
    }

    @Override
    public void set(long integer) {
        scalar(integer, Long.toString(integer));
    }

    @Override
    public void set(double number) {
        scalar(number, String.valueOf(number));
    }

    @Override
    public void set(boolean value) {
        scalar(Double.NaN, String.valueOf(value));
    }

    /** RESP3 big numbers are numbers, not strings: never a key. */
    @Override
    public void setBigNumber(ByteBuffer bytes) {
        String text = ReplyValues.utf8(bytes);
        scalar(ReplyValues.parseNumber(text), text);
    }

    /** A non-string scalar: numeric total, a non-string key (skipped), or a field name/value as text. */
    private void scalar(double numeric, String text) {
        if (rejected || level == 0) {
            return;
        }
        if (level == 1) {
            if (topIndex++ == 0) {
                total(numeric);
            } else {
                flushPendingKey();
                pendingKey = null;
            }
            return;
        }
        if (level == 2 && inRow) {
            if (expectName) {
                expectName = false;
                fieldName = text;
            } else {
                expectName = true;
                if (fieldName != null && text != null) {
                    rowFields.put(fieldName, text);
                }
                fieldName = null;
            }
        }
    }

    private void total(double total) {
        if (Double.isNaN(total) || total <= 0) {
            rejected = true;
        }
    }

    // ------------------------------------------------------------------------------------------- arrays

    @Override
    public void multi(int count) {
        int opening = ++level;
        if (rejected) {
            return;
        }
        if (opening == 1) {
            topIndex = 0;
            return;
        }
        if (opening == 2) {
            if (topIndex++ == 0) {
                // The total itself is an array: not a search reply.
                rejected = true;
                return;
            }
            if (pendingKey != null) {
                inRow = true;
                rowKey = pendingKey;
                pendingKey = null;
                rowFields = new HashMap<>(Math.max(4, count));
                expectName = true;
                fieldName = null;
            } else {
                inRow = false;
            }
            return;
        }
        if (opening == 3 && inRow) {
            // A nested array takes one name or value slot inside the row; its content is ignored.
            expectName = !expectName;
            fieldName = null;
        }
    }

    @Override
    public void multiMap(int count) {
        if (level == 0) {
            // RediSearch-style RESP3 map reply: not what valkey-search sends; PARSE-02 says a dict yields nothing.
            rejected = true;
        }
        super.multiMap(count);
    }

    @Override
    public void complete(int depth) {
        while (level > depth) {
            if (level == 2 && inRow) {
                output.add(new Candidate(rowKey, FtReplies.score(rowFields.get(FtCommands.SCORE_FIELD)), rowFields));
                inRow = false;
                rowKey = null;
                rowFields = null;
            } else if (level == 1) {
                flushPendingKey();
                if (rejected) {
                    output.clear();
                }
            }
            level--;
        }
    }

    /** A key not followed by a field list is a RETURN 0 row: key only. */
    private void flushPendingKey() {
        if (pendingKey != null && !rejected) {
            output.add(new Candidate(pendingKey, Double.NaN, Map.of()));
        }
        pendingKey = null;
    }
}
