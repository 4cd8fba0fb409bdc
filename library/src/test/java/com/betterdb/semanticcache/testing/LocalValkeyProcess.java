package com.betterdb.semanticcache.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A throw-away {@code valkey-server} (or {@code redis-server}) child process: bound to 127.0.0.1 on a free port,
 * no persistence ({@code --save ''}, {@code --appendonly no}), working directory and log in a fresh temp
 * directory. {@link #close()} stops it and deletes the directory; a JVM shutdown hook does the same if the test
 * run is cut short.
 */
public final class LocalValkeyProcess implements AutoCloseable {

  private static final long START_TIMEOUT_MS = 15_000;
  private static final int PORT_ATTEMPTS = 5;

  private final Path binary;
  private final Process process;
  private final int port;
  private final Path dir;
  private final Thread shutdownHook;

  private LocalValkeyProcess(Path binary, Process process, int port, Path dir) {
    this.binary = binary;
    this.process = process;
    this.port = port;
    this.dir = dir;
    this.shutdownHook = new Thread(this::stopQuietly, "valkey-test-server-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts {@code binary} with the test settings plus {@code extraArgs} (e.g. {@code --loadmodule path}) and waits
   * until it answers {@code PING}.
   *
   * @throws IOException when it does not come up; the message carries the tail of its log
   */
  public static LocalValkeyProcess start(Path binary, List<String> extraArgs) throws IOException {
    return start(binary, extraArgs, env -> { }, LocalValkeyProcess::freeLoopbackPort);
  }

  /**
   * {@link #start(Path, List)} with a say over the child's environment and its port.
   *
   * @param environment edits the child's environment (a copy of this JVM's; {@code TMPDIR} is already the server's
   *     temp directory, so whatever a launcher script writes there goes with it)
   * @param ports where the port comes from; asked again when a start loses the race for a port
   */
  public static LocalValkeyProcess start(Path binary, List<String> extraArgs,
      Consumer<Map<String, String>> environment, PortSource ports) throws IOException {
    Path dir = Files.createTempDirectory("valkey-test-");
    IOException last = null;
    for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      int port = ports.next();
      Path logFile = dir.resolve("valkey-" + port + ".log");
      List<String> cmd = new ArrayList<>(List.of(binary.toString(),
          "--port", Integer.toString(port),
          "--bind", "127.0.0.1",
          "--save", "",
          "--appendonly", "no",
          "--daemonize", "no",
          "--dir", dir.toString()));
      cmd.addAll(extraArgs);
      ProcessBuilder pb = new ProcessBuilder(cmd)
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(logFile.toFile());
      pb.environment().put("TMPDIR", dir.toString());
      environment.accept(pb.environment());
      Process p = pb.start();
      try {
        waitUntilReady(p, port, logFile);
        return new LocalValkeyProcess(binary, p, port, dir);
      } catch (IOException e) {
        p.destroyForcibly();
        last = e;
        if (!readQuietly(logFile).contains("Address already in use")) {
          break; // a real start failure, not a lost race for the port
        }
      }
    }
    deleteRecursively(dir);
    throw last;
  }

  /** Where a server's port comes from. */
  @FunctionalInterface
  public interface PortSource {
    int next() throws IOException;
  }

  private static void waitUntilReady(Process p, int port, Path logFile) throws IOException {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      if (!p.isAlive()) {
        throw new IOException("server exited with status " + p.exitValue() + " during start; log:\n"
            + tail(readQuietly(logFile)));
      }
      if (pingOk(port)) {
        return;
      }
      sleep(50);
    }
    throw new IOException("server did not answer PING on 127.0.0.1:" + port + " within " + START_TIMEOUT_MS
        + " ms; log:\n" + tail(readQuietly(logFile)));
  }

  /** Sends an inline PING over a plain socket (no client library involved). */
  private static boolean pingOk(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[7];
      int n = in.readNBytes(buf, 0, buf.length);
      return new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  static int freeLoopbackPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /**
   * A port free on 127.0.0.1 whose companion {@code port + offset} is free on every interface and below 65536: for
   * servers that open a second listener at a fixed offset (valkey-search's cluster coordinator listens on
   * {@code port + 20294}, on all interfaces). Picked at random below the kernel's ephemeral range where possible.
   */
  static int freeLoopbackPortWithCompanion(int offset) throws IOException {
    int highest = 65535 - offset;
    int lowest = Math.min(10_000, highest - 1000);
    if (lowest < 1024) {
      throw new IllegalArgumentException("no port range leaves room for an offset of " + offset);
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < 200; i++) {
      int port = random.nextInt(lowest, highest + 1);
      if (isFree(InetAddress.getLoopbackAddress(), port) && isFree(null, port + offset)) {
        return port;
      }
    }
    throw new IOException("found no free port p in [" + lowest + ", " + highest + "] with p + " + offset + " free too");
  }

  /** Whether a listener can bind {@code port} on {@code address} ({@code null}: every interface) right now. */
  private static boolean isFree(InetAddress address, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(address == null ? new InetSocketAddress(port) : new InetSocketAddress(address, port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public int port() {
    return port;
  }

  public String host() {
    return "127.0.0.1";
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The temp directory holding the server's working files and log. */
  public Path directory() {
    return dir;
  }

  @Override
  public void close() {
    stopQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException ignored) {
      // already shutting down
    }
  }

  private void stopQuietly() {
    if (process.isAlive()) {
      process.destroy(); // SIGTERM: valkey exits promptly (nothing to save)
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    deleteRecursively(dir);
  }

  @Override
  public String toString() {
    return binary + " pid " + process.pid() + " on 127.0.0.1:" + port;
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static String tail(String log) {
    String[] lines = log.split("\n");
    int from = Math.max(0, lines.length - 20);
    return String.join("\n", List.of(lines).subList(from, lines.length));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the server", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: it is a temp directory
    }
  }
}
