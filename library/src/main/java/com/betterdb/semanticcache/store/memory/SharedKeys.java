package com.betterdb.semanticcache.store.memory;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The keys shared by every cache of one in-memory "server": the discovery registry hash
 * ({@code __betterdb:caches}), the protocol marker and the heartbeat keys. One instance per
 * {@link InMemoryCacheStoreFactory} (or per stand-alone {@link InMemoryCacheStore}).
 */
final class SharedKeys {

    private record Timed(String value, long expiresAtMs) {
    }

    private final Clock clock;
    private final Map<String, String> registry = new ConcurrentHashMap<>();
    private final AtomicReference<String> protocol = new AtomicReference<>();
    private final Map<String, Timed> heartbeats = new ConcurrentHashMap<>();

    SharedKeys(Clock clock) {
        this.clock = clock;
    }

    Optional<String> registryMarker(String name) {
        return Optional.ofNullable(registry.get(name));
    }

    void putRegistryMarker(String name, String marker) {
        registry.put(name, marker);
    }

    /** {@code SET __betterdb:protocol value NX}. */
    void setProtocolIfAbsent(String value) {
        protocol.compareAndSet(null, value);
    }

    Optional<String> protocol() {
        return Optional.ofNullable(protocol.get());
    }

    /** {@code SET key value EX seconds}; {@code seconds} must be positive (as in Valkey). */
    void putHeartbeat(String name, String value, long seconds) {
        if (seconds <= 0) {
            throw new IllegalArgumentException("invalid expire time in 'set' command: " + seconds);
        }
        heartbeats.put(name, new Timed(value, clock.millis() + seconds * 1000));
    }

    Optional<String> heartbeat(String name) {
        Timed t = heartbeats.get(name);
        if (t == null) {
            return Optional.empty();
        }
        if (clock.millis() > t.expiresAtMs()) {
            heartbeats.remove(name, t);
            return Optional.empty();
        }
        return Optional.of(t.value());
    }

    void deleteHeartbeat(String name) {
        heartbeats.remove(name);
    }
}
