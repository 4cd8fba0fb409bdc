package com.betterdb.semanticcache.testing.embed;

import com.betterdb.semanticcache.embed.EmbedFn;
import reactor.core.publisher.Mono;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The deterministic, network-free test embedder {@code anchor-hash-bow-v1} of
 * {@code fixtures/interop/test-embedder.md}: the same float32 bits as the TypeScript test harness for the same text
 * and dimension, so entries written by one side are found by the other.
 *
 * <ol>
 *   <li>ASCII lower-case ('A'..'Z' only; no locale or Unicode folding);</li>
 *   <li>tokens = maximal runs of {@code [a-z0-9]}; every other char (including any non-ASCII char) separates;</li>
 *   <li>per token: FNV-1a 32 over its (ASCII) bytes, then the murmur3 fmix32 finaliser;
 *       bucket = hash mod dim (unsigned), sign = -1 if the top bit is set else +1; {@code acc[bucket] += sign};</li>
 *   <li>norm = sqrt of the sum of squares (float64, index order);</li>
 *   <li>norm 0 → {@code [1, 0, ..., 0]}; else {@code (float) (acc[i] / norm)}.</li>
 * </ol>
 *
 * <p>The dimension is {@code EMBED_DIM} from the environment (default {@value #DEFAULT_DIM}) when not given; both
 * sides of an interop test must use the same one.
 */
public final class TestEmbedder {

    public static final String NAME = "anchor-hash-bow-v1";
    public static final int DEFAULT_DIM = 8;
    public static final String DIM_ENV = "EMBED_DIM";

    private static final int FNV_OFFSET = 0x811C9DC5;
    private static final int FNV_PRIME = 0x01000193;

    private TestEmbedder() {
    }

    /** {@code EMBED_DIM} from the environment, or {@value #DEFAULT_DIM}. */
    public static int defaultDim() {
        return parseDim(System.getenv(DIM_ENV));
    }

    static int parseDim(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_DIM;
        }
        int dim;
        try {
            dim = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(DIM_ENV + " must be an integer >= 1, got '" + value + "'", e);
        }
        requireDim(dim);
        return dim;
    }

    /** The embedding of {@code text} with {@code dim} dimensions. */
    public static float[] embed(String text, int dim) {
        requireDim(dim);
        double[] acc = new double[dim];
        for (String token : tokens(text)) {
            int h = hash(token);
            acc[Integer.remainderUnsigned(h, dim)] += (h >>> 31) == 1 ? -1.0 : 1.0;
        }
        double sumSq = 0;
        for (int i = 0; i < dim; i++) {
            sumSq += acc[i] * acc[i];
        }
        double norm = Math.sqrt(sumSq);
        float[] v = new float[dim];
        if (norm == 0) {
            v[0] = 1f;
        } else {
            for (int i = 0; i < dim; i++) {
                v[i] = (float) (acc[i] / norm);
            }
        }
        return v;
    }

    /** An {@link EmbedFn} over {@link #embed(String, int)} with a fixed dimension. */
    public static EmbedFn embedFn(int dim) {
        requireDim(dim);
        return text -> Mono.fromCallable(() -> embed(text, dim));
    }

    /** An {@link EmbedFn} with the dimension of {@link #defaultDim()}. */
    public static EmbedFn embedFn() {
        return embedFn(defaultDim());
    }

    /** Steps 1 and 2: ASCII lower-case, then the maximal runs of {@code [a-z0-9]}, in order, duplicates kept. */
    public static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        int n = text.length();
        int start = -1;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? text.charAt(i) : ' ';
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + 32);
            }
            boolean word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (word && start < 0) {
                start = i;
            } else if (!word && start >= 0) {
                out.add(lowerAscii(text, start, i));
                start = -1;
            }
        }
        return out;
    }

    private static String lowerAscii(String text, int from, int to) {
        char[] cs = new char[to - from];
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            cs[i - from] = c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
        }
        return new String(cs);
    }

    /** FNV-1a 32-bit over the token's bytes (tokens are ASCII, so chars are bytes). */
    public static int fnv1a32(String token) {
        int h = FNV_OFFSET;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c > 0x7F) {
                throw new IllegalArgumentException("tokens are ASCII only");
            }
            h ^= c;
            h *= FNV_PRIME;
        }
        return h;
    }

    /** The murmur3 fmix32 finaliser. */
    public static int fmix32(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }

    /** {@code fmix32(fnv1a32(token))}: the token's final hash. */
    public static int hash(String token) {
        return fmix32(fnv1a32(token));
    }

    /** The wire form of step 6: little-endian float32 values, as lower-case hex. */
    public static String float32LeHex(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return HexFormat.of().formatHex(b.array());
    }

    /** Cosine distance {@code 1 - cos} in float64 from float32 vectors (as in the spec's distance table). */
    public static double cosineDistance(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("dimension mismatch: " + a.length + " vs " + b.length);
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return 1 - dot / (Math.sqrt(na) * Math.sqrt(nb));
    }

    /**
     * A unit vector of {@code dim} Gaussian components drawn from a generator seeded with the text's 64-bit FNV-1a
     * hash: deterministic, and unrelated texts land far apart in every direction. For bulk test data on a real
     * valkey-search, whose HNSW search is approximate: over the clustered bag-of-words vectors of {@link #embed}
     * (a small vocabulary hashed into few buckets) its KNN occasionally misses even an exact match, over these it
     * does not. Similar texts are not similar here; use {@link #embed} where closeness matters.
     */
    public static float[] spread(String text, int dim) {
        requireDim(dim);
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(h);
        double[] g = new double[dim];
        double sumSq = 0;
        for (int i = 0; i < dim; i++) {
            // Box-Muller: SplittableRandom has no nextGaussian on Java 17
            double u = 1 - random.nextDouble();
            double v = random.nextDouble();
            g[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
            sumSq += g[i] * g[i];
        }
        float[] out = new float[dim];
        double norm = Math.sqrt(sumSq);
        for (int i = 0; i < dim; i++) {
            out[i] = (float) (g[i] / norm);
        }
        return out;
    }

    /** An {@link EmbedFn} over {@link #spread(String, int)}. */
    public static EmbedFn spreadEmbedFn(int dim) {
        requireDim(dim);
        return text -> Mono.fromCallable(() -> spread(text, dim));
    }

    private static final String[] WORDS = ("river mountain coffee engine garden violin planet harbor pencil winter "
            + "castle rocket forest silver candle market tunnel meadow copper lantern island bridge falcon thunder "
            + "marble orchard canyon feather glacier compass anchor velvet ember summit prairie beacon quartz willow "
            + "saddle cobalt").split(" ");

    /**
     * {@code n} deterministic texts of 6 to 11 words drawn, with repeats, from a 40-word list: their embeddings
     * spread over many different distances. Texts that differ in one shared token only (e.g. {@code "prompt number
     * 7"}) sit at one equal distance from each other, a plateau on which an HNSW search with a small candidate list
     * can miss even an exact match; real embeddings have no such plateaus, and neither do these texts.
     */
    public static List<String> variedTexts(int n) {
        List<String> out = new ArrayList<>(n);
        long state = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < n; i++) {
            state = state * 6364136223846793005L + 1442695040888963407L;
            int words = 6 + (int) ((state >>> 33) % 6);
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < words; w++) {
                state = state * 6364136223846793005L + 1442695040888963407L;
                sb.append(w == 0 ? "" : " ").append(WORDS[(int) ((state >>> 33) % WORDS.length)]);
            }
            out.add(sb.toString());
        }
        return out;
    }

    /**
     * The indexes of the {@code texts} nearest to {@code query}: every one within {@code tolerance} of the smallest
     * cosine distance. Different texts can share a vector (tokens hash into {@code dim} buckets), and a search returns
     * any of equally near entries, so a test asserts that its answer is among these, never which one.
     */
    public static Set<Integer> nearest(String query, List<String> texts, int dim, double tolerance) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        texts.forEach(t -> vectors.add(embed(t, dim)));
        return nearest(embed(query, dim), vectors, tolerance);
    }

    /** {@link #nearest(String, List, int, double)} over vectors embedded once. */
    public static Set<Integer> nearest(float[] query, List<float[]> vectors, double tolerance) {
        double[] d = new double[vectors.size()];
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < d.length; i++) {
            d[i] = cosineDistance(query, vectors.get(i));
            best = Math.min(best, d[i]);
        }
        Set<Integer> out = new TreeSet<>();
        for (int i = 0; i < d.length; i++) {
            if (d[i] <= best + tolerance) {
                out.add(i);
            }
        }
        return out;
    }

    private static void requireDim(int dim) {
        if (dim < 1) {
            throw new IllegalArgumentException("embedding dimension must be >= 1, got " + dim);
        }
    }
}
