package com.betterdb.semanticcache.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Proves the Valkey tier talks to a real server. .ci/run fails if this class is skipped. */
@ValkeyTest
class ValkeySmokeTest {

  private final ValkeyServer server;
  private final RedisCommands<String, String> redis;

  ValkeySmokeTest(ValkeyServer server) {
    this.server = server;
    this.redis = server.commands();
  }

  @Test
  void setGetRoundTrip() {
    String key = server.uniqueKey("smoke");
    try {
      assertThat(redis.get(key)).isNull();
      assertThat(redis.set(key, "héllo ✓")).isEqualTo("OK");
      assertThat(redis.get(key)).isEqualTo("héllo ✓");
      assertThat(redis.del(key)).isEqualTo(1L);
      assertThat(redis.exists(key)).isZero();
    } finally {
      redis.del(key);
    }
  }

  @Test
  void keyWithShortTtlReportsItAndExpires() throws InterruptedException {
    String key = server.uniqueKey("smoke_ttl");
    try {
      redis.set(key, "v");
      assertThat(redis.pttl(key)).as("no TTL yet").isEqualTo(-1L);
      assertThat(redis.pexpire(key, 200)).isTrue();

      long pttl = redis.pttl(key);
      assertThat(pttl).isBetween(1L, 200L);
      assertThat(redis.ttl(key)).isBetween(0L, 1L);

      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (redis.exists(key) == 1 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(redis.exists(key)).as("key expired").isZero();
      assertThat(redis.get(key)).isNull();
      assertThat(redis.pttl(key)).as("missing key").isEqualTo(-2L);
    } finally {
      redis.del(key);
    }
  }

  @Test
  void newClientAndCallReachTheSameServer() {
    String key = server.uniqueKey("smoke_client");
    var client = server.newClient();
    try (var connection = client.connect()) {
      connection.sync().set(key, "42");
      assertThat(redis.get(key)).isEqualTo("42");
      assertThat(server.call("GET", key)).containsExactly("42");
      assertThat(server.deleteKeys(key)).isEqualTo(1L);
      assertThat(connection.sync().exists(key)).isZero();
    } finally {
      redis.del(key);
      client.shutdown();
    }
  }
}
