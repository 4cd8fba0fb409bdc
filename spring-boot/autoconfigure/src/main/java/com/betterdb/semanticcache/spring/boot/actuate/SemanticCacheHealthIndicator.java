package com.betterdb.semanticcache.spring.boot.actuate;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.SemanticCacheUsageError;
import com.betterdb.semanticcache.spring.boot.SemanticCacheInitializer;
import io.lettuce.core.RedisCommandExecutionException;
import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Objects;

/**
 * UP when the cache is initialized and its store answers {@code FT.INFO} within the timeout, with the index's state
 * (documents, dimension, indexing state); DOWN while it is not initialized (with the last initialization error, and
 * the startup state when the cache was auto-configured) or when the store fails, with {@code reachable: false} when
 * Valkey did not answer at all (no connection, timeout) and {@code reachable: true} when it answered with an error
 * (e.g. the index was dropped).
 */
public class SemanticCacheHealthIndicator extends AbstractReactiveHealthIndicator {

    private final SemanticCache cache;
    private final String store;
    private final SemanticCacheInitializer initializer;
    private final Duration timeout;

    /** @param initializer the auto-configured cache's initializer, or {@code null} */
    public SemanticCacheHealthIndicator(SemanticCache cache, String store, SemanticCacheInitializer initializer,
                                        Duration timeout) {
        super("Semantic cache health check failed");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.store = store;
        this.initializer = initializer;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    protected Mono<Health> doHealthCheck(Health.Builder builder) {
        builder.withDetail("name", cache.name()).withDetail("store", store);
        return cache.indexInfo()
                .timeout(timeout)
                .map(info -> builder.up()
                        .withDetail("index", info.name())
                        .withDetail("documents", info.numDocs())
                        .withDetail("dimension", info.dimension())
                        .withDetail("indexingState", info.indexingState())
                        .build())
                .onErrorResume(SemanticCacheUsageError.class, e -> Mono.just(notInitialized(builder, e)))
                .onErrorResume(e -> Mono.just(builder.down(e).withDetail("reachable", answered(e)).build()));
    }

    private Health notInitialized(Health.Builder builder, SemanticCacheUsageError e) {
        builder.down().withDetail("initialized", false);
        if (initializer != null) {
            builder.withDetail("startup", initializer.mode().name().toLowerCase(java.util.Locale.ROOT) + ", "
                    + initializer.state().name().toLowerCase(java.util.Locale.ROOT));
            Throwable last = initializer.lastError();
            if (last != null) {
                builder.withDetail("error", last.getClass().getName() + ": " + last.getMessage());
                return builder.build();
            }
        }
        return builder.withDetail("error", e.getMessage()).build();
    }

    /** Whether Valkey answered (with an error reply), as opposed to no connection or no reply in time. */
    static boolean answered(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RedisCommandExecutionException) {
                return true;
            }
        }
        return false;
    }
}
