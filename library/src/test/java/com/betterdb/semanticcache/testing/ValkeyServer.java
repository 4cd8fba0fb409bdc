package com.betterdb.semanticcache.testing;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Valkey server for tests, injected by {@link ValkeyExtension} ({@code @ValkeyTest}) into constructors, lifecycle
 * methods and test methods.
 *
 * <p><b>The server may be shared</b> (one per JVM, or your own server named by {@code VALKEY_URL}) and may hold
 * other data: never {@code FLUSHALL}/{@code FLUSHDB}; give everything you write a unique name
 * ({@link #uniqueCacheName(String)}, {@link #uniqueKey(String)}) and delete it when done
 * ({@link #deleteKeys(String)}).
 */
public class ValkeyServer implements AutoCloseable {

  private final RedisURI uri;
  private final String description;
  private final AutoCloseable owner;
  private ClientResources resources;
  private RedisClient sharedClient;
  private StatefulRedisConnection<String, String> sharedConnection;
  private RedisClient resp2Client;
  private StatefulRedisConnection<String, String> resp2Connection;

  /**
   * @param owner what to close with the handle (the child process, the container), or {@code null} for a server
   *     this test run does not own
   */
  public ValkeyServer(RedisURI uri, String description, AutoCloseable owner) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.description = Objects.requireNonNull(description, "description");
    this.owner = owner;
  }

  public ValkeyServer(String host, int port, String description, AutoCloseable owner) {
    this(RedisURI.create(host, port), description, owner);
  }

  /** Copies the connection facts of {@code other}; the new handle owns nothing (for subclasses wrapping a handle). */
  protected ValkeyServer(ValkeyServer other) {
    this(other.uri, other.description, other);
  }

  /** A fresh copy of the server's URI (callers may modify it). */
  public RedisURI uri() {
    return RedisURI.builder(uri).build();
  }

  public String host() {
    return uri.getHost();
  }

  public int port() {
    return uri.getPort();
  }

  /** {@code redis://host:port} (plus database when not 0), without credentials. */
  public String url() {
    return "redis://" + host() + ":" + port() + (uri.getDatabase() != 0 ? "/" + uri.getDatabase() : "");
  }

  /** Where the server came from, e.g. {@code VALKEY_URL} or the started process. */
  public String description() {
    return description;
  }

  /**
   * A new Lettuce client for this server, sharing the handle's event loops. The caller must
   * {@link RedisClient#shutdown() shut it down} (the shared resources stay up until the handle closes).
   */
  public synchronized RedisClient newClient() {
    return RedisClient.create(resources(), uri());
  }

  /** A new client with one byte-array connection (what the cache's stores use); close it when done. */
  public BinaryConnection openBinary() {
    RedisClient client = newClient();
    return new BinaryConnection(client, client.connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE));
  }

  /** A client and its byte-array connection; {@link #close()} closes both. */
  public record BinaryConnection(RedisClient client,
      io.lettuce.core.api.StatefulRedisConnection<byte[], byte[]> connection) implements AutoCloseable {

    public io.lettuce.core.api.sync.RedisCommands<byte[], byte[]> sync() {
      return connection.sync();
    }

    @Override
    public void close() {
      connection.close();
      client.shutdown();
    }
  }

  /** A shared synchronous connection (default protocol), owned and closed by the handle; do not close it. */
  public synchronized RedisCommands<String, String> commands() {
    if (sharedConnection == null) {
      sharedClient = newClient();
      sharedConnection = sharedClient.connect();
    }
    return sharedConnection.sync();
  }

  /**
   * Sends any command (e.g. {@code FT._LIST}, {@code MODULE LIST}) on a shared RESP2 connection and returns the
   * reply as a list: elements of an array reply, or the single element of a scalar reply. Nested arrays become
   * nested lists, bulk strings strings, integers longs. An error reply throws
   * {@link io.lettuce.core.RedisCommandExecutionException} with the server's message.
   */
  public synchronized List<Object> call(String command, String... args) {
    if (resp2Connection == null) {
      resp2Client = newClient();
      resp2Client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
      resp2Connection = resp2Client.connect();
    }
    CommandArgs<String, String> a = new CommandArgs<>(StringCodec.UTF8);
    for (String arg : args) {
      a.add(arg);
    }
    return resp2Connection.sync().dispatch(keyword(command), new NestedMultiOutput<>(StringCodec.UTF8), a);
  }

  /** {@code prefix_<random>}: a cache name no other test (or other run against a shared server) uses. */
  public String uniqueCacheName(String prefix) {
    return TestNames.unique(prefix);
  }

  /** {@code prefix:<random>}: a key name no other test uses. */
  public String uniqueKey(String prefix) {
    return TestNames.unique(prefix, ':');
  }

  /**
   * Deletes every key matching the glob {@code pattern} (SCAN + DEL, so never the whole database); returns how
   * many were deleted. Use it to clean up after a test, e.g. {@code deleteKeys(cacheName + ":*")}.
   */
  public long deleteKeys(String pattern) {
    if (pattern == null || pattern.isBlank() || pattern.equals("*")) {
      throw new IllegalArgumentException("refusing to delete every key of a possibly shared server: " + pattern);
    }
    RedisCommands<String, String> redis = commands();
    long deleted = 0;
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(500));
      if (!page.getKeys().isEmpty()) {
        deleted += redis.del(page.getKeys().toArray(String[]::new));
      }
      cursor = page;
    } while (!cursor.isFinished());
    return deleted;
  }

  private synchronized ClientResources resources() {
    if (resources == null) {
      resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
    }
    return resources;
  }

  static ProtocolKeyword keyword(String command) {
    byte[] bytes = command.getBytes(StandardCharsets.US_ASCII);
    return new ProtocolKeyword() {
      @Override
      public byte[] getBytes() {
        return bytes;
      }

      @Override
      public String toString() {
        return command;
      }
    };
  }

  @Override
  public synchronized void close() {
    try {
      if (sharedConnection != null) {
        sharedConnection.close();
      }
      if (sharedClient != null) {
        sharedClient.shutdown();
      }
      if (resp2Connection != null) {
        resp2Connection.close();
      }
      if (resp2Client != null) {
        resp2Client.shutdown();
      }
      if (resources != null) {
        resources.shutdown(0, 1, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not shut down the Lettuce resources: " + e, e);
    } finally {
      sharedConnection = null;
      sharedClient = null;
      resp2Connection = null;
      resp2Client = null;
      resources = null;
      if (owner != null) {
        TierResolution.closeUnchecked(owner);
      }
    }
  }

  @Override
  public String toString() {
    return url() + " (" + description + ")";
  }
}
