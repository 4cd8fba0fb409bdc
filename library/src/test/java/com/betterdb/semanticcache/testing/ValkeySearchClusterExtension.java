package com.betterdb.semanticcache.testing;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The valkey-search cluster tier; see {@link ValkeySearchClusterTest}. */
public class ValkeySearchClusterExtension extends ServerTierExtension<ValkeySearchCluster> {

  public static final String VALKEY_SEARCH_CLUSTER_URL = "VALKEY_SEARCH_CLUSTER_URL";
  /** The module argument that makes valkey-search spread indexes and fan searches out over a cluster. */
  static final String USE_COORDINATOR = "--use-coordinator";
  /** valkey-search's coordinator (gRPC) listens on the node's port plus this, on every interface. */
  static final int COORDINATOR_PORT_OFFSET = 20294;
  /** {@code INFO search} shows this field only when the coordinator runs. */
  static final String COORDINATOR_INFO_FIELD = "search_coordinator_server_listening_port";

  public ValkeySearchClusterExtension() {
    super(ValkeySearchCluster.class, "valkey-search cluster");
  }

  @Override
  protected TierResolution<ValkeySearchCluster> resolve() {
    return resolve(TierEnvironment.system());
  }

  /** The tier's rules over an explicit environment. */
  public static TierResolution<ValkeySearchCluster> resolve(TierEnvironment env) {
    String url = env.env(VALKEY_SEARCH_CLUSTER_URL);
    if (url != null) {
      ValkeyClusterExtension.Seed seed = ValkeyClusterExtension.seed(VALKEY_SEARCH_CLUSTER_URL, url);
      if (seed.problem() != null) {
        return TierResolution.failed(seed.problem(), seed.cause());
      }
      return checkEveryPrimary(new ValkeySearchCluster(List.of(seed.uri()), VALKEY_SEARCH_CLUSTER_URL + "=" + url,
          List.of()));
    }
    String launcher = env.env(ValkeySearchExtension.VALKEY_SEARCH_SERVER);
    if (launcher == null) {
      return TierResolution.skipped("valkey-search cluster tier skipped: set "
          + ValkeySearchExtension.VALKEY_SEARCH_SERVER + " (a launcher that starts valkey-server with the module and "
          + "passes VALKEY_SEARCH_MODULE_ARGS to it; three cluster nodes are started with " + USE_COORDINATOR
          + ") or " + VALKEY_SEARCH_CLUSTER_URL + " (a seed node of a cluster whose nodes load valkey-search with "
          + USE_COORDINATOR + ")");
    }
    String problem = ValkeySearchExtension.launcherProblem(launcher);
    if (problem != null) {
      return TierResolution.failed(problem, null);
    }
    Optional<Path> cli = env.which("valkey-cli");
    if (cli.isEmpty()) {
      return TierResolution.failed("valkey-search cluster tier: " + ValkeySearchExtension.VALKEY_SEARCH_SERVER
          + " is set but valkey-cli (needed for --cluster create) is not on PATH", null);
    }
    Path server = Path.of(launcher).toAbsolutePath();
    ValkeyClusterExtension.LocalCluster formed;
    try {
      formed = ValkeyClusterExtension.formLocal(server, cli.get(),
          clusterArgs -> ValkeySearchExtension.startLauncher(server, clusterArgs, USE_COORDINATOR,
              () -> LocalValkeyProcess.freeLoopbackPortWithCompanion(COORDINATOR_PORT_OFFSET)));
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return TierResolution.failed("valkey-search cluster tier: a " + ValkeyClusterExtension.PRIMARIES
          + "-primary cluster of " + server + " could not be formed: " + e.getMessage(), e);
    }
    return checkEveryPrimary(new ValkeySearchCluster(formed.seeds(), formed.description()
        + " with VALKEY_SEARCH_MODULE_ARGS=" + USE_COORDINATOR, formed.nodes()));
  }

  /** How long a newly formed cluster's coordinators may take to reach each other. */
  private static final Duration COORDINATORS_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Waits until the coordinators reach each other: right after the cluster forms, {@code FT.CREATE} fails with
   * "Unable to contact all cluster members" for a moment. A probe index is created until that stops, seen on every
   * primary, and dropped again.
   */
  static void awaitCoordinators(ValkeySearchCluster cluster) {
    long deadline = System.nanoTime() + 3 * COORDINATORS_TIMEOUT.toNanos();
    for (int attempt = 1; ; attempt++) {
      try {
        probeOnce(cluster, deadline);
        return;
      } catch (AssertionError e) {
        // A create that reported an unreachable member may leave the index on some primaries only, and it is not
        // repaired later: start over with a new probe name.
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the coordinators did not agree on a probe index in " + attempt
              + " attempts: " + e.getMessage(), e);
        }
      }
    }
  }

  private static void probeOnce(ValkeySearchCluster cluster, long deadline) {
    String probe = TestNames.unique("coordinator_probe") + ":idx";
    String node = cluster.primaries().get(0).getNodeId();
    while (true) {
      try {
        cluster.call(node, "FT.CREATE", probe, "ON", "HASH", "PREFIX", "1", probe + ":", "SCHEMA", "t", "TAG");
        break;
      } catch (RedisCommandExecutionException e) {
        if (String.valueOf(e.getMessage()).contains("already exists")) {
          break; // an earlier attempt created it although it reported that not every member was reachable
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the coordinators did not reach each other within "
              + COORDINATORS_TIMEOUT.multipliedBy(3) + ": FT.CREATE still answers " + e.getMessage(), e);
        }
        sleep(100);
      }
    }
    try {
      cluster.awaitIndexNames(l -> l.contains(probe), PROBE_TIMEOUT);
    } catch (AssertionError e) {
      try {
        cluster.call(node, "FT.DROPINDEX", probe);
      } catch (RuntimeException ignored) {
        // best effort: the next probe has another name
      }
      throw e;
    }
    cluster.call(node, "FT.DROPINDEX", probe);
    cluster.awaitIndexNames(l -> !l.contains(probe), COORDINATORS_TIMEOUT);
  }

  /** How long one probe index may take to show on every primary before a new one is tried. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the coordinators", e);
    }
  }

  /**
   * Keeps {@code cluster} when every primary has valkey-search 1.2.1+ in coordinator mode and the coordinators reach
   * each other; otherwise closes it and fails, saying which node lacks what (something was configured to be a search
   * cluster, so this is not a skip).
   */
  static TierResolution<ValkeySearchCluster> checkEveryPrimary(ValkeySearchCluster cluster) {
    try {
      long version = Long.MAX_VALUE;
      List<RedisClusterNode> primaries = cluster.primaries();
      for (RedisClusterNode n : primaries) {
        String id = n.getNodeId();
        long v = ValkeySearchExtension.searchModuleVersion((command, args) -> cluster.call(id, command, args));
        String where = n.getUri().getHost() + ":" + n.getUri().getPort();
        if (v == Long.MIN_VALUE || (v >= 0 && v < ValkeySearchServer.MIN_MODULE_VERSION)) {
          throw new IllegalStateException("node " + where + " has " + (v == Long.MIN_VALUE ? "no search module"
              : "valkey-search " + ValkeySearchServer.formatVersion(v)) + "; the tier needs >= 1.2.1");
        }
        String info = String.valueOf(cluster.call(id, "INFO", "search"));
        if (!info.contains(COORDINATOR_INFO_FIELD)) {
          throw new IllegalStateException("node " + where + " runs valkey-search without its coordinator (load the "
              + "module with " + USE_COORDINATOR + "): indexes would stay on the node that created them");
        }
        version = Math.min(version, v);
      }
      cluster.searchModuleVersion(version);
      awaitCoordinators(cluster);
      return TierResolution.available(cluster);
    } catch (RuntimeException | AssertionError e) {
      ValkeyExtension.closeQuietly(cluster);
      return TierResolution.failed("valkey-search cluster tier: " + cluster.description() + ": " + e.getMessage(), e);
    }
  }
}
