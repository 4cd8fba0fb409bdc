package com.betterdb.semanticcache.embed.local;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Several texts per ONNX run: the texts' token ids are padded into one {@code [batch, length]} tensor with an
 * attention mask, and each row is pooled over its own tokens. Tokenisation, pooling and normalisation replicate
 * langchain4j's {@code OnnxBertBiEncoder} step for step, so a batch of one gives bit-identical vectors; with the
 * float32 model larger batches do too (within float rounding), with the int8 models they do not (see
 * {@link LocalModel#exactInBatches()}).
 *
 * <p>Texts are sorted by token count before they are cut into batches, so each batch pads to a similar length.
 */
final class BatchEncoder {

    /** langchain4j's limit: 512 positions minus {@code [CLS]} and {@code [SEP]}. Longer texts are embedded alone. */
    static final int MAX_TOKENS = 510;

    private final LocalModel model;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final boolean typeIds;
    private final HuggingFaceTokenizer tokenizer;

    BatchEncoder(LocalModel model, byte[] onnx, byte[] tokenizerJson) {
        this.model = model;
        try {
            this.environment = OrtEnvironment.getEnvironment();
            this.session = environment.createSession(onnx);
            this.typeIds = session.getInputNames().contains("token_type_ids");
            this.tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson),
                    Map.of("padding", "false"));
        } catch (OrtException e) {
            throw new IllegalStateException("creating the batch session of " + model.id() + " failed", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One token sequence to run: the input's position and its ids. */
    private record Row(int index, long[] ids) {
    }

    /**
     * The vectors of {@code texts}, in order. {@code alone} embeds a text that cannot join a batch (longer than
     * {@link #MAX_TOKENS}).
     */
    List<float[]> embed(List<String> texts, int batchSize, Function<String, float[]> alone) {
        float[][] out = new float[texts.size()][];
        List<Row> rows = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            long[] ids = encode(texts.get(i));
            if (ids == null) {
                out[i] = alone.apply(texts.get(i));
            } else {
                rows.add(new Row(i, ids));
            }
        }
        rows.sort(Comparator.comparingInt(r -> r.ids().length));
        for (int from = 0; from < rows.size(); from += batchSize) {
            List<Row> chunk = rows.subList(from, Math.min(rows.size(), from + batchSize));
            float[][] vectors = run(chunk);
            for (int j = 0; j < chunk.size(); j++) {
                out[chunk.get(j).index()] = vectors[j];
            }
        }
        return Arrays.asList(out);
    }

    /**
     * The ids langchain4j would run for {@code text}: its word pieces without the special tokens, turned back into
     * a sentence and encoded with them; {@code null} when the text is longer than {@link #MAX_TOKENS}.
     */
    private long[] encode(String text) {
        List<String> tokens = tokenizer.tokenize(text);
        if (tokens.size() <= 2) {
            throw new IllegalArgumentException("the text has no tokens for " + model.id());
        }
        if (tokens.size() - 2 > MAX_TOKENS) {
            return null;
        }
        List<String> pieces = tokens.subList(1, tokens.size() - 1);
        Encoding encoding = tokenizer.encode(toText(pieces), true, false);
        return encoding.getIds();
    }

    /** langchain4j's round trip: the joined sentence if it tokenises back to the same pieces, else the raw pieces. */
    private String toText(List<String> pieces) {
        String text = tokenizer.buildSentence(pieces);
        List<String> again = new LinkedList<>(tokenizer.tokenize(text));
        again.remove(0);
        again.remove(again.size() - 1);
        return again.equals(pieces) ? text : String.join("", pieces);
    }

    private float[][] run(List<Row> chunk) {
        int n = chunk.size();
        int width = chunk.get(n - 1).ids().length; // sorted by length: the last is the longest
        long[] ids = new long[n * width];
        long[] mask = new long[n * width];
        long[] types = new long[n * width];
        for (int r = 0; r < n; r++) {
            long[] row = chunk.get(r).ids();
            System.arraycopy(row, 0, ids, r * width, row.length);
            Arrays.fill(mask, r * width, r * width + row.length, 1L);
        }
        long[] shape = {n, width};
        try (OnnxTensor idsT = OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape);
             OnnxTensor maskT = OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape);
             OnnxTensor typesT = OnnxTensor.createTensor(environment, LongBuffer.wrap(types), shape)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", idsT);
            inputs.put("attention_mask", maskT);
            if (typeIds) {
                inputs.put("token_type_ids", typesT);
            }
            try (OrtSession.Result result = session.run(inputs)) {
                float[][][] hidden = (float[][][]) result.get(0).getValue();
                float[][] vectors = new float[n][];
                for (int r = 0; r < n; r++) {
                    vectors[r] = normalize(pool(hidden[r], chunk.get(r).ids().length));
                }
                return vectors;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("batched inference of " + model.id() + " failed", e);
        }
    }

    /** langchain4j's pooling over the row's own (unpadded) tokens, in the same float arithmetic. */
    private float[] pool(float[][] tokens, int length) {
        if (model.pooling() == LocalModel.Pooling.CLS) {
            return tokens[0];
        }
        float[] mean = new float[tokens[0].length];
        for (int t = 0; t < length; t++) {
            float[] v = tokens[t];
            for (int j = 0; j < mean.length; j++) {
                mean[j] += v[j];
            }
        }
        for (int j = 0; j < mean.length; j++) {
            mean[j] /= length;
        }
        return mean;
    }

    private static float[] normalize(float[] v) {
        float sumSquare = 0;
        for (float x : v) {
            sumSquare += x * x;
        }
        float norm = (float) Math.sqrt(sumSquare);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / norm;
        }
        return out;
    }
}
