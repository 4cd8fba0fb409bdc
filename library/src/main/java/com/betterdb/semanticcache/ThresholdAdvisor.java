package com.betterdb.semanticcache;

import com.betterdb.semanticcache.analysis.JudgeLabelledAnalyzer;
import com.betterdb.semanticcache.analysis.JudgeVerdict;
import com.betterdb.semanticcache.analysis.JudgeVerdicts;
import com.betterdb.semanticcache.analysis.ThresholdAnalyzer;
import com.betterdb.semanticcache.analysis.WindowSample;
import com.betterdb.semanticcache.analysis.WindowSamples;
import com.betterdb.semanticcache.config.RuntimeConfig;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.WindowRecord;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code thresholdEffectiveness} for {@link SemanticCache}: reads the similarity window (and, in the judge-labelled
 * mode, the judge verdicts) and runs the analysis of the requested {@link ThresholdAdvice} against the threshold in
 * force. Reads are best-effort: a failed read is an empty window (or no verdicts).
 */
final class ThresholdAdvisor {

    private final CacheStore store;
    private final Supplier<RuntimeConfig> config;
    private final double band;

    ThresholdAdvisor(CacheStore store, Supplier<RuntimeConfig> config, double band) {
        this.store = store;
        this.config = config;
        this.band = band;
    }

    Mono<ThresholdEffectiveness> analyze(String category, ThresholdAdvice advice) {
        return readWindow().zipWith(readVerdicts(advice))
                .map(t -> analyze(samplesOf(t.getT1()), t.getT2(), category, advice));
    }

    /**
     * The aggregate analysis first, then one per category found in the window (as the TypeScript package lists them:
     * any JSON member naming one, first seen first), then, in the judge-labelled mode, categories only the verdicts
     * name.
     */
    Mono<List<ThresholdEffectiveness>> analyzeAll(ThresholdAdvice advice) {
        return readWindow().zipWith(readVerdicts(advice)).map(t -> {
            List<WindowSample> samples = samplesOf(t.getT1());
            List<JudgeVerdict> verdicts = t.getT2();
            Set<String> categories = new LinkedHashSet<>(
                    WindowSamples.categoriesOfMembers(t.getT1().stream().map(WindowRecord::member).toList()));
            for (JudgeVerdict v : verdicts) {
                if (!v.category().isEmpty()) {
                    categories.add(v.category());
                }
            }
            List<ThresholdEffectiveness> out = new ArrayList<>();
            out.add(analyze(samples, verdicts, null, advice));
            for (String c : categories) {
                out.add(analyze(samples, verdicts, c, advice));
            }
            return out;
        });
    }

    private ThresholdEffectiveness analyze(List<WindowSample> samples, List<JudgeVerdict> verdicts, String category,
                                           ThresholdAdvice advice) {
        RuntimeConfig cfg = config.get();
        Double perCategory = category == null ? null : cfg.categoryThresholds().get(category);
        double threshold = perCategory != null ? perCategory : cfg.defaultThreshold();
        if (advice instanceof ThresholdAdvice.Reference r) {
            return ThresholdAnalyzer.analyze(samples, category, threshold, band, r.minSamples());
        }
        ThresholdAdvice.JudgeLabelled j = (ThresholdAdvice.JudgeLabelled) advice;
        ThresholdEffectiveness window = ThresholdAnalyzer.analyze(samples, category, threshold, band, 1);
        return JudgeLabelledAnalyzer.analyze(verdicts, category, threshold, band, j.targetPrecision(), j.minLabels(),
                window);
    }

    private Mono<List<WindowRecord>> readWindow() {
        return store.readWindow().onErrorReturn(List.of());
    }

    private Mono<List<JudgeVerdict>> readVerdicts(ThresholdAdvice advice) {
        if (!(advice instanceof ThresholdAdvice.JudgeLabelled)) {
            return Mono.just(List.of());
        }
        return store.readJudgeVerdicts().onErrorReturn(List.of()).map(records -> {
            List<JudgeVerdict> out = new ArrayList<>(records.size());
            for (WindowRecord r : records) {
                JudgeVerdicts.parse(r.member(), r.timestampMs()).ifPresent(out::add);
            }
            return out;
        });
    }

    private static List<WindowSample> samplesOf(List<WindowRecord> records) {
        List<WindowSample> samples = new ArrayList<>(records.size());
        for (WindowRecord r : records) {
            WindowSamples.parse(r.member(), r.timestampMs()).ifPresent(samples::add);
        }
        return samples;
    }
}
