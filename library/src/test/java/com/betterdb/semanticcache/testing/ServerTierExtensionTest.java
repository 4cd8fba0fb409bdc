package com.betterdb.semanticcache.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * A tier whose server is missing must be reported as skipped (never a silent pass), a broken tier as failed, and an
 * available tier must inject its handle. Runs fixture classes through the real Jupiter engine.
 */
class ServerTierExtensionTest {

  /** A handle that counts closes. */
  static final class FakeHandle implements AutoCloseable {
    static final AtomicInteger CLOSED = new AtomicInteger();
    final String name = "fake";

    @Override
    public void close() {
      CLOSED.incrementAndGet();
    }
  }

  static final class SkippedTier extends ServerTierExtension<FakeHandle> {
    SkippedTier() {
      super(FakeHandle.class, "fake");
    }

    @Override
    protected TierResolution<FakeHandle> resolve() {
      return TierResolution.skipped("fake tier skipped: set FAKE_URL");
    }
  }

  static final class FailedTier extends ServerTierExtension<FakeHandle> {
    FailedTier() {
      super(FakeHandle.class, "fake");
    }

    @Override
    protected TierResolution<FakeHandle> resolve() {
      return TierResolution.failed("FAKE_URL is set but the server does not answer", null);
    }
  }

  static final class AvailableTier extends ServerTierExtension<FakeHandle> {
    AvailableTier() {
      super(FakeHandle.class, "fake");
    }

    @Override
    protected TierResolution<FakeHandle> resolve() {
      return TierResolution.available(new FakeHandle());
    }
  }

  @ExtendWith(SkippedTier.class)
  static class SkippedFixture {
    @Test
    void wouldFailIfRun() {
      throw new AssertionError("a skipped tier must not run its tests");
    }
  }

  @ExtendWith(FailedTier.class)
  static class FailedFixture {
    @Test
    void noParameter() {
      // passes on its own: only the tier's failure may fail it
    }
  }

  @ExtendWith(AvailableTier.class)
  static class AvailableFixture {
    @Test
    void injected(FakeHandle handle) {
      assertThat(handle.name).isEqualTo("fake");
    }

    @Test
    void injectedAgain(FakeHandle handle) {
      assertThat(handle).isNotNull();
    }
  }

  @Test
  void missingServerIsReportedAsSkippedWithTheReason() {
    Events containers = EngineTestKit.engine("junit-jupiter").selectors(selectClass(SkippedFixture.class))
        .execute().containerEvents();
    containers.assertThatEvents().haveExactly(1,
        event(container(SkippedFixture.class), skippedWithReason("fake tier skipped: set FAKE_URL")));
    Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(SkippedFixture.class))
        .execute().testEvents();
    assertThat(tests.started().count()).isZero();
    assertThat(tests.succeeded().count()).isZero();
  }

  @Test
  void brokenServerFailsTheTestsEvenWithoutParameters() {
    Events containers = EngineTestKit.engine("junit-jupiter").selectors(selectClass(FailedFixture.class))
        .execute().containerEvents();
    containers.assertThatEvents().haveExactly(1, event(container(FailedFixture.class),
        finishedWithFailure(message(m -> m.contains("FAKE_URL is set but the server does not answer")))));
  }

  @Test
  void availableServerIsInjectedOnceAndClosedAfterTheRun() {
    int closedBefore = FakeHandle.CLOSED.get();
    Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(AvailableFixture.class))
        .execute().testEvents();
    assertThat(tests.succeeded().count()).isEqualTo(2);
    assertThat(tests.failed().count()).isZero();
    assertThat(FakeHandle.CLOSED.get() - closedBefore).as("closed once, when the engine run ended").isEqualTo(1);
  }
}
