package com.betterdb.semanticcache.store.memory;

import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.contract.CacheStoreContract;
import com.betterdb.semanticcache.testing.TieOrderStore;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.Optional;

/**
 * The store contract over {@link InMemoryCacheStore}, with a hand-moved clock (TTL tests take no time). The suite
 * runs twice, with equal distances in opposite orders ({@link TieOrderStore}), so no contract test can depend on the
 * order of ties.
 */
@ParameterizedClass
@EnumSource(TieOrderStore.Order.class)
class InMemoryCacheStoreContractTest extends CacheStoreContract {

    private final MutableClock clock = new MutableClock(1_780_000_000_000L);
    private final InMemoryCacheStoreFactory server =
            new InMemoryCacheStoreFactory(InMemoryOptions.builder().clock(clock).build());
    private final TieOrderStore.Order ties;

    InMemoryCacheStoreContractTest(TieOrderStore.Order ties) {
        this.ties = ties;
    }

    @Override
    protected CacheStore newStore(CacheKeys keys) {
        return new TieOrderStore(server.open(keys), ties);
    }

    @Override
    protected long nowMs() {
        return clock.millis();
    }

    @Override
    protected void advanceTime(Duration d) {
        clock.advance(d);
    }

    @Override
    protected Optional<String> readHeartbeat(CacheKeys keys) {
        return server.open(keys).heartbeat();
    }

    @Override
    protected Optional<String> readProtocolMarker() {
        return server.open(keys).protocolMarker();
    }

    @Override
    protected void writeConfig(CacheKeys keys, String field, String value) {
        server.open(keys).putConfig(field, value);
    }
}
