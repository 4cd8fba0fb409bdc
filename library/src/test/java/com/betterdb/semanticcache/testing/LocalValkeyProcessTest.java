package com.betterdb.semanticcache.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The throw-away server the Valkey tier starts: loopback only, no persistence, temp dir removed on close. Needs
 * valkey-server (or redis-server) on PATH; skipped otherwise, like the Valkey tier.
 */
class LocalValkeyProcessTest {

  private static Path binary() {
    Optional<Path> b = TierEnvironment.findOnPath("valkey-server").or(() -> TierEnvironment.findOnPath("redis-server"));
    org.junit.jupiter.api.Assumptions.assumeTrue(b.isPresent(),
        "Valkey tier skipped: put valkey-server on PATH to test the local server launcher");
    return b.get();
  }

  @Test
  void startsOnLoopbackWithoutPersistenceAndCleansUpOnClose() throws Exception {
    LocalValkeyProcess p = LocalValkeyProcess.start(binary(), List.of());
    Path dir = p.directory();
    RedisClient client = RedisClient.create(RedisURI.create(p.host(), p.port()));
    try (var c = client.connect()) {
      var redis = c.sync();
      assertThat(redis.ping()).isEqualTo("PONG");
      assertThat(redis.configGet("bind")).containsEntry("bind", "127.0.0.1");
      assertThat(redis.configGet("save")).containsEntry("save", "");
      assertThat(redis.configGet("appendonly")).containsEntry("appendonly", "no");
      assertThat(redis.configGet("dir").get("dir")).isEqualTo(dir.toRealPath().toString());
      assertThat(redis.dbsize()).isZero();
    } finally {
      client.shutdown();
      p.close();
    }
    assertThat(p.isAlive()).isFalse();
    assertThat(Files.exists(dir)).isFalse();
    assertThat(accepts(p.port())).as("port closed after close()").isFalse();
  }

  @Test
  void twoServersGetDifferentPorts() throws Exception {
    try (LocalValkeyProcess a = LocalValkeyProcess.start(binary(), List.of());
        LocalValkeyProcess b = LocalValkeyProcess.start(binary(), List.of())) {
      assertThat(a.port()).isNotEqualTo(b.port());
      assertThat(accepts(a.port())).isTrue();
      assertThat(accepts(b.port())).isTrue();
    }
  }

  @Test
  void badArgumentsFailWithTheServerLog() {
    assertThatThrownBy(() -> LocalValkeyProcess.start(binary(), List.of("--no-such-option", "x")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exited")
        .hasMessageContaining("no-such-option");
  }

  @Test
  void searchTierAgainstAServerWithoutTheModuleSkipsSayingSo() throws Exception {
    try (LocalValkeyProcess plain = LocalValkeyProcess.start(binary(), List.of())) {
      TierEnvironment env = TierEnvironment.of(
          Map.of("VALKEY_SEARCH_URL", "redis://127.0.0.1:" + plain.port()), Map.of(), false);
      try (TierResolution<ValkeySearchServer> r = ValkeySearchExtension.resolve(env)) {
        assertThat(r.isSkipped()).as(r.toString()).isTrue();
        assertThat(r.skipReason()).contains("has no search module").contains("VALKEY_SEARCH_URL");
      }
      assertThat(accepts(plain.port())).as("a server we do not own stays up").isTrue();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
