package com.betterdb.semanticcache.bench;

import com.betterdb.semanticcache.embed.local.LocalEmbedder;
import com.betterdb.semanticcache.embed.local.LocalModel;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Batched ONNX inference against one text per run, per local model, in the same run. A program, not a test:
 * <pre>
 * ./mvnw -o -q -pl library test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=com.betterdb.semanticcache.bench.LocalEmbedderBench [-Dbench.data=../shared/data]
 * </pre>
 * Texts: the first 512 sentences of STS-B test (short English sentences, as prompts are). Rows, each
 * {@code embedAll} of all 512 texts on an embedder with 2 threads:
 * <ol>
 *   <li>batch 1 — one text per ONNX run, two runs at a time (the default of the int8 models): the baseline;</li>
 *   <li>batch 8, 16, 32 — that many texts per run (padded tensor), two batches at a time.</li>
 * </ol>
 * The rows are interleaved over 5 rounds after a warm-up and the median round is reported, so all rows see the same
 * machine load. The last column is the largest cosine distance between a text's batched vector and its one-text
 * vector.
 */
public final class LocalEmbedderBench {

    public static void main(String[] args) throws Exception {
        List<String> texts = new ArrayList<>();
        for (String line : Files.readAllLines(QualityBench.dataDir().resolve("stsb").resolve("sts-test.csv"),
                StandardCharsets.UTF_8)) {
            String[] f = line.split("\t");
            texts.add(f[5]);
            texts.add(f[6]);
            if (texts.size() >= 512) {
                break;
            }
        }
        int[] sizes = {1, 8, 16, 32};
        int rounds = 5;
        System.out.printf(Locale.ROOT, "java %s, %d processors, %d texts, %d rounds (median)%n%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), texts.size(), rounds);
        System.out.println("| model | texts per ONNX run | texts/s | × batch 1 | max distance to one-text vector |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (LocalModel model : LocalModel.values()) {
            LocalEmbedder[] embedders = new LocalEmbedder[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                embedders[i] = LocalEmbedder.builder().model(model).threads(2).batchSize(sizes[i]).build();
            }
            try {
                List<float[]> reference = embedders[0].embedAll(texts).block(); // warm-up, and the exact vectors
                for (int i = 1; i < sizes.length; i++) {
                    embedders[i].embedAll(texts).block();
                }
                double[][] perSecond = new double[sizes.length][rounds];
                double[] worst = new double[sizes.length];
                for (int r = 0; r < rounds; r++) {
                    for (int i = 0; i < sizes.length; i++) {
                        long t0 = System.nanoTime();
                        List<float[]> v = embedders[i].embedAll(texts).block();
                        perSecond[i][r] = texts.size() / ((System.nanoTime() - t0) / 1e9);
                        for (int k = 0; k < texts.size(); k++) {
                            worst[i] = Math.max(worst[i], TestEmbedder.cosineDistance(v.get(k), reference.get(k)));
                        }
                    }
                }
                double base = median(perSecond[0]);
                for (int i = 0; i < sizes.length; i++) {
                    double m = median(perSecond[i]);
                    System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.1e |%n", model.id(), sizes[i], m,
                            m / base, worst[i]);
                }
            } finally {
                for (LocalEmbedder e : embedders) {
                    e.close();
                }
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
