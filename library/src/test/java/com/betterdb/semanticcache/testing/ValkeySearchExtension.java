package com.betterdb.semanticcache.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The valkey-search tier; see {@link ValkeySearchTest}. */
public class ValkeySearchExtension extends ServerTierExtension<ValkeySearchServer> {

  public static final String VALKEY_SEARCH_URL = "VALKEY_SEARCH_URL";
  public static final String VALKEY_SEARCH_MODULE = "VALKEY_SEARCH_MODULE";
  /**
   * A self-contained launcher: an executable that takes {@code valkey-server} arguments and starts Valkey with the
   * search module loaded (module arguments from {@value #MODULE_ARGS}), such as the test server's
   * {@code valkey-search-server} script.
   */
  public static final String VALKEY_SEARCH_SERVER = "VALKEY_SEARCH_SERVER";
  /** The launcher's variable for module arguments (e.g. {@code --use-coordinator} in cluster mode). */
  static final String MODULE_ARGS = "VALKEY_SEARCH_MODULE_ARGS";
  /** The image of the Docker fallback (and of docker-compose.yml): Valkey 9 with valkey-search 1.2.1+. */
  public static final String BUNDLE_IMAGE = "valkey/valkey-bundle:9.1";

  public ValkeySearchExtension() {
    super(ValkeySearchServer.class, "valkey-search");
  }

  @Override
  protected TierResolution<ValkeySearchServer> resolve() {
    return resolve(TierEnvironment.system());
  }

  /** The tier's rules over an explicit environment. */
  public static TierResolution<ValkeySearchServer> resolve(TierEnvironment env) {
    TierResolution<ValkeyServer> base;
    String url = env.env(VALKEY_SEARCH_URL);
    String launcher = env.env(VALKEY_SEARCH_SERVER);
    String module = env.env(VALKEY_SEARCH_MODULE);
    if (url != null) {
      base = ValkeyExtension.fromUrl(url, VALKEY_SEARCH_URL);
    } else if (launcher != null) {
      String notExecutable = launcherProblem(launcher);
      if (notExecutable != null) {
        return TierResolution.failed(notExecutable, null);
      }
      base = startLauncher(Path.of(launcher).toAbsolutePath());
    } else if (module != null) {
      Path modulePath = Path.of(module).toAbsolutePath();
      if (!Files.isRegularFile(modulePath)) {
        return TierResolution.failed(VALKEY_SEARCH_MODULE + "=" + module + " is set but is not a file", null);
      }
      Optional<Path> binary = env.which("valkey-server");
      if (binary.isEmpty()) {
        return TierResolution.failed(VALKEY_SEARCH_MODULE + " is set but valkey-server is not on PATH", null);
      }
      base = ValkeyExtension.startLocal(binary.get(), List.of("--loadmodule", modulePath.toString()),
          "valkey-search");
    } else if (env.dockerAvailable()) {
      base = ValkeyExtension.startContainer(BUNDLE_IMAGE);
    } else {
      return TierResolution.skipped("valkey-search tier skipped: set " + VALKEY_SEARCH_SERVER
          + " (a launcher that starts valkey-server with the module, e.g. the valkey-search-server script of a "
          + "self-contained test server), " + VALKEY_SEARCH_URL
          + " (a Valkey 9 server with valkey-search >= 1.2.1, e.g. redis://127.0.0.1:6379 after "
          + "`docker compose up -d`) or " + VALKEY_SEARCH_MODULE + " (path of the valkey-search module, loaded "
          + "into valkey-server from PATH), or run Docker");
    }
    if (!base.isAvailable()) {
      return base.withoutHandle();
    }
    TierResolution<ValkeySearchServer> checked = checkSearchModule(base.handle());
    if (url == null && launcher != null && checked.isSkipped()) {
      // We started it to get the module: a launcher that does not load it is broken, not absent.
      return TierResolution.failed(VALKEY_SEARCH_SERVER + "=" + launcher + ": " + checked.skipReason(), null);
    }
    return checked;
  }

  /** Why {@code value} of {@value #VALKEY_SEARCH_SERVER} cannot be a launcher, or {@code null} when it can. */
  static String launcherProblem(String value) {
    Path path = Path.of(value).toAbsolutePath();
    if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
      return VALKEY_SEARCH_SERVER + "=" + value + " is set but is not an executable file";
    }
    return null;
  }

  private static TierResolution<ValkeyServer> startLauncher(Path launcher) {
    try {
      LocalValkeyProcess p = startLauncher(launcher, List.of(), null, LocalValkeyProcess::freeLoopbackPort);
      return TierResolution.available(new ValkeyServer(p.host(), p.port(), p.toString(), p));
    } catch (Exception e) {
      return TierResolution.failed("valkey-search tier: " + VALKEY_SEARCH_SERVER + "=" + launcher
          + " did not start: " + e.getMessage(), e);
    }
  }

  /**
   * Starts the launcher like the Valkey tier's server (free loopback port, no persistence, temp dir), with
   * {@code moduleArgs} as {@value #MODULE_ARGS}, or without that variable when {@code null} (so a value exported for
   * a cluster does not leak into a standalone server).
   */
  static LocalValkeyProcess startLauncher(Path launcher, List<String> extraArgs, String moduleArgs,
      LocalValkeyProcess.PortSource ports) throws IOException {
    return LocalValkeyProcess.start(launcher, extraArgs, env -> {
      if (moduleArgs == null) {
        env.remove(MODULE_ARGS);
      } else {
        env.put(MODULE_ARGS, moduleArgs);
      }
    }, ports);
  }

  /** Keeps {@code server} when it has valkey-search 1.2.1+, otherwise closes it and skips, saying why. */
  static TierResolution<ValkeySearchServer> checkSearchModule(ValkeyServer server) {
    long version;
    try {
      version = searchModuleVersion(server);
    } catch (RuntimeException e) {
      ValkeyExtension.closeQuietly(server);
      return TierResolution.failed("valkey-search tier: could not query modules of " + server + ": " + e, e);
    }
    String where = server.toString();
    if (version == Long.MIN_VALUE) {
      ValkeyExtension.closeQuietly(server);
      return TierResolution.skipped("valkey-search tier skipped: the server at " + where
          + " has no search module (MODULE LIST and FT._LIST). Set " + VALKEY_SEARCH_URL
          + " to a Valkey 9 server with valkey-search >= 1.2.1, " + VALKEY_SEARCH_SERVER + " to a launcher, or "
          + VALKEY_SEARCH_MODULE + " to the module file");
    }
    if (version >= 0 && version < ValkeySearchServer.MIN_MODULE_VERSION) {
      ValkeyExtension.closeQuietly(server);
      return TierResolution.skipped("valkey-search tier skipped: the server at " + where + " has valkey-search "
          + ValkeySearchServer.formatVersion(version) + "; these tests need >= 1.2.1 (set " + VALKEY_SEARCH_URL
          + " or " + VALKEY_SEARCH_MODULE + ")");
    }
    return TierResolution.available(new ValkeySearchServer(server, version));
  }

  /**
   * The {@code ver} of the {@code search} module from MODULE LIST; -1 when MODULE LIST is not allowed but
   * {@code FT._LIST} works; {@link Long#MIN_VALUE} when the server has no search module.
   */
  static long searchModuleVersion(ValkeyServer server) {
    return searchModuleVersion(server::call);
  }

  /** Sends one command to one server and returns its reply as {@link ValkeyServer#call} does. */
  @FunctionalInterface
  interface Caller {
    List<Object> call(String command, String... args);
  }

  /** {@link #searchModuleVersion(ValkeyServer)} over any way of reaching one server. */
  static long searchModuleVersion(Caller server) {
    List<Object> modules;
    try {
      modules = server.call("MODULE", "LIST");
    } catch (RuntimeException e) { // MODULE LIST may be disabled on managed servers
      return hasFtList(server) ? -1 : Long.MIN_VALUE;
    }
    for (Object m : modules) {
      if (!(m instanceof List<?> fields)) {
        continue;
      }
      String name = null;
      long ver = -1;
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        String key = String.valueOf(fields.get(i));
        Object value = fields.get(i + 1);
        if (key.equalsIgnoreCase("name")) {
          name = String.valueOf(value);
        } else if (key.equalsIgnoreCase("ver")) {
          ver = Long.parseLong(String.valueOf(value));
        }
      }
      if ("search".equalsIgnoreCase(name)) {
        return ver;
      }
    }
    return hasFtList(server) ? -1 : Long.MIN_VALUE;
  }

  private static boolean hasFtList(Caller server) {
    try {
      server.call("FT._LIST");
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
