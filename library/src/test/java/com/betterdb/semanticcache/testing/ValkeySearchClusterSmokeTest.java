package com.betterdb.semanticcache.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The valkey-search cluster tier gives what its tests rely on: every slot served, the module with its coordinator on
 * every primary, and an index created through one primary known to all. .ci/run fails if this class is skipped.
 */
@ValkeySearchClusterTest
class ValkeySearchClusterSmokeTest {

  @Test
  void everyPrimaryHasTheModuleAndAnIndexCreatedOnOneReachesAll(ValkeySearchCluster cluster) {
    assertThat(cluster.connection().sync().clusterInfo()).contains("cluster_state:ok")
        .contains("cluster_slots_assigned:16384");
    List<RedisClusterNode> primaries = cluster.primaries();
    if (cluster.startedHere()) {
      assertThat(primaries).hasSize(ValkeyClusterExtension.PRIMARIES);
    }
    assertThat(cluster.searchModuleVersion()).isGreaterThanOrEqualTo(ValkeySearchServer.MIN_MODULE_VERSION);
    for (RedisClusterNode n : primaries) {
      assertThat(String.valueOf(cluster.call(n.getNodeId(), "INFO", "search")))
          .contains(ValkeySearchClusterExtension.COORDINATOR_INFO_FIELD);
    }

    String name = cluster.uniqueCacheName("smoke");
    String index = name + ":idx";
    String receiver = primaries.get(primaries.size() - 1).getNodeId();
    try {
      assertThat(cluster.call(receiver, "FT.CREATE", index, "ON", "HASH", "PREFIX", "1", name + ":entry:",
          "SCHEMA", "model", "TAG")).containsExactly("OK");
      Map<String, List<String>> lists = cluster.awaitIndexNames(l -> l.contains(index), Duration.ofSeconds(15));
      assertThat(lists).hasSize(primaries.size());
    } finally {
      cluster.dropCache(name);
    }
    cluster.awaitIndexNames(l -> !l.contains(index), Duration.ofSeconds(15));
  }
}
