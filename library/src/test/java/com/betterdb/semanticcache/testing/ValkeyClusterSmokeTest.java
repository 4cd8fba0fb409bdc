package com.betterdb.semanticcache.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import org.junit.jupiter.api.Test;

/** The cluster tier gives a working cluster: every slot served, at least one primary, routed writes and reads. */
@ValkeyClusterTest
class ValkeyClusterSmokeTest {

  @Test
  void clusterServesEverySlotAndRoutesKeys(ValkeyCluster cluster) {
    RedisClusterClient client = cluster.newClient();
    try (StatefulRedisClusterConnection<String, String> c = client.connect()) {
      assertThat(c.sync().clusterInfo()).contains("cluster_state:ok").contains("cluster_slots_assigned:16384");
      long primaries = c.getPartitions().stream().filter(n -> n.getRole().isUpstream()).count();
      assertThat(primaries).isGreaterThanOrEqualTo(1);
      if (cluster.startedHere()) {
        assertThat(primaries).isEqualTo(ValkeyClusterExtension.PRIMARIES);
        assertThat(c.getPartitions()).allMatch(RedisClusterNode::isConnected);
      }
      String prefix = cluster.uniqueCacheName("smoke");
      for (int i = 0; i < 20; i++) {
        c.sync().set(prefix + ":" + i, "v" + i);
      }
      for (int i = 0; i < 20; i++) {
        assertThat(c.sync().get(prefix + ":" + i)).isEqualTo("v" + i);
        c.sync().del(prefix + ":" + i);
      }
    } finally {
      client.shutdown();
    }
  }
}
