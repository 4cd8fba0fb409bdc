package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CheckDetail;
import com.betterdb.semanticcache.filter.Filter;
import com.betterdb.semanticcache.kafka.events.LlmReplyEvent;
import com.betterdb.semanticcache.kafka.events.PromptEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The coalescing registry on its own: matching, scopes, answers, deadlines, linger and bounds (no broker). */
class CoalescerTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<InputRecord> ready = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final SemanticCacheProcessorConfig config = SemanticCacheProcessorConfig.builder()
            .bootstrapServers("localhost:1").groupId("g").promptsTopic("prompts").responsesTopic("responses")
            .llmRequestsTopic("requests").llmRepliesTopic("replies").deadLetterTopic("dlq")
            .llmTimeout(Duration.ofSeconds(10)).build();
    private final Coalescer coalescer = new Coalescer(config, new Outputs(config),
            new ProcessorMetrics(meters, "g", "c"), new OutcomeSink(), ready::addAll, now::get);
    private final PartitionState partition = new PartitionState(new TopicPartition("prompts", 0), PartitionState.Role.PROMPTS);
    private long offset;

    /** A unit vector at {@code angle} radians in the plane. */
    private static CheckDetail at(double angle, String category, double threshold) {
        return new CheckDetail(CacheResult.miss(), new float[]{(float) Math.cos(angle), (float) Math.sin(angle)},
                threshold, category, Filter.all(), threshold);
    }

    /** The angle whose cosine distance from angle 0 is {@code d}. */
    private static double angleFor(double d) {
        return Math.acos(1 - d);
    }

    private InputRecord record() {
        long o = offset++;
        return new InputRecord(new ConsumerRecord<>("prompts", 0, o, null, ("{\"v\":1,\"id\":\"r" + o + "\"}").getBytes()),
                now.get(), partition);
    }

    private Coalescer.Claim claim(InputRecord in, CheckDetail d) {
        return coalescer.claim(in, PromptEvent.of("id-" + in.offset(), "prompt " + in.offset()), d);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void aCloseMissOfTheSameScopeParksOthersLead() {
        InputRecord leader = record();
        assertThat(claim(leader, at(0, "", 0.1))).isInstanceOf(Coalescer.Claim.Lead.class);
        InputRecord close = record();
        assertThat(claim(close, at(angleFor(0.05), "", 0.1))).isInstanceOf(Coalescer.Claim.Parked.class);
        assertThat(close.parked).isTrue();
        assertThat(claim(record(), at(angleFor(0.2), "", 0.1))).as("too far").isInstanceOf(Coalescer.Claim.Lead.class);
        assertThat(claim(record(), at(0, "other", 0.1))).as("another category").isInstanceOf(Coalescer.Claim.Lead.class);
        assertThat(claim(record(), at(angleFor(0.05), "", 0.01))).as("its own threshold is smaller")
                .isInstanceOf(Coalescer.Claim.Lead.class);
        assertThat(coalescer.parked()).isEqualTo(1);
        assertThat(meters.get(KafkaMetricNames.PARKED_TOTAL).counter().count()).isEqualTo(1);
    }

    @Test
    void theReplyAnswersEveryFollowerAndStaysJoinableForAMoment() {
        InputRecord leader = record();
        claim(leader, at(0, "", 0.1));
        InputRecord a = record();
        InputRecord b = record();
        claim(a, at(angleFor(0.02), "", 0.1));
        claim(b, at(-angleFor(0.03), "", 0.1));

        coalescer.answered(Outputs.requestRef(leader.record), LlmReplyEvent.of("id-0", "prompt 0", "the answer"), "key:1");

        assertThat(ready).containsExactly(a, b);
        assertThat(a.parked).isFalse();
        assertThat(a.output.kind()).isEqualTo(ProcessingOutcome.Kind.JOINED);
        assertThat(new String(a.output.record().value())).contains("\"response\":\"the answer\"")
                .contains("\"coalesced\":true").contains("\"matchedKey\":\"key:1\"");
        assertThat(coalescer.parked()).isZero();
        Coalescer.Claim late = claim(record(), at(angleFor(0.01), "", 0.1));
        assertThat(late).as("answered moments ago: answered at once").isInstanceOf(Coalescer.Claim.Answered.class);
        assertThat(((Coalescer.Claim.Answered) late).output().kind()).isEqualTo(ProcessingOutcome.Kind.JOINED);

        advance(Duration.ofNanos(Coalescer.LINGER_NANOS + 1));
        coalescer.expire();
        assertThat(claim(record(), at(angleFor(0.01), "", 0.1))).isInstanceOf(Coalescer.Claim.Lead.class);
    }

    @Test
    void followersOfARequestWithoutReplyAskTheLlmAfterTheParkTimeout() {
        InputRecord leader = record();
        claim(leader, at(0, "", 0.1));
        InputRecord a = record();
        claim(a, at(0, "", 0.1));
        advance(Duration.ofSeconds(9));
        coalescer.expire();
        assertThat(ready).isEmpty();

        advance(Duration.ofSeconds(2));
        coalescer.expire();

        assertThat(ready).containsExactly(a);
        assertThat(a.output.kind()).isEqualTo(ProcessingOutcome.Kind.MISS);
        assertThat(a.parked).isFalse();
        assertThat(meters.get(KafkaMetricNames.PARK_RELEASED).tag(KafkaMetricNames.TAG_REASON, "timeout").counter()
                .count()).isEqualTo(1);
        assertThat(claim(record(), at(0, "", 0.1))).as("forgotten").isInstanceOf(Coalescer.Claim.Lead.class);
    }

    @Test
    void aReplyReadByAnotherInstanceReleasesTheFollowers() {
        coalescer.repliesAssigned(List.of(0));
        InputRecord mine = record();
        claim(mine, at(0, "a", 0.1));
        InputRecord waitsMine = record();
        claim(waitsMine, at(0, "a", 0.1));
        InputRecord elsewhere = record();
        claim(elsewhere, at(0, "b", 0.1));
        InputRecord waitsElsewhere = record();
        claim(waitsElsewhere, at(0, "b", 0.1));

        coalescer.requestWritten(mine.flight, 0);
        coalescer.requestWritten(elsewhere.flight, 1);
        assertThat(ready).containsExactly(waitsElsewhere);
        assertThat(waitsMine.parked).isTrue();

        coalescer.repliesRevoked(List.of(0));
        assertThat(ready).containsExactly(waitsElsewhere, waitsMine);
        assertThat(meters.get(KafkaMetricNames.PARK_RELEASED).tag(KafkaMetricNames.TAG_REASON, "reassigned").counter()
                .count()).isEqualTo(2);
    }

    @Test
    void followersOfALostPartitionAreForgottenWithoutAnOutput() {
        InputRecord leader = record();
        claim(leader, at(0, "", 0.1));
        InputRecord follower = record();
        claim(follower, at(0, "", 0.1));
        coalescer.forgetFollowers(in -> in == follower);
        assertThat(coalescer.parked()).isZero();
        coalescer.answered(Outputs.requestRef(leader.record), LlmReplyEvent.of("id-0", "prompt 0", "answer"), "key:1");
        assertThat(ready).as("nothing to answer any more").isEmpty();
        assertThat(follower.output).isNull();
    }

    @Test
    void theRegistryIsBounded() {
        for (int i = 0; i < Coalescer.MAX_FLIGHTS; i++) {
            assertThat(claim(record(), at(i * 0.01, "", 1e-6))).isInstanceOf(Coalescer.Claim.Lead.class);
        }
        assertThat(coalescer.flights()).isEqualTo(Coalescer.MAX_FLIGHTS);
        assertThat(claim(record(), at(Coalescer.MAX_FLIGHTS * 0.01, "", 1e-6))).isInstanceOf(Coalescer.Claim.Alone.class);
        advance(Duration.ofSeconds(11));
        coalescer.expire();
        assertThat(coalescer.flights()).isZero();
    }

    @Test
    void parkedPromptsAreBoundedLikePendingLlmRequests() {
        SemanticCacheProcessorConfig two = config.toBuilder().maxPendingLlmRequests(2).build();
        Coalescer small = new Coalescer(two, new Outputs(two), new ProcessorMetrics(new SimpleMeterRegistry(), "g", "c"),
                new OutcomeSink(), ready::addAll, now::get);
        PromptEvent e = PromptEvent.of("x", "x");
        assertThat(small.claim(record(), e, at(0, "", 0.1))).isInstanceOf(Coalescer.Claim.Lead.class);
        assertThat(small.claim(record(), e, at(0, "", 0.1))).isInstanceOf(Coalescer.Claim.Parked.class);
        assertThat(small.claim(record(), e, at(0, "", 0.1))).isInstanceOf(Coalescer.Claim.Parked.class);
        assertThat(small.claim(record(), e, at(0, "", 0.1))).as("two wait already").isInstanceOf(Coalescer.Claim.Alone.class);
        assertThat(small.parked()).isEqualTo(2);
    }

    @Test
    void noVectorOrCoalescingOffMeansAlone() {
        CheckDetail failed = new CheckDetail(CacheResult.miss(), null, 0.1, "", Filter.all(), 0.1);
        assertThat(claim(record(), failed)).isInstanceOf(Coalescer.Claim.Alone.class);
        SemanticCacheProcessorConfig off = config.toBuilder().coalescing(false).build();
        Coalescer disabled = new Coalescer(off, new Outputs(off), new ProcessorMetrics(new SimpleMeterRegistry(), "g", "c"),
                new OutcomeSink(), ready::addAll, now::get);
        assertThat(disabled.claim(record(), PromptEvent.of("x", "x"), at(0, "", 0.1)))
                .isInstanceOf(Coalescer.Claim.Alone.class);
    }
}
