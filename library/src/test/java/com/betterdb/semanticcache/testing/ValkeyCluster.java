package com.betterdb.semanticcache.testing;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Valkey cluster for tests, injected by {@link ValkeyClusterExtension} ({@code @ValkeyClusterTest}).
 *
 * <p><b>The cluster may be shared</b> (one per JVM, or yours named by {@code VALKEY_CLUSTER_URL}) and may hold other
 * data: never {@code FLUSHALL}; use {@link #uniqueCacheName(String)} and delete what you wrote.
 */
public class ValkeyCluster implements AutoCloseable {

  private final List<RedisURI> seeds;
  private final String description;
  private final List<? extends AutoCloseable> owned;
  private RedisClusterClient sharedClient;
  private StatefulRedisClusterConnection<String, String> sharedConnection;

  /**
   * @param seeds at least one node of the cluster
   * @param owned what to close with the handle (the node processes this run started); empty for a cluster this run
   *     does not own
   */
  public ValkeyCluster(List<RedisURI> seeds, String description, List<? extends AutoCloseable> owned) {
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("no seed nodes");
    }
    this.seeds = List.copyOf(seeds);
    this.description = Objects.requireNonNull(description, "description");
    this.owned = List.copyOf(owned);
  }

  /** Fresh copies of the seed URIs (every node this run started, or the one of {@code VALKEY_CLUSTER_URL}). */
  public List<RedisURI> seeds() {
    List<RedisURI> out = new ArrayList<>();
    seeds.forEach(u -> out.add(RedisURI.builder(u).build()));
    return out;
  }

  /** A new cluster client over {@link #seeds()}; the caller shuts it down. */
  public RedisClusterClient newClient() {
    return RedisClusterClient.create(seeds());
  }

  /** A shared String-codec cluster connection for inspecting and seeding (do not close it). */
  public synchronized StatefulRedisClusterConnection<String, String> connection() {
    if (sharedConnection == null) {
      sharedClient = newClient();
      sharedConnection = sharedClient.connect();
    }
    return sharedConnection;
  }

  /** The primaries of the cluster as the shared connection sees them, in partition-table order. */
  public List<RedisClusterNode> primaries() {
    return connection().getPartitions().stream().filter(n -> n.getRole().isUpstream()).toList();
  }

  /** Commands on one node only (no redirection), by node id. */
  public RedisCommands<String, String> node(String nodeId) {
    return connection().getConnection(nodeId).sync();
  }

  /** The node id of the primary serving {@code key}'s slot. */
  public String primaryOf(String key) {
    return connection().getPartitions().getPartitionBySlot(SlotHash.getSlot(key)).getNodeId();
  }

  /** Every key matching {@code pattern}, per primary (node id → keys), found with SCAN on each primary. */
  public Map<String, List<String>> keysByPrimary(String pattern) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (RedisClusterNode n : primaries()) {
      RedisCommands<String, String> node = node(n.getNodeId());
      List<String> keys = new ArrayList<>();
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page = node.scan(cursor, ScanArgs.Builder.matches(pattern).limit(500));
        keys.addAll(page.getKeys());
        cursor = page;
      } while (!cursor.isFinished());
      out.put(n.getNodeId(), keys);
    }
    return out;
  }

  /** Deletes every key matching {@code pattern} on every primary, one DEL per key. Returns how many. */
  public long deleteKeys(String pattern) {
    long n = 0;
    for (Map.Entry<String, List<String>> e : keysByPrimary(pattern).entrySet()) {
      for (String k : e.getValue()) {
        n += node(e.getKey()).del(k);
      }
    }
    return n;
  }

  public String uniqueCacheName(String prefix) {
    return TestNames.unique(prefix);
  }

  /** Whether this run started the nodes (a {@value ValkeyClusterExtension#PRIMARIES}-primary local cluster). */
  public boolean startedHere() {
    return !owned.isEmpty();
  }

  public String description() {
    return description;
  }

  /** Stops the nodes this run started (nothing for an external cluster). Subclasses close their own clients first. */
  @Override
  public synchronized void close() {
    RuntimeException first = null;
    if (sharedConnection != null) {
      sharedConnection.close();
      sharedClient.shutdown();
      sharedConnection = null;
    }
    for (AutoCloseable c : owned) {
      try {
        TierResolution.closeUnchecked(c);
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
