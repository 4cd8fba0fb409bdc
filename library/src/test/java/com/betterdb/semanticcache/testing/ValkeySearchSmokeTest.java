package com.betterdb.semanticcache.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisCommandExecutionException;
import org.junit.jupiter.api.Test;

/** Proves the valkey-search tier talks to a real server with the search module. */
@ValkeySearchTest
class ValkeySearchSmokeTest {

  @Test
  void serverHasSearchModuleAtLeast121(ValkeySearchServer server) {
    long ver = server.searchModuleVersion();
    if (ver >= 0) {
      assertThat(ver).isGreaterThanOrEqualTo(ValkeySearchServer.MIN_MODULE_VERSION);
    }
    assertThat(server.indexNames()).isNotNull();
  }

  @Test
  void ftInfoOfMissingIndexIsTheIndexMissingError(ValkeySearchServer server) {
    String cache = server.uniqueCacheName("smoke");
    assertThat(server.indexNames()).doesNotContain(cache + ":idx");
    assertThatThrownBy(() -> server.call("FT.INFO", cache + ":idx"))
        .isInstanceOf(RedisCommandExecutionException.class)
        .hasMessageContaining("Index with name '" + cache + ":idx' not found");
    assertThat(server.dropCache(cache)).isZero();
  }
}
