package com.betterdb.semanticcache.core;

import com.betterdb.semanticcache.BatchOptions;
import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.Confidence;
import com.betterdb.semanticcache.EmbeddingError;
import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.StoreRequest;
import com.betterdb.semanticcache.StoreResult;
import com.betterdb.semanticcache.ValkeyCommandError;
import com.betterdb.semanticcache.prompt.Prompt;
import com.betterdb.semanticcache.store.Bookkeeping;
import com.betterdb.semanticcache.store.Candidate;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static com.betterdb.semanticcache.core.RecordingStore.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** checkAll / checkBatch / storeAll: order, backpressure, cancellation, errors, equivalence with check(). */
class BatchTest {

    /** Prompt "p<i>" embeds to [i, 1, 0]; the store answers a row whose response names i and whose score cycles. */
    private static CacheFixture indexed(Duration maxEmbedDelay) {
        Random random = new Random(42);
        CacheFixture f = CacheFixture.withEmbedder(text -> {
            float i = Float.parseFloat(text.substring(1));
            Mono<float[]> v = Mono.just(new float[]{i, 1, 0});
            long delay = maxEmbedDelay.isZero() ? 0 : (long) (random.nextDouble() * maxEmbedDelay.toMillis());
            return delay == 0 ? v : v.delayElement(Duration.ofMillis(delay));
        }, b -> {
        }, true);
        f.store.searchFunction = s -> {
            int i = (int) s.vector()[0];
            double score = switch (i % 4) {
                case 0 -> 0.01;  // high hit
                case 1 -> 0.08;  // uncertain hit
                case 2 -> 0.5;   // threshold miss
                default -> -1;   // no rows
            };
            return score < 0 ? List.of() : List.of(row("ftchar:entry:" + i, score, "response", "r" + i,
                    "cost_micros", Integer.toString(i)));
        };
        return f.initialized();
    }

    private static List<Prompt> prompts(int n) {
        List<Prompt> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Prompt.of("p" + i));
        }
        return out;
    }

    @Test
    void resultsKeepInputOrderUnderRandomLatency() {
        CacheFixture f = indexed(Duration.ofMillis(5));
        List<CacheResult> results = f.cache.checkAll(Flux.fromIterable(prompts(200)), CheckOptions.defaults(),
                BatchOptions.defaults().withMaxInFlight(32)).collectList().block(Duration.ofSeconds(30));
        assertThat(results).hasSize(200);
        for (int i = 0; i < 200; i++) {
            CacheResult r = results.get(i);
            switch (i % 4) {
                case 0 -> assertThat(r.response()).isEqualTo("r" + i);
                case 1 -> assertThat(r.confidence()).isEqualTo(Confidence.UNCERTAIN);
                case 2 -> assertThat(r.nearestMiss().similarity()).isEqualTo(0.5);
                default -> assertThat(r).isEqualTo(CacheResult.miss());
            }
        }
    }

    @Test
    void sameResultsAndBookkeepingAsCheckOneByOne() {
        CacheFixture batch = indexed(Duration.ZERO);
        CacheFixture single = indexed(Duration.ZERO);
        List<CacheResult> viaBatch = batch.cache.checkAll(Flux.fromIterable(prompts(64))).collectList().block();
        List<CacheResult> viaCheck = Flux.fromIterable(prompts(64))
                .concatMap(p -> single.cache.check(p, null)).collectList().block();
        assertThat(viaBatch).isEqualTo(viaCheck);
        assertThat(batch.cache.stats().block()).isEqualTo(single.cache.stats().block());
        assertThat(withoutNonce(batch.store.allBookkeeping())).isEqualTo(withoutNonce(single.store.allBookkeeping()));
        assertThat(batch.counter("requests_total", "result", "uncertain_hit", "category", "none"))
                .isEqualTo(single.counter("requests_total", "result", "uncertain_hit", "category", "none"))
                .isEqualTo(16);
        // Coalesced: far fewer flushes than checks.
        assertThat(batch.store.recordCalls.size()).isLessThan(single.store.recordCalls.size() / 4);
    }

    private static List<Bookkeeping> withoutNonce(List<Bookkeeping> in) {
        return in.stream().map(b -> new Bookkeeping(b.hit(), b.nowMs(), strip(b.windowMember()), strip(b.pendingMember()),
                b.expireKey(), b.expireTtl(), b.costMicros(), b.deleteKey())).toList();
    }

    private static String strip(String member) {
        return member == null ? null : member.replaceAll("_n\\\\?\":[0-9.eE+-]+", "_n\":0");
    }

    @Test
    void upstreamDemandStaysBoundedWithASlowSubscriber() throws Exception {
        CacheFixture f = indexed(Duration.ZERO);
        AtomicLong emittedUpstream = new AtomicLong();
        AtomicLong delivered = new AtomicLong();
        AtomicLong maxAhead = new AtomicLong();
        int maxInFlight = 16;
        Flux<Prompt> source = Flux.range(0, 10_000).map(i -> Prompt.of("p" + i))
                .doOnNext(p -> emittedUpstream.incrementAndGet());
        CountDownLatch done = new CountDownLatch(1);
        f.cache.checkAll(source, CheckOptions.defaults(), BatchOptions.defaults().withMaxInFlight(maxInFlight))
                .subscribe(new BaseSubscriber<>() {
                    @Override
                    protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                        request(1);
                    }

                    @Override
                    protected void hookOnNext(CacheResult value) {
                        long d = delivered.incrementAndGet();
                        maxAhead.accumulateAndGet(emittedUpstream.get() - d, Math::max);
                        if (d == 300) {
                            cancel();
                            done.countDown();
                            return;
                        }
                        request(1);
                    }
                });
        assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
        // Never the whole input; at most the in-flight bound plus one chunk plus the one being delivered.
        assertThat(emittedUpstream.get()).isLessThan(300 + 2L * maxInFlight + 8);
        assertThat(maxAhead.get()).isLessThanOrEqualTo(2L * maxInFlight + 8);
    }

    @Test
    void cancellationStopsUpstream() {
        CacheFixture f = indexed(Duration.ZERO);
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicInteger produced = new AtomicInteger();
        Flux<Prompt> endless = Flux.<Prompt, Integer>generate(() -> 0, (i, sink) -> {
            sink.next(Prompt.of("p" + i));
            produced.incrementAndGet();
            return i + 1;
        }).doOnCancel(() -> cancelled.set(true));
        List<CacheResult> first = f.cache.checkAll(endless).take(50).collectList().block(Duration.ofSeconds(10));
        assertThat(first).hasSize(50);
        assertThat(cancelled).isTrue();
        assertThat(produced.get()).isLessThan(50 + 2 * 128 + 64);
    }

    @Test
    void oneFailedElementDoesNotLoseTheStream() {
        CacheFixture f = CacheFixture.withEmbedder(t -> t.equals("bad") ? Mono.error(new RuntimeException("boom"))
                : Mono.just(new float[]{0, 1, 0}), b -> {
        }, true).initialized();
        f.store.searchFunction = s -> List.of(row("k", 0.01, "response", "ok"));
        List<CacheResult> results = f.cache.checkAll(Flux.just(Prompt.of("a"), Prompt.of("bad"), Prompt.of("c")))
                .collectList().block();
        assertThat(results).hasSize(3);
        assertThat(results.get(0).hit()).isTrue();
        assertThat(results.get(1).isError()).isTrue();
        assertThat(results.get(1).error()).isInstanceOf(EmbeddingError.class).hasMessage("embedFn failed: boom");
        assertThat(results.get(2).hit()).isTrue();
        // The failed element is not counted as a lookup.
        assertThat(f.cache.stats().block().total()).isEqualTo(2);

        StepVerifier.create(f.cache.checkAll(Flux.just(Prompt.of("a"), Prompt.of("bad"), Prompt.of("c")),
                        CheckOptions.defaults(), BatchOptions.defaults().withErrorMode(BatchOptions.ErrorMode.FAIL_FAST)))
                .assertNext(r -> assertThat(r.hit()).isTrue())
                .expectError(EmbeddingError.class)
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void searchFailureOfOneElement() { // BATCH-02 semantics for checkBatch; error result for checkAll
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("k1", 0.01, "response", "Answer 1"));
        f.store.replyError(new ValkeyCommandError("FT.SEARCH", new RuntimeException("oops")));
        f.store.reply(row("k3", 0.02, "response", "Answer 3"));
        List<CacheResult> viaBatch = f.cache.checkBatch(List.of(Prompt.of("a"), Prompt.of("b"), Prompt.of("c")), null)
                .block();
        assertThat(viaBatch).extracting(CacheResult::response).containsExactly("Answer 1", null, "Answer 3");
        assertThat(viaBatch.get(1)).isEqualTo(CacheResult.miss());
        assertThat(f.cache.stats().block().misses()).isEqualTo(1);

        f.store.reply(row("k1", 0.01, "response", "Answer 1"));
        f.store.replyError(new ValkeyCommandError("FT.SEARCH", new RuntimeException("oops")));
        List<CacheResult> viaAll = f.cache.checkAll(Flux.just(Prompt.of("a"), Prompt.of("b"))).collectList().block();
        assertThat(viaAll.get(1).error()).isInstanceOf(ValkeyCommandError.class);
    }

    @Test
    void checkBatchOfNothingIsEmpty() { // BATCH-01
        CacheFixture f = CacheFixture.create().initialized();
        assertThat(f.cache.checkBatch(List.of(), null).block()).isEmpty();
        CacheFixture uninitialised = CacheFixture.create();
        assertThatThrownBy(() -> uninitialised.cache.checkBatch(List.of(Prompt.of("x")), null).block())
                .isInstanceOf(SemanticCacheUsageError.class);
    }

    @Test
    void judgeInBatchKeepsOrderAndDoesNotDelayOthersOutOfOrder() {
        CacheFixture f = indexed(Duration.ZERO);
        AtomicInteger judged = new AtomicInteger();
        CheckOptions opts = CheckOptions.builder().judge(ctx -> {
            judged.incrementAndGet();
            return Mono.just(ctx.response().hashCode() % 2 == 0).delayElement(Duration.ofMillis(20));
        }).build();
        List<CacheResult> results = f.cache.checkAll(Flux.fromIterable(prompts(40)), opts, BatchOptions.defaults())
                .collectList().block(Duration.ofSeconds(20));
        assertThat(judged).hasValue(10); // every uncertain (i % 4 == 1) element, once
        for (int i = 0; i < 40; i++) {
            if (i % 4 == 0) {
                assertThat(results.get(i).response()).isEqualTo("r" + i);
            }
            if (i % 4 == 1) {
                boolean accept = ("r" + i).hashCode() % 2 == 0;
                assertThat(results.get(i).hit()).isEqualTo(accept);
            }
        }
    }

    @Test
    void batchEmbedderIsUsedInChunks() {
        List<Integer> batchSizes = new ArrayList<>();
        CacheFixture f = CacheFixture.create(b -> b.batchEmbedFn(texts -> {
            batchSizes.add(texts.size());
            return Mono.just(texts.stream().map(t -> new float[]{1, 0, 0}).toList());
        })).initialized();
        f.cache.checkAll(Flux.fromIterable(prompts(100)), CheckOptions.defaults(),
                BatchOptions.defaults().withEmbedBatchSize(10)).blockLast();
        assertThat(batchSizes).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(10));
        assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
        assertThat(f.embedded).isEmpty();
    }

    @Test
    void storeAllWritesInOrderAndReportsFailures() {
        CacheFixture f = CacheFixture.withEmbedder(t -> t.equals("bad") ? Mono.error(new RuntimeException("no"))
                : Mono.just(new float[]{1, 0, 0}), b -> b.defaultTtl(Duration.ofSeconds(60)), true).initialized();
        List<StoreRequest> requests = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            requests.add(StoreRequest.of(i == 7 ? "bad" : "q" + i, "a" + i,
                    StoreOptions.builder().model("gpt-4o").tokens(10, 10).build()));
        }
        List<StoreResult> results = f.cache.storeAll(Flux.fromIterable(requests), BatchOptions.defaults())
                .collectList().block();
        assertThat(results).hasSize(50);
        assertThat(results.get(7).isError()).isTrue();
        assertThat(results.get(7).error()).isInstanceOf(EmbeddingError.class);
        assertThat(f.store.puts).hasSize(49);
        Map<String, String> byKey = new java.util.HashMap<>();
        f.store.puts.forEach(p -> byKey.put(p.key(), p.entry().fields().get("response")));
        for (int i = 0; i < 50; i++) {
            if (i != 7) {
                assertThat(byKey.get(results.get(i).key())).isEqualTo("a" + i);
            }
        }
        assertThat(f.store.puts).allSatisfy(p -> assertThat(p.ttl()).isEqualTo(Duration.ofSeconds(60)));
    }

    @Test
    void dimensionMismatchInBatchIsAnElementError() {
        CacheFixture f = CacheFixture.withEmbedder(t -> Mono.just(t.equals("wide") ? new float[4] : new float[3]),
                b -> {
                }, true).initialized();
        List<CacheResult> results = f.cache.checkAll(Flux.just(Prompt.of("ok"), Prompt.of("wide"))).collectList().block();
        assertThat(results.get(0).isError()).isFalse();
        assertThat(results.get(1).error()).isInstanceOf(SemanticCacheUsageError.class)
                .hasMessageContaining("dimension mismatch");
        List<Candidate> none = List.of();
        assertThat(none).isEmpty();
    }

    @Test
    void optionsPerElement() {
        CacheFixture f = CacheFixture.create(b -> b.categoryThreshold("strict", 0.001)).initialized();
        f.store.searchFunction = s -> List.of(row("k", 0.05, "response", "a"), row("k2", 0.06, "response", "b"));
        List<com.betterdb.semanticcache.CheckRequest> requests = List.of(
                com.betterdb.semanticcache.CheckRequest.of(Prompt.of("x"), CheckOptions.builder().category("strict").build()),
                com.betterdb.semanticcache.CheckRequest.of(Prompt.of("y"), CheckOptions.builder().k(2)
                        .filter(com.betterdb.semanticcache.filter.Filter.model("m")).build()),
                com.betterdb.semanticcache.CheckRequest.of("z"));
        List<CacheResult> results = f.cache.checkAll(Flux.fromIterable(requests), BatchOptions.defaults())
                .collectList().block();
        assertThat(results.get(0).hit()).isFalse();
        assertThat(results.get(1).hit()).isTrue();
        assertThat(results.get(2).hit()).isTrue();
        assertThat(f.store.searches).extracting(RecordingStore.Search::k).containsExactly(1, 2, 1);
        assertThat(f.store.searches.get(1).filter().toQuery()).isEqualTo("@model:{m}");
        assertThat(f.counter("requests_total", "result", "miss", "category", "strict")).isEqualTo(1);
    }
}
