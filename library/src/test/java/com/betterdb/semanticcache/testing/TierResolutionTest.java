package com.betterdb.semanticcache.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The tiers' rules for finding a server, over fake environments (no server needed). */
class TierResolutionTest {

  private static final TierEnvironment NOTHING = TierEnvironment.of(Map.of(), Map.of(), false);

  @Test
  void valkeyTierWithNothingConfiguredSkipsNamingWhatToSet() throws Exception {
    try (TierResolution<ValkeyServer> r = ValkeyExtension.resolve(NOTHING)) {
      assertThat(r.isSkipped()).isTrue();
      assertThat(r.isAvailable()).isFalse();
      assertThat(r.skipReason()).contains("VALKEY_URL").contains("valkey-server").contains("PATH");
      assertThatThrownBy(r::handle).hasMessageContaining("VALKEY_URL");
    }
  }

  @Test
  void searchTierWithNothingConfiguredSkipsNamingWhatToSet() throws Exception {
    try (TierResolution<ValkeySearchServer> r = ValkeySearchExtension.resolve(NOTHING)) {
      assertThat(r.isSkipped()).isTrue();
      assertThat(r.skipReason()).contains("VALKEY_SEARCH_SERVER").contains("VALKEY_SEARCH_URL")
          .contains("VALKEY_SEARCH_MODULE");
    }
  }

  @Test
  void searchLauncherThatIsNotAnExecutableFileFails() throws Exception {
    TierEnvironment env = TierEnvironment.of(Map.of("VALKEY_SEARCH_SERVER", "/nonexistent/valkey-search-server"),
        Map.of(), false);
    try (TierResolution<ValkeySearchServer> r = ValkeySearchExtension.resolve(env)) {
      assertThat(r.isFailed()).isTrue();
      assertThat(r.failure()).hasMessageContaining("VALKEY_SEARCH_SERVER=/nonexistent/valkey-search-server")
          .hasMessageContaining("not an executable file");
    }
    try (TierResolution<ValkeySearchCluster> r = ValkeySearchClusterExtension.resolve(env)) {
      assertThat(r.isFailed()).isTrue();
      assertThat(r.failure()).hasMessageContaining("not an executable file");
    }
  }

  @Test
  void searchLauncherThatDoesNotStartFails() throws Exception {
    // /bin/false takes the arguments and exits at once: configured but broken is a failure, never a skip.
    TierEnvironment env = TierEnvironment.of(Map.of("VALKEY_SEARCH_SERVER", "/bin/false"), Map.of(), false);
    try (TierResolution<ValkeySearchServer> r = ValkeySearchExtension.resolve(env)) {
      assertThat(r.isFailed()).isTrue();
      assertThat(r.failure()).hasMessageContaining("did not start").hasMessageContaining("exited with status 1");
    }
  }

  @Test
  void searchClusterTierSkipsWithNothingConfiguredAndFailsWithoutValkeyCli() throws Exception {
    try (TierResolution<ValkeySearchCluster> r = ValkeySearchClusterExtension.resolve(NOTHING)) {
      assertThat(r.isSkipped()).isTrue();
      assertThat(r.skipReason()).contains("VALKEY_SEARCH_SERVER").contains("VALKEY_SEARCH_CLUSTER_URL")
          .contains("--use-coordinator");
    }
    TierEnvironment noCli = TierEnvironment.of(Map.of("VALKEY_SEARCH_SERVER", "/bin/true"), Map.of(), false);
    try (TierResolution<ValkeySearchCluster> r = ValkeySearchClusterExtension.resolve(noCli)) {
      assertThat(r.isFailed()).isTrue();
      assertThat(r.failure()).hasMessageContaining("valkey-cli");
    }
  }

  @Test
  void searchClusterUrlThatRefusesConnectionsFails() throws Exception {
    int closedPort = LocalValkeyProcess.freeLoopbackPort();
    TierEnvironment env = TierEnvironment.of(
        Map.of("VALKEY_SEARCH_CLUSTER_URL", "redis://127.0.0.1:" + closedPort), Map.of(), false);
    try (TierResolution<ValkeySearchCluster> r = ValkeySearchClusterExtension.resolve(env)) {
      assertThat(r.isFailed()).isTrue();
      assertThat(r.failure()).hasMessageContaining("VALKEY_SEARCH_CLUSTER_URL=redis://127.0.0.1:" + closedPort);
    }
  }

  @Test
  void aCompanionPortLeavesRoomForTheCoordinatorOffset() throws Exception {
    for (int i = 0; i < 20; i++) {
      int port = LocalValkeyProcess.freeLoopbackPortWithCompanion(ValkeySearchClusterExtension.COORDINATOR_PORT_OFFSET);
      assertThat(port + ValkeySearchClusterExtension.COORDINATOR_PORT_OFFSET).isLessThanOrEqualTo(65535);
      assertThat(port).isGreaterThanOrEqualTo(1024);
    }
  }

  @Test
  void valkeyUrlThatRefusesConnectionsFailsInsteadOfSkipping() throws Exception {
    int closedPort = LocalValkeyProcess.freeLoopbackPort(); // nothing listens there now
    TierEnvironment env = TierEnvironment.of(Map.of("VALKEY_URL", "redis://127.0.0.1:" + closedPort), Map.of(),
        false);
    try (TierResolution<ValkeyServer> r = ValkeyExtension.resolve(env)) {
      assertThat(r.isFailed()).isTrue();
      assertThat(r.isSkipped()).isFalse();
      assertThat(r.failure()).hasMessageContaining("VALKEY_URL=redis://127.0.0.1:" + closedPort);
    }
  }

  @Test
  void valkeyUrlThatIsNotARedisUriFails() throws Exception {
    TierEnvironment env = TierEnvironment.of(Map.of("VALKEY_URL", "http://example.invalid/"), Map.of(), false);
    try (TierResolution<ValkeyServer> r = ValkeyExtension.resolve(env)) {
      assertThat(r.isFailed()).isTrue();
      assertThat(r.failure()).hasMessageContaining("not a valid Redis URI");
    }
  }

  @Test
  void searchModuleThatIsNotAFileFails() throws Exception {
    TierEnvironment env = TierEnvironment.of(Map.of("VALKEY_SEARCH_MODULE", "/nonexistent/libsearch.so"),
        Map.of("valkey-server", Path.of("/usr/bin/valkey-server")), false);
    try (TierResolution<ValkeySearchServer> r = ValkeySearchExtension.resolve(env)) {
      assertThat(r.isFailed()).isTrue();
      assertThat(r.failure()).hasMessageContaining("VALKEY_SEARCH_MODULE=/nonexistent/libsearch.so");
    }
  }

  @Test
  void binaryOnPathThatCannotStartFails() throws Exception {
    // /bin/false exits at once: a broken server on PATH must fail the tier, not skip it.
    TierEnvironment env = TierEnvironment.of(Map.of(), Map.of("valkey-server", Path.of("/bin/false")), false);
    try (TierResolution<ValkeyServer> r = ValkeyExtension.resolve(env)) {
      assertThat(r.isFailed()).isTrue();
      assertThat(r.failure()).hasMessageContaining("did not start").hasMessageContaining("exited with status 1");
    }
  }

  @Test
  void blankVariablesCountAsUnset() throws Exception {
    TierEnvironment env = TierEnvironment.of(Map.of("VALKEY_URL", "  "), Map.of(), false);
    try (TierResolution<ValkeyServer> r = ValkeyExtension.resolve(env)) {
      assertThat(r.isSkipped()).isTrue();
    }
  }

  @Test
  void uniqueNamesArePrefixedSafeAndDistinct() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String n = TestNames.unique("t");
      assertThat(n).matches("t_[0-9a-f]{12}");
      names.add(n);
    }
    assertThat(names).hasSize(1000);
    assertThat(TestNames.unique("k", ':')).matches("k:[0-9a-f]{12}");
    assertThatThrownBy(() -> TestNames.unique("bad name")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void findOnPathFindsAnExecutableAndNotAMissingOne() throws IOException {
    assertThat(TierEnvironment.findOnPath("sh")).isPresent();
    assertThat(TierEnvironment.findOnPath("no-such-binary-" + TestNames.unique("x"))).isEmpty();
  }
}
