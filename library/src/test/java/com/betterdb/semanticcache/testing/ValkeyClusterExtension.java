package com.betterdb.semanticcache.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The Valkey Cluster tier; see {@link ValkeyClusterTest}. */
public class ValkeyClusterExtension extends ServerTierExtension<ValkeyCluster> {

  public static final String VALKEY_CLUSTER_URL = "VALKEY_CLUSTER_URL";
  static final int PRIMARIES = 3;
  private static final long CREATE_TIMEOUT_MS = 20_000;
  private static final long STATE_OK_TIMEOUT_MS = 15_000;

  public ValkeyClusterExtension() {
    super(ValkeyCluster.class, "Valkey Cluster");
  }

  @Override
  protected TierResolution<ValkeyCluster> resolve() {
    return resolve(TierEnvironment.system());
  }

  /** The tier's rules over an explicit environment. */
  public static TierResolution<ValkeyCluster> resolve(TierEnvironment env) {
    String url = env.env(VALKEY_CLUSTER_URL);
    if (url != null) {
      return fromUrl(url);
    }
    Optional<Path> server = env.which("valkey-server");
    Optional<Path> cli = env.which("valkey-cli");
    if (server.isEmpty()) {
      server = env.which("redis-server");
      cli = env.which("redis-cli");
    }
    if (server.isEmpty()) {
      return TierResolution.skipped("Valkey Cluster tier skipped: set " + VALKEY_CLUSTER_URL
          + " (a seed node of a cluster, e.g. redis://127.0.0.1:7000) or put valkey-server and valkey-cli on PATH "
          + "(apt-get install -t bookworm-backports valkey-server)");
    }
    if (cli.isEmpty()) {
      return TierResolution.failed("Valkey Cluster tier: " + server.get() + " is on PATH but valkey-cli (needed for "
          + "--cluster create) is not; put it on PATH or set " + VALKEY_CLUSTER_URL, null);
    }
    return startLocal(server.get(), cli.get());
  }

  /** A handle on the cluster seeded by {@code url}; every node must report {@code cluster_state:ok}. */
  static TierResolution<ValkeyCluster> fromUrl(String url) {
    Seed seed = seed(VALKEY_CLUSTER_URL, url);
    if (seed.problem() != null) {
      return TierResolution.failed(seed.problem(), seed.cause());
    }
    return TierResolution.available(new ValkeyCluster(List.of(seed.uri()), VALKEY_CLUSTER_URL + "=" + url, List.of()));
  }

  /** A seed node named by {@code variable=url}, or why it cannot be used (not a URI, state not {@code ok}). */
  record Seed(RedisURI uri, String problem, Throwable cause) {
  }

  static Seed seed(String variable, String url) {
    RedisURI uri;
    try {
      uri = RedisURI.create(url);
    } catch (RuntimeException e) {
      return new Seed(null, variable + "=" + url + " is not a valid Redis URI: " + e.getMessage(), e);
    }
    RedisClient client = RedisClient.create();
    String state;
    try {
      state = clusterState(client, uri);
    } finally {
      client.shutdown(0, 2, TimeUnit.SECONDS);
    }
    if (!"ok".equals(state)) {
      return new Seed(null, variable + "=" + url + " is set but the node's cluster_state is " + state, null);
    }
    return new Seed(uri, null, null);
  }

  /** Starts {@value #PRIMARIES} cluster-enabled nodes, joins them, waits for {@code cluster_state:ok} everywhere. */
  static TierResolution<ValkeyCluster> startLocal(Path server, Path cli) {
    try {
      LocalCluster c = formLocal(server, cli,
          clusterArgs -> LocalValkeyProcess.start(server, clusterArgs));
      return TierResolution.available(new ValkeyCluster(c.seeds(), c.description(), c.nodes()));
    } catch (Exception e) {
      return TierResolution.failed("Valkey Cluster tier: " + server + " is on PATH but a " + PRIMARIES
          + "-primary cluster could not be formed: " + e.getMessage(), e);
    }
  }

  /** Starts one node with the given cluster arguments added to its command line. */
  @FunctionalInterface
  interface NodeStarter {
    LocalValkeyProcess start(List<String> clusterArgs) throws IOException;
  }

  /** The nodes of a cluster this run formed, their URIs, and a description for the logs. */
  record LocalCluster(List<RedisURI> seeds, List<LocalValkeyProcess> nodes, String description) {
  }

  /**
   * Starts {@value #PRIMARIES} nodes with {@code starter}, joins them with {@code valkey-cli --cluster create} and
   * waits until every node reports {@code cluster_state:ok}. Stops what it started when anything fails.
   */
  static LocalCluster formLocal(Path server, Path cli, NodeStarter starter) throws IOException, InterruptedException {
    long started = System.currentTimeMillis();
    List<LocalValkeyProcess> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < PRIMARIES; i++) {
        // Each process has its own temp dir (--dir), so the node config file name cannot clash.
        // An explicit bus port: the default (port + 10000) is invalid for ports above 55535, which the kernel
        // hands out as free ports, and may be taken.
        nodes.add(starter.start(List.of("--cluster-enabled", "yes",
            "--cluster-port", Integer.toString(LocalValkeyProcess.freeLoopbackPort()),
            "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000")));
      }
      List<String> cmd = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
      for (LocalValkeyProcess n : nodes) {
        cmd.add(n.host() + ":" + n.port());
      }
      cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      runCreate(cmd, nodes.get(0).directory());
      List<RedisURI> uris = new ArrayList<>();
      for (LocalValkeyProcess n : nodes) {
        uris.add(RedisURI.create(n.host(), n.port()));
      }
      waitForStateOk(uris);
      String description = PRIMARIES + "-primary cluster from " + server + " on ports "
          + nodes.stream().map(n -> Integer.toString(n.port())).toList() + " (formed in "
          + (System.currentTimeMillis() - started) + " ms)";
      return new LocalCluster(uris, List.copyOf(nodes), description);
    } catch (IOException | InterruptedException | RuntimeException e) {
      nodes.forEach(LocalValkeyProcess::close);
      throw e;
    }
  }

  private static void runCreate(List<String> cmd, Path dir) throws IOException, InterruptedException {
    Path log = dir.resolve("cluster-create.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(CREATE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " did not finish within " + CREATE_TIMEOUT_MS + " ms; output:\n"
          + Files.readString(log, StandardCharsets.UTF_8));
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    if (p.exitValue() != 0 || !out.contains("All 16384 slots covered")) {
      throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + "; output:\n" + out);
    }
  }

  private static void waitForStateOk(List<RedisURI> uris) throws IOException {
    long deadline = System.currentTimeMillis() + STATE_OK_TIMEOUT_MS;
    List<String> states = List.of();
    RedisClient client = RedisClient.create();
    try {
      while (System.currentTimeMillis() < deadline) {
        states = uris.stream().map(u -> clusterState(client, u)).toList();
        if (states.stream().allMatch("ok"::equals)) {
          return;
        }
        sleep(50);
      }
    } finally {
      client.shutdown(0, 2, TimeUnit.SECONDS);
    }
    throw new IOException("cluster_state did not become ok on every node within " + STATE_OK_TIMEOUT_MS
        + " ms; last states " + uris + " = " + states);
  }

  /** The node's {@code cluster_state} from {@code CLUSTER INFO}, or a description of why it could not be read. */
  static String clusterState(RedisClient client, RedisURI uri) {
    try (StatefulRedisConnection<String, String> c = client.connect(uri)) {
      c.setTimeout(java.time.Duration.ofSeconds(2));
      for (String line : c.sync().clusterInfo().split("\r?\n")) {
        if (line.startsWith("cluster_state:")) {
          return line.substring("cluster_state:".length()).trim();
        }
      }
      return "(no cluster_state in CLUSTER INFO)";
    } catch (RuntimeException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the cluster", e);
    }
  }
}
