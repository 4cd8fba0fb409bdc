package com.betterdb.semanticcache.testing;

import java.util.Objects;

/**
 * The outcome of looking for a test tier's server: a handle, a reason to skip, or a failure.
 *
 * <p>A tier is <em>skipped</em> only when nothing was configured and nothing could be started (the reason names
 * what to set). When something was configured but does not work (a {@code VALKEY_URL} that refuses connections, a
 * {@code valkey-server} that crashes on start), the tier <em>fails</em>: a broken setup must never look green.
 *
 * <p>Stored in the root {@code ExtensionContext} store, which closes it (and so the server) after the test run.
 */
public final class TierResolution<S extends AutoCloseable> implements AutoCloseable {

  private final S handle;
  private final String skipReason;
  private final RuntimeException failure;

  private TierResolution(S handle, String skipReason, RuntimeException failure) {
    this.handle = handle;
    this.skipReason = skipReason;
    this.failure = failure;
  }

  public static <S extends AutoCloseable> TierResolution<S> available(S handle) {
    return new TierResolution<>(Objects.requireNonNull(handle, "handle"), null, null);
  }

  public static <S extends AutoCloseable> TierResolution<S> skipped(String reason) {
    return new TierResolution<>(null, Objects.requireNonNull(reason, "reason"), null);
  }

  public static <S extends AutoCloseable> TierResolution<S> failed(String message, Throwable cause) {
    return new TierResolution<>(null, null, new IllegalStateException(message, cause));
  }

  /**
   * This skip or failure as a resolution of another handle type.
   *
   * @throws IllegalStateException when this resolution is available
   */
  public <T extends AutoCloseable> TierResolution<T> withoutHandle() {
    if (handle != null) {
      throw new IllegalStateException("resolution has a handle: " + this);
    }
    return new TierResolution<>(null, skipReason, failure);
  }

  public boolean isAvailable() {
    return handle != null;
  }

  public boolean isSkipped() {
    return skipReason != null;
  }

  public boolean isFailed() {
    return failure != null;
  }

  /** The reason to skip; {@code null} unless {@link #isSkipped()}. */
  public String skipReason() {
    return skipReason;
  }

  /** The failure; {@code null} unless {@link #isFailed()}. */
  public RuntimeException failure() {
    return failure;
  }

  /** The server handle; throws the failure, or an {@link IllegalStateException} naming the skip reason. */
  public S handle() {
    if (failure != null) {
      throw failure;
    }
    if (handle == null) {
      throw new IllegalStateException(skipReason);
    }
    return handle;
  }

  /** Closes the handle (stopping a server this run started). */
  @Override
  public void close() {
    if (handle != null) {
      closeUnchecked(handle);
    }
  }

  /** Closes {@code c}, rethrowing a checked exception unchecked (and keeping the interrupt flag). */
  static void closeUnchecked(AutoCloseable c) {
    try {
      c.close();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not close " + c + ": " + e, e);
    }
  }

  @Override
  public String toString() {
    if (handle != null) {
      return "available: " + handle;
    }
    return skipReason != null ? "skipped: " + skipReason : "failed: " + failure.getMessage();
  }
}
