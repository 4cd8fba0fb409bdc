package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.spring.boot.SemanticCacheProperties.StartupMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.Objects;

/**
 * Initializes the auto-configured cache when the application context starts and shuts it down when it stops, as a
 * {@link SmartLifecycle} in phase {@link #PHASE}: after Spring Data's {@code LettuceConnectionFactory} (phase 0) has
 * started, before the web server (which starts last, at {@code DEFAULT_PHASE - 2048}) and the Kafka processor; on
 * shutdown the web server and the processor stop first, then the cache closes (heartbeat deleted, connections closed),
 * and only then are the Lettuce client, the connection factory and the embedder shut down.
 *
 * <p>{@code betterdb.semantic-cache.startup.mode}: {@code fail-fast} (default) initializes here and fails the start
 * with a {@link SemanticCacheStartupException}; {@code background} starts initializing and returns, retrying with
 * backoff until it succeeds; {@code manual} leaves it to the application.
 */
public final class SemanticCacheInitializer implements SmartLifecycle {

    /** Stops before Lettuce (0) and after the web server; the Kafka processor's phase is higher still. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 8192;
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(SemanticCacheInitializer.class);

    /** Where initialization is. */
    public enum State {
        /** Not started (or startup mode {@code manual}). */
        NOT_STARTED,
        /** An attempt is running, or a retry is waiting (background mode). */
        INITIALIZING,
        READY,
        /** The fail-fast attempt failed. */
        FAILED,
        STOPPED
    }

    private final SemanticCache cache;
    private final String store;
    private final StartupMode mode;
    private final Duration timeout;
    private final Duration maxRetryInterval;
    private volatile State state = State.NOT_STARTED;
    private volatile Throwable lastError;
    private volatile Disposable background;
    private volatile boolean running;

    public SemanticCacheInitializer(SemanticCache cache, String store, SemanticCacheProperties.Startup startup) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.store = store;
        this.mode = startup.getMode();
        this.timeout = startup.getTimeout();
        this.maxRetryInterval = startup.getMaxRetryInterval();
    }

    @Override
    public void start() {
        running = true;
        switch (mode) {
            case FAIL_FAST -> initializeNow();
            case BACKGROUND -> initializeInBackground();
            case MANUAL -> log.debug("semantic cache '{}': startup mode manual, not initialized", cache.name());
        }
    }

    private void initializeNow() {
        state = State.INITIALIZING;
        try {
            cache.initialize().timeout(timeout).block();
        } catch (RuntimeException e) {
            Throwable cause = Exceptions.unwrap(e);
            state = State.FAILED;
            lastError = cause;
            throw new SemanticCacheStartupException(cache.name(), store, timeout, cause);
        }
        ready();
    }

    private void initializeInBackground() {
        state = State.INITIALIZING;
        Duration first = FIRST_RETRY.compareTo(maxRetryInterval) < 0 ? FIRST_RETRY : maxRetryInterval;
        background = Mono.defer(cache::initialize)
                .timeout(timeout)
                .doOnError(e -> {
                    lastError = e;
                    log.warn("semantic cache '{}' on {} is not initialized yet, retrying: {}", cache.name(), store,
                            SemanticCacheStartupException.describe(e, timeout));
                })
                .retryWhen(Retry.backoff(Long.MAX_VALUE, first).maxBackoff(maxRetryInterval))
                .subscribe(null, e -> log.error("semantic cache '{}': initialization stopped", cache.name(), e),
                        this::ready);
    }

    private void ready() {
        lastError = null;
        state = State.READY;
        log.info("semantic cache '{}' initialized on {}", cache.name(), store);
    }

    /** Closes the cache (stops its timers, deletes its heartbeat, closes the connections it opened). */
    @Override
    public void stop() {
        Disposable b = background;
        if (b != null) {
            b.dispose();
        }
        try {
            cache.shutdown().block(SHUTDOWN_TIMEOUT);
        } catch (RuntimeException e) {
            log.warn("semantic cache '{}' did not shut down cleanly: {}", cache.name(), e.toString());
        }
        state = State.STOPPED;
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    public State state() {
        return state;
    }

    /** The error of the last failed attempt while not ready, else {@code null}. */
    public Throwable lastError() {
        return lastError;
    }

    public StartupMode mode() {
        return mode;
    }
}
