package com.betterdb.semanticcache;

import com.betterdb.semanticcache.analysis.JudgeVerdicts;
import com.betterdb.semanticcache.internal.Hashing;
import com.betterdb.semanticcache.internal.Json;
import com.betterdb.semanticcache.internal.WindowMembers;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.store.Bookkeeping;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.telemetry.CacheMetrics;
import com.fasterxml.jackson.core.type.TypeReference;
import io.micrometer.observation.Observation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import static com.betterdb.semanticcache.telemetry.ObservationNames.*;

/**
 * Every rule that turns search rows into a lookup outcome (docs/decision-rules.md §4-§8), in one place
 * for {@code check} and {@code checkAll}. It decides and counts metrics; the writes it implies are returned as a
 * {@link Bookkeeping} for the caller to flush (one per check, coalesced per chunk in batches).
 */
final class Decider {

    private static final Logger log = LoggerFactory.getLogger(Decider.class);
    private static final TypeReference<List<ContentBlock>> BLOCKS = new TypeReference<>() {
    };

    /** The outcome of one lookup and the writes it implies. */
    record Decision(CacheResult result, Bookkeeping bookkeeping) {
    }

    /**
     * Inputs of one lookup after threshold resolution.
     *
     * @param text       the embedded query text
     * @param category   the category, {@code ""} when none
     * @param threshold  the threshold in force
     * @param options    the check options (rerank, judge, stale model)
     * @param defaultTtl the effective default TTL for hit refresh, or {@code null}
     */
    record Lookup(String text, String category, double threshold, CheckOptions options, Duration defaultTtl) {
    }

    private final String cacheName;
    private final double uncertaintyBand;
    private final CacheMetrics metrics;
    private final LongSupplier nowMs;

    Decider(String cacheName, double uncertaintyBand, CacheMetrics metrics, LongSupplier nowMs) {
        this.cacheName = cacheName;
        this.uncertaintyBand = uncertaintyBand;
        this.metrics = metrics;
        this.nowMs = nowMs;
    }

    Mono<Decision> decide(Lookup l, List<Candidate> rows, Observation obs) {
        String category = l.category();
        // Step 5: nothing to compare with.
        if (rows.isEmpty()) {
            obs.highCardinalityKeyValue(CACHE_HIT, "false");
            return Mono.just(miss(l, CacheResult.miss(), Double.NaN));
        }
        Candidate top = rows.get(0);
        double score = top.score();
        if (!Double.isNaN(score)) {
            metrics.similarity(category, score);
        }
        // Step 7: threshold applies to the top row only; equality is a hit.
        if (Double.isNaN(score) || score > l.threshold()) {
            obs.highCardinalityKeyValue(CACHE_HIT, "false");
            if (Double.isNaN(score)) {
                return Mono.just(miss(l, CacheResult.miss(), Double.NaN));
            }
            obs.highCardinalityKeyValue(CACHE_SIMILARITY, Double.toString(score));
            obs.highCardinalityKeyValue(CACHE_THRESHOLD, Double.toString(l.threshold()));
            return Mono.just(miss(l, CacheResult.miss(score, NearestMiss.ofThresholdMiss(score, l.threshold())), score));
        }
        Mono<Candidate> winner = l.options().rerank() == null ? Mono.just(top) : rerank(l, rows);
        return winner
                .flatMap(w -> afterWinner(l, w, score, obs))
                .switchIfEmpty(Mono.fromSupplier(() -> {
                    // Rerank rejection: window miss with the top-1 score.
                    obs.highCardinalityKeyValue(CACHE_HIT, "false");
                    obs.highCardinalityKeyValue(CACHE_RERANKED, "true");
                    return miss(l, CacheResult.miss(), score);
                }));
    }

    private Mono<Decision> afterWinner(Lookup l, Candidate winner, double topScore, Observation obs) {
        double winnerScore = Double.isNaN(winner.score()) ? topScore : winner.score();
        // Step 10: stale model.
        if (l.options().checksStaleModel()) {
            String stored = winner.fieldOrEmpty("model");
            if (!stored.isEmpty() && !stored.equals(l.options().currentModel())) {
                metrics.staleEviction();
                obs.highCardinalityKeyValue(CACHE_HIT, "false");
                obs.highCardinalityKeyValue(CACHE_STALE_EVICTED, "true");
                Decision d = miss(l, CacheResult.miss(), winnerScore);
                Bookkeeping b = d.bookkeeping();
                return Mono.just(new Decision(d.result(), new Bookkeeping(b.hit(), b.nowMs(), b.windowMember(),
                        b.pendingMember(), null, null, 0, winner.key())));
            }
        }
        // Step 11: equality with threshold - band is uncertain.
        boolean uncertain = winnerScore >= l.threshold() - uncertaintyBand;
        if (uncertain && l.options().judge() != null) {
            return judge(l, winner, winnerScore, obs);
        }
        return Mono.just(hit(l, winner, winnerScore, uncertain ? Confidence.UNCERTAIN : Confidence.HIGH, obs));
    }

    private Mono<Candidate> rerank(Lookup l, List<Candidate> rows) {
        List<RerankOptions.Candidate> offered = new ArrayList<>();
        List<Candidate> original = new ArrayList<>();
        for (Candidate row : rows) {
            if (!Double.isNaN(row.score())) {
                offered.add(new RerankOptions.Candidate(row.fieldOrEmpty("response"), row.score(),
                        row.fieldOrEmpty("prompt")));
                original.add(row);
            }
        }
        return Mono.defer(() -> l.options().rerank().rerankFn().rerank(l.text(), List.copyOf(offered)))
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("rerankFn completed without an index")))
                .flatMap(idx -> idx == null || idx < 0 || idx >= original.size()
                        ? Mono.empty() : Mono.just(original.get(idx)));
    }

    private Mono<Decision> judge(Lookup l, Candidate winner, double winnerScore, Observation obs) {
        JudgeOptions judge = l.options().judge();
        String category = l.category();
        JudgeOptions.Context ctx = new JudgeOptions.Context(l.text(), winner.fieldOrEmpty("response"), winnerScore,
                l.threshold(), category.isEmpty() ? null : category, winner.fieldOrEmpty("prompt"));
        boolean acceptOnError = judge.onError() == JudgeOptions.OnError.ACCEPT;
        return Mono.defer(() -> {
                    long start = System.nanoTime();
                    return Mono.defer(() -> judge.judgeFn().judge(ctx))
                            .switchIfEmpty(Mono.error(() -> new IllegalStateException("judgeFn completed without a verdict")))
                            .timeout(judge.timeout())
                            .map(ok -> ok ? "accept" : "reject")
                            .onErrorResume(e -> Mono.just(e instanceof TimeoutException
                                    ? (acceptOnError ? "timeout_accept" : "timeout_reject")
                                    : (acceptOnError ? "error_accept" : "error_reject")))
                            .map(decision -> {
                                long took = System.nanoTime() - start;
                                metrics.judge(category, decision, took);
                                obs.highCardinalityKeyValue(CACHE_JUDGE_INVOKED, "true");
                                obs.highCardinalityKeyValue(CACHE_JUDGE_DECISION, decision);
                                obs.highCardinalityKeyValue(CACHE_JUDGE_LATENCY_MS, Double.toString(took / 1e6));
                                return decision;
                            });
                })
                .map(decision -> switch (decision) {
                    case "accept" -> labelled(hit(l, winner, winnerScore, Confidence.HIGH, obs), l, winnerScore, true);
                    case "error_accept", "timeout_accept" -> hit(l, winner, winnerScore, Confidence.UNCERTAIN, obs);
                    default -> {
                        obs.highCardinalityKeyValue(CACHE_HIT, "false");
                        Decision d = miss(l, new CacheResult(false, Confidence.MISS, null, winnerScore, null,
                                NearestMiss.ofJudgeRejection(winnerScore, l.threshold(), winner.key()), null, null, null),
                                winnerScore);
                        // Only a real verdict is a label; a timeout or an error says nothing about the pair.
                        yield decision.equals("reject") ? labelled(d, l, winnerScore, false) : d;
                    }
                });
    }

    /** The decision with the judge's verdict recorded for the label-based threshold advice. */
    private static Decision labelled(Decision d, Lookup l, double score, boolean accepted) {
        return new Decision(d.result(), d.bookkeeping().withVerdict(
                JudgeVerdicts.member(score, accepted, l.category(), l.threshold())));
    }

    /** A miss: stats, metric, and - when there was a numeric candidate - the window and miss-pending members. */
    private Decision miss(Lookup l, CacheResult result, double windowScore) {
        metrics.request("miss", l.category());
        long now = nowMs.getAsLong();
        String member = null;
        String pending = null;
        if (!Double.isNaN(windowScore)) {
            member = WindowMembers.member(windowScore, false, l.category(), null);
            pending = WindowMembers.pending(Hashing.correlationId(l.text()), member);
        }
        return new Decision(result, new Bookkeeping(false, now, member, pending, null, null, 0, null));
    }

    private Decision hit(Lookup l, Candidate winner, double winnerScore, Confidence confidence, Observation obs) {
        Long costMicros = parseCostMicros(winner.field("cost_micros"));
        metrics.request(confidence == Confidence.UNCERTAIN ? "uncertain_hit" : "hit", l.category());
        Double costSaved = null;
        if (costMicros != null) {
            costSaved = costMicros / 1_000_000.0;
            metrics.costSaved(l.category(), costSaved);
        }
        List<ContentBlock> blocks = parseBlocks(winner.field("content_blocks"));
        obs.highCardinalityKeyValue(CACHE_HIT, "true");
        obs.highCardinalityKeyValue(CACHE_SIMILARITY, Double.toString(winnerScore));
        obs.highCardinalityKeyValue(CACHE_THRESHOLD, Double.toString(l.threshold()));
        obs.highCardinalityKeyValue(CACHE_CONFIDENCE, confidence.label());
        obs.highCardinalityKeyValue(CACHE_MATCHED_KEY, winner.key());
        String member = WindowMembers.member(winnerScore, true, l.category(), costMicros);
        CacheResult result = new CacheResult(true, confidence, winner.fieldOrEmpty("response"), winnerScore,
                winner.key(), null, costSaved, blocks, null);
        return new Decision(result, new Bookkeeping(true, nowMs.getAsLong(), member, null,
                l.defaultTtl() != null ? winner.key() : null, l.defaultTtl(),
                costMicros == null ? 0 : costMicros, null));
    }

    /** TS semantics: an integer prefix that is >= 0 counts (so "0" gives costSaved 0); anything else is none. */
    static Long parseCostMicros(String raw) {
        if (raw == null) {
            return null;
        }
        String s = raw.strip();
        int end = 0;
        if (end < s.length() && (s.charAt(end) == '+' || s.charAt(end) == '-')) {
            end++;
        }
        int digitsStart = end;
        while (end < s.length() && Character.isDigit(s.charAt(end)) && s.charAt(end) < 128) {
            end++;
        }
        if (end == digitsStart || end - digitsStart > 18) {
            return null;
        }
        long v = Long.parseLong(s.substring(0, end));
        return v >= 0 ? v : null;
    }

    private List<ContentBlock> parseBlocks(String json) {
        if (json == null || json.isEmpty()) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(json, BLOCKS);
        } catch (Exception e) {
            log.debug("content_blocks of a cached entry in cache '{}' are not valid JSON; omitted", cacheName);
            return null;
        }
    }
}
