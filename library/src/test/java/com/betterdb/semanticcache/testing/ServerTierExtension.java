package com.betterdb.semanticcache.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of the server test tiers ({@link ValkeyExtension}, {@link ValkeySearchExtension}, and the Kafka tier in the
 * kafka-connector module).
 *
 * <p>The server is looked for lazily, once per JVM (per JUnit engine run), and kept in the root
 * {@link ExtensionContext.Store}; JUnit closes it when the run ends. Then:
 * <ul>
 *   <li>no server and nothing configured: the test class/method is <b>disabled</b> with a reason naming what to
 *       set, which Surefire reports as <em>skipped</em> (with the reason);</li>
 *   <li>something configured but broken: the tests <b>fail</b> with the cause;</li>
 *   <li>otherwise the handle (type {@code S}) is injected into constructors, lifecycle and test methods.</li>
 * </ul>
 *
 * @param <S> the handle type; resolved by exact type, so two tiers can be combined on one test class
 */
public abstract class ServerTierExtension<S extends AutoCloseable>
    implements ExecutionCondition, ParameterResolver, BeforeAllCallback, BeforeEachCallback {

  private static final Logger log = LoggerFactory.getLogger(ServerTierExtension.class);
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ServerTierExtension.class);

  private final Class<S> handleType;
  private final String tierName;

  protected ServerTierExtension(Class<S> handleType, String tierName) {
    this.handleType = handleType;
    this.tierName = tierName;
  }

  /** Looks for (or starts) the server. Called at most once per JVM per tier. Must not throw. */
  protected abstract TierResolution<S> resolve();

  /** The resolution of this tier for the current run: looked up, or computed and remembered, in the root store. */
  @SuppressWarnings("unchecked")
  public final TierResolution<S> resolution(ExtensionContext context) {
    ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
    return store.getOrComputeIfAbsent(getClass().getName(), key -> {
      TierResolution<S> r;
      try {
        r = resolve();
      } catch (RuntimeException | LinkageError e) {
        r = TierResolution.failed(tierName + " tier: could not look for a server: " + e, e);
      }
      if (r.isSkipped()) {
        log.warn("{} tier SKIPPED: {}", tierName, r.skipReason());
      } else if (r.isFailed()) {
        log.error("{} tier FAILED: {}", tierName, r.failure().getMessage(), r.failure().getCause());
      } else {
        log.info("{} tier: {}", tierName, r);
      }
      return r;
    }, TierResolution.class);
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    TierResolution<S> r = resolution(context);
    if (r.isSkipped()) {
      return ConditionEvaluationResult.disabled(r.skipReason());
    }
    return ConditionEvaluationResult.enabled(tierName + " tier: " + (r.isFailed() ? "failed" : "available"));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    failIfBroken(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    failIfBroken(context);
  }

  private void failIfBroken(ExtensionContext context) {
    TierResolution<S> r = resolution(context);
    if (r.isFailed()) {
      throw r.failure();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == handleType;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    TierResolution<S> r = resolution(extensionContext);
    try {
      return r.handle();
    } catch (RuntimeException e) {
      throw new ParameterResolutionException(tierName + " tier: no server: " + e.getMessage(), e);
    }
  }
}
