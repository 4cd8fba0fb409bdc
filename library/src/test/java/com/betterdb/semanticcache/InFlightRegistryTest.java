package com.betterdb.semanticcache;

import com.betterdb.semanticcache.filter.Filter;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The registry's bounds and matching, on a hand-driven clock. */
class InFlightRegistryTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final InFlightRegistry registry = new InFlightRegistry(
            new SemanticCacheOptions.Coalescing(true, 2, Duration.ofSeconds(60)), now::get);

    private static final float[] A = {1f, 0f};
    private static final float[] B = {0.98f, (float) Math.sqrt(1 - 0.98 * 0.98)}; // 0.02 from A
    private static final float[] FAR = {0f, 1f};

    @Test
    void nearestFlightWithinTheDistanceIsJoinedOthersLead() {
        var lead = registry.claim("", Filter.all(), A, 0.1);
        assertThat(lead).isInstanceOf(InFlightRegistry.Claim.Lead.class);
        var join = registry.claim("", Filter.all(), B, 0.1);
        assertThat(join).isInstanceOf(InFlightRegistry.Claim.Join.class);
        assertThat(((InFlightRegistry.Claim.Join) join).distance()).isCloseTo(0.02, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(((InFlightRegistry.Claim.Join) join).flight()).isSameAs(((InFlightRegistry.Claim.Lead) lead).flight());
        // Exactly at the limit joins (inclusive, like the cache's threshold); below it does not.
        assertThat(registry.claim("", Filter.all(), B, 0.019)).isInstanceOf(InFlightRegistry.Claim.Lead.class);
    }

    @Test
    void categoryAndFilterSeparateFlights() {
        registry.claim("geo", Filter.all(), A, 0.1);
        assertThat(registry.claim("history", Filter.all(), A, 0.1)).isInstanceOf(InFlightRegistry.Claim.Lead.class);
        assertThat(registry.claim("geo", Filter.tag("model", "x"), A, 0.1))
                .isInstanceOf(InFlightRegistry.Claim.Alone.class); // two slots taken: the registry is full
    }

    @Test
    void sizeIsBoundedAndFlightsOlderThanMaxAgeAreNotJoinable() {
        registry.claim("", Filter.all(), A, 0.1);
        registry.claim("", Filter.all(), FAR, 0.1);
        assertThat(registry.size()).isEqualTo(2);
        assertThat(registry.claim("x", Filter.all(), A, 0.1)).isInstanceOf(InFlightRegistry.Claim.Alone.class);
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        // Both flights expired: purged on the next claim of their group, which then leads.
        assertThat(registry.claim("", Filter.all(), B, 0.1)).isInstanceOf(InFlightRegistry.Claim.Lead.class);
        assertThat(registry.size()).isEqualTo(1);
    }

    @Test
    void aFailedFlightIsForgottenAtOnce() {
        var lead = (InFlightRegistry.Claim.Lead) registry.claim("", Filter.all(), A, 0.1);
        lead.flight().start(Mono.error(new IllegalStateException("llm down")));
        assertThat(registry.size()).isZero();
        assertThat(registry.claim("", Filter.all(), B, 0.1)).isInstanceOf(InFlightRegistry.Claim.Lead.class);
    }

    @Test
    void cosineDistanceMatchesTheIndexScore() {
        assertThat(InFlightRegistry.distance(A, 1, A, 1)).isZero();
        assertThat(InFlightRegistry.distance(A, 1, FAR, 1)).isEqualTo(1.0);
        assertThat(InFlightRegistry.distance(A, 1, new float[]{1f, 0f, 0f}, 1)).isInfinite();
    }
}
