package com.betterdb.semanticcache;

import com.betterdb.semanticcache.config.RuntimeConfig;
import com.betterdb.semanticcache.discovery.CollisionCheck;
import com.betterdb.semanticcache.discovery.DiscoveryMarker;
import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.telemetry.CacheMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Registration in the BetterDB discovery registry (docs/decision-rules.md §15). Everything but a name collision is
 * best-effort: a failed write is counted and logged, and initialisation goes on.
 */
final class Discovery {

    private static final Logger log = LoggerFactory.getLogger(Discovery.class);
    private static final Duration HEARTBEAT_TTL = Duration.ofSeconds(DiscoveryMarker.HEARTBEAT_TTL_SECONDS);
    private static final String HOSTNAME = localHostname();

    private Discovery() {
    }

    static String now() {
        return DiscoveryMarker.heartbeatValue(Instant.now());
    }

    static Mono<Void> register(SemanticCache cache, CacheStore store, CacheMetrics metrics, RuntimeConfig cfg,
                               SemanticCacheOptions options, CacheKeys keys) {
        String name = keys.name();
        String marker = DiscoveryMarker.build(name, SemanticCache.VERSION, cfg.defaultThreshold(),
                options.uncertaintyBand(), cfg.categoryThresholds(), options.discovery().includeCategories(),
                Instant.ofEpochMilli(cache.nowMs()), ProcessHandle.current().pid(), HOSTNAME);
        return store.readRegistryMarker()
                .map(existing -> DiscoveryMarker.inspect(existing, SemanticCache.VERSION))
                .onErrorResume(e -> {
                    failed(metrics, "reading the registry", name, e);
                    return Mono.empty();
                })
                .flatMap(check -> {
                    // A cache of another type under this name: fail before writing anything.
                    check.throwIfCollision(name);
                    check.warningMessage(name).ifPresent(log::warn);
                    return Mono.just(check);
                })
                .then(store.writeRegistryMarker(marker).onErrorResume(e -> failed(metrics, "writing the marker", name, e)))
                .then(store.writeProtocolMarker().onErrorResume(e -> failed(metrics, "writing the protocol key", name, e)))
                .then(store.writeHeartbeat(now(), HEARTBEAT_TTL)
                        .onErrorResume(e -> failed(metrics, "writing the heartbeat", name, e)));
    }

    private static Mono<Void> failed(CacheMetrics metrics, String what, String name, Throwable e) {
        metrics.discoveryWriteFailed();
        log.warn("discovery: {} of '{}' failed: {}", what, name, e.toString());
        return Mono.empty();
    }

    /** The host name without a DNS lookup (no network call the user did not configure). */
    private static String localHostname() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        try {
            Path p = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(p)) {
                return Files.readString(p).strip();
            }
        } catch (Exception ignored) {
            // fall through
        }
        String computer = System.getenv("COMPUTERNAME");
        return computer != null ? computer : "unknown";
    }
}
