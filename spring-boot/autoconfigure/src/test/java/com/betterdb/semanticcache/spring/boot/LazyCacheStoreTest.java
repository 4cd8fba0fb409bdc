package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.store.CacheKeys;
import com.betterdb.semanticcache.store.CacheStore;
import com.betterdb.semanticcache.store.CacheStores;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LazyCacheStoreTest {

    private static final Duration T = Duration.ofSeconds(5);

    /** A method the SPI gains later must be forwarded too, not left to its default (which may do nothing). */
    @Test
    void forwardsEveryMethodOfTheSpi() {
        List<String> notForwarded = Arrays.stream(CacheStore.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .filter(m -> !declares(m))
                .map(Method::toString)
                .toList();
        assertThat(notForwarded).isEmpty();
    }

    private static boolean declares(Method m) {
        try {
            LazyCacheStore.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    @Test
    void opensOnFirstUseRetriesAFailedOpenAndOpensOnce() {
        AtomicInteger attempts = new AtomicInteger();
        CacheKeys keys = new CacheKeys("lazy");
        CacheStore real = CacheStores.inMemory().open(keys);
        LazyCacheStore store = new LazyCacheStore(keys, () -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("Valkey is down");
            }
            return real;
        });
        assertThat(attempts).hasValue(0);
        assertThat(store.keys()).isEqualTo(keys);
        assertThatThrownBy(() -> store.readConfig().block(T)).hasMessage("Valkey is down");
        assertThat(store.isOpen()).isFalse();
        assertThat(store.readConfig().block(T)).isEqualTo(Map.of());
        assertThat(store.readStats().block(T)).isNotNull();
        assertThat(attempts).hasValue(2);
        assertThat(store.isOpen()).isTrue();
    }

    @Test
    void closingBeforeOpeningNeverConnects() {
        AtomicInteger attempts = new AtomicInteger();
        CacheKeys keys = new CacheKeys("lazy");
        LazyCacheStore store = new LazyCacheStore(keys, () -> {
            attempts.incrementAndGet();
            return CacheStores.inMemory().open(keys);
        });
        store.deleteHeartbeat().block(T);
        store.closeAsync().block(T);
        assertThatThrownBy(() -> store.readConfig().block(T)).hasMessageContaining("closed");
        assertThat(attempts).hasValue(0);
    }
}
