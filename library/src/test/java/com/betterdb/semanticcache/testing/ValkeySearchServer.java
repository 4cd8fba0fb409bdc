package com.betterdb.semanticcache.testing;

import io.lettuce.core.RedisCommandExecutionException;
import java.util.List;

/**
 * A Valkey server with the valkey-search module, injected by {@link ValkeySearchExtension}
 * ({@code @ValkeySearchTest}).
 *
 * <p><b>The server may be shared and hold other data</b> (your {@code VALKEY_SEARCH_URL} server, or one server per
 * JVM): never flush it. Give each test its own cache name ({@link #uniqueCacheName(String)}) and remove what the
 * test created with {@link #dropCache(String)} (in a {@code finally} block or {@code @AfterEach}).
 */
public class ValkeySearchServer extends ValkeyServer {

  /** valkey-search 1.2.1 as MODULE LIST reports it: major &lt;&lt; 16 | minor &lt;&lt; 8 | patch. */
  public static final long MIN_MODULE_VERSION = 0x010201;

  private final long moduleVersion;

  /** Wraps {@code server} (closing this handle closes it). {@code moduleVersion} is -1 when unknown. */
  public ValkeySearchServer(ValkeyServer server, long moduleVersion) {
    super(server);
    this.moduleVersion = moduleVersion;
  }

  /** The {@code ver} of the {@code search} module from MODULE LIST (66049 = 1.2.1), or -1 when unknown. */
  public long searchModuleVersion() {
    return moduleVersion;
  }

  /** e.g. {@code 1.2.1}, or {@code unknown}. */
  public String searchModuleVersionString() {
    return formatVersion(moduleVersion);
  }

  static String formatVersion(long ver) {
    if (ver < 0) {
      return "unknown";
    }
    return (ver >> 16) + "." + ((ver >> 8) & 0xFF) + "." + (ver & 0xFF);
  }

  /** The names of the server's indexes ({@code FT._LIST}). */
  public List<String> indexNames() {
    return call("FT._LIST").stream().map(String::valueOf).toList();
  }

  /**
   * Removes a cache created by a test: {@code FT.DROPINDEX <name>:idx} (a missing index is fine) and every key
   * {@code <name>:*}. Returns the number of keys deleted.
   */
  public long dropCache(String cacheName) {
    try {
      call("FT.DROPINDEX", cacheName + ":idx");
    } catch (RedisCommandExecutionException e) {
      if (!String.valueOf(e.getMessage()).contains("not found")) {
        throw e;
      }
    }
    return deleteKeys(cacheName + ":*");
  }

  @Override
  public String toString() {
    return super.toString() + " with valkey-search " + searchModuleVersionString();
  }
}
