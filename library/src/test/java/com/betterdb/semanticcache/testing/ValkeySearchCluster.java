package com.betterdb.semanticcache.testing;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A Valkey cluster whose nodes run valkey-search in coordinator mode, injected by
 * {@link ValkeySearchClusterExtension} ({@code @ValkeySearchClusterTest}).
 *
 * <p>Like {@link ValkeyCluster} it may be shared: name caches with {@link #uniqueCacheName(String)} and remove them
 * with {@link #dropCache(String)}.
 */
public final class ValkeySearchCluster extends ValkeyCluster {

  private volatile long moduleVersion;
  private RedisClusterClient resp2Client;
  private StatefulRedisClusterConnection<String, String> resp2Connection;

  /** {@code owned}: the node processes this run started (empty for a cluster it does not own). */
  public ValkeySearchCluster(List<RedisURI> seeds, String description, List<? extends AutoCloseable> owned) {
    super(seeds, description, owned);
    this.moduleVersion = -1;
  }

  /** The lowest {@code ver} of the {@code search} module over the primaries (66049 = 1.2.1); -1 when unknown. */
  public long searchModuleVersion() {
    return moduleVersion;
  }

  void searchModuleVersion(long version) {
    this.moduleVersion = version;
  }

  /**
   * Sends a command to one node only (no redirection) on a RESP2 connection; the reply as in
   * {@link ValkeyServer#call(String, String...)}.
   */
  public synchronized List<Object> call(String nodeId, String command, String... args) {
    if (resp2Connection == null) {
      resp2Client = newClient();
      resp2Client.setOptions(ClusterClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
      resp2Connection = resp2Client.connect();
    }
    CommandArgs<String, String> a = new CommandArgs<>(StringCodec.UTF8);
    for (String arg : args) {
      a.add(arg);
    }
    return resp2Connection.getConnection(nodeId).sync()
        .dispatch(ValkeyServer.keyword(command), new NestedMultiOutput<>(StringCodec.UTF8), a);
  }

  /** {@code FT._LIST} of every primary (node id → index names). */
  public Map<String, List<String>> indexNamesByPrimary() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (RedisClusterNode n : primaries()) {
      out.put(n.getNodeId(), call(n.getNodeId(), "FT._LIST").stream().map(String::valueOf).toList());
    }
    return out;
  }

  /**
   * Waits until {@code condition} holds for the {@code FT._LIST} of every primary: the coordinator spreads index
   * metadata over the cluster bus, so another node may see a change a moment later.
   */
  public Map<String, List<String>> awaitIndexNames(Predicate<List<String>> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, List<String>> names = indexNamesByPrimary();
    while (!names.values().stream().allMatch(condition)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("FT._LIST per primary did not reach the expected state within " + timeout + ": "
            + names);
      }
      sleep(25);
    }
    return names;
  }

  /**
   * Removes a cache created by a test: {@code FT.DROPINDEX <name>:idx} on one primary (the coordinator drops it
   * everywhere; a missing index is fine) and every key {@code <name>:*} on every primary. Returns the keys deleted.
   */
  public long dropCache(String cacheName) {
    try {
      call(primaries().get(0).getNodeId(), "FT.DROPINDEX", cacheName + ":idx");
    } catch (RedisCommandExecutionException e) {
      if (!String.valueOf(e.getMessage()).contains("not found")) {
        throw e;
      }
    }
    return deleteKeys(cacheName + ":*");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public synchronized void close() {
    if (resp2Connection != null) {
      resp2Connection.close();
      resp2Client.shutdown();
      resp2Connection = null;
    }
    super.close();
  }

  @Override
  public String toString() {
    return super.toString() + " with valkey-search " + ValkeySearchServer.formatVersion(moduleVersion)
        + " (coordinator)";
  }
}
