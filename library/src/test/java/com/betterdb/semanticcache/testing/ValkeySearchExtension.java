package com.betterdb.semanticcache.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The valkey-search tier; see {@link ValkeySearchTest}. */
public class ValkeySearchExtension extends ServerTierExtension<ValkeySearchServer> {

  public static final String VALKEY_SEARCH_URL = "VALKEY_SEARCH_URL";
  public static final String VALKEY_SEARCH_MODULE = "VALKEY_SEARCH_MODULE";
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
    String module = env.env(VALKEY_SEARCH_MODULE);
    if (url != null) {
      base = ValkeyExtension.fromUrl(url, VALKEY_SEARCH_URL);
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
      return TierResolution.skipped("valkey-search tier skipped: set " + VALKEY_SEARCH_URL
          + " (a Valkey 9 server with valkey-search >= 1.2.1, e.g. redis://127.0.0.1:6379 after "
          + "`docker compose up -d`) or " + VALKEY_SEARCH_MODULE + " (path of the valkey-search module, loaded "
          + "into valkey-server from PATH), or run Docker");
    }
    if (!base.isAvailable()) {
      return base.withoutHandle();
    }
    return checkSearchModule(base.handle());
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
          + " to a Valkey 9 server with valkey-search >= 1.2.1, or " + VALKEY_SEARCH_MODULE + " to the module file");
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

  private static boolean hasFtList(ValkeyServer server) {
    try {
      server.call("FT._LIST");
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
