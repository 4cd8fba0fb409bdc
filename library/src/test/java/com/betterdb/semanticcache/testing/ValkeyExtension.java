package com.betterdb.semanticcache.testing;

import io.lettuce.core.RedisURI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The Valkey tier; see {@link ValkeyTest}. */
public class ValkeyExtension extends ServerTierExtension<ValkeyServer> {

  public static final String VALKEY_URL = "VALKEY_URL";
  /** The image of the Docker fallback. */
  public static final String VALKEY_IMAGE = "valkey/valkey:8.1";

  public ValkeyExtension() {
    super(ValkeyServer.class, "Valkey");
  }

  @Override
  protected TierResolution<ValkeyServer> resolve() {
    return resolve(TierEnvironment.system());
  }

  /** The tier's rules over an explicit environment (unit-tested with fakes). */
  public static TierResolution<ValkeyServer> resolve(TierEnvironment env) {
    String url = env.env(VALKEY_URL);
    if (url != null) {
      return fromUrl(url, VALKEY_URL);
    }
    Optional<Path> binary = env.which("valkey-server").or(() -> env.which("redis-server"));
    if (binary.isPresent()) {
      return startLocal(binary.get(), List.of(), "Valkey");
    }
    if (env.dockerAvailable()) {
      return startContainer(VALKEY_IMAGE);
    }
    return TierResolution.skipped("Valkey tier skipped: set " + VALKEY_URL + " (e.g. redis://127.0.0.1:6379) or put "
        + "valkey-server on PATH (apt-get install -t bookworm-backports valkey-server), or run Docker");
  }

  /** A handle on the server at {@code url}, checked with PING; a bad URL or dead server is a failure, not a skip. */
  static TierResolution<ValkeyServer> fromUrl(String url, String variable) {
    RedisURI uri;
    try {
      uri = RedisURI.create(url);
    } catch (RuntimeException e) {
      return TierResolution.failed(variable + "=" + url + " is not a valid Redis URI: " + e.getMessage(), e);
    }
    ValkeyServer server = new ValkeyServer(uri, variable + "=" + url, null);
    try {
      String pong = server.commands().ping();
      if (!"PONG".equals(pong)) {
        throw new IllegalStateException("PING answered " + pong);
      }
      return TierResolution.available(server);
    } catch (RuntimeException e) {
      closeQuietly(server);
      return TierResolution.failed(variable + "=" + url + " is set but the server does not answer PING: " + e, e);
    }
  }

  static TierResolution<ValkeyServer> startLocal(Path binary, List<String> extraArgs, String tier) {
    try {
      LocalValkeyProcess p = LocalValkeyProcess.start(binary, extraArgs);
      return TierResolution.available(new ValkeyServer(p.host(), p.port(), p.toString(), p));
    } catch (Exception e) {
      return TierResolution.failed(tier + " tier: " + binary + " " + String.join(" ", extraArgs)
          + " is on PATH but did not start: " + e.getMessage(), e);
    }
  }

  static TierResolution<ValkeyServer> startContainer(String image) {
    try {
      return TierResolution.available(DockerSupport.startValkeyContainer(image, "container"));
    } catch (Exception | LinkageError e) {
      return TierResolution.failed("Docker is available but " + image + " did not start: " + e, e);
    }
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // nothing useful to do
    }
  }
}
