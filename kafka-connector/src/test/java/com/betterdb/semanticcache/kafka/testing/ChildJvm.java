package com.betterdb.semanticcache.kafka.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A JVM started on the test classpath ({@link ProcessBuilder}), for fault tests that need what no in-process test
 * can do: a {@code kill -9} (nothing runs after it, not even a shutdown hook) or a {@code SIGSTOP} that freezes every
 * thread of a process, heartbeat threads included. Its stdout and stderr are kept as lines (and echoed with a prefix,
 * except lines starting with {@code STATS} or {@code OUTCOME}).
 */
public final class ChildJvm implements AutoCloseable {

  private final String name;
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private ChildJvm(String name, Process process) {
    this.name = name;
    this.process = process;
    this.reader = new Thread(this::readOutput, "child-" + name + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code java -cp <this classpath> main args...} with a small heap and quick start-up flags. */
  public static ChildJvm start(String name, Class<?> main, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(args);
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      return new ChildJvm(name, p);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start child JVM " + name, e);
    }
  }

  private void readOutput() {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
        if (!line.startsWith("STATS") && !line.startsWith("OUTCOME")) {
          System.out.println("[" + name + "] " + line);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Every line printed so far. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** How many lines printed so far match. */
  public int count(Predicate<String> p) {
    return (int) lines.stream().filter(p).count();
  }

  /** Waits until {@code count(p) >= n}; fails with the child's last lines when it does not happen in time. */
  public void awaitLines(Predicate<String> p, int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count(p) < n) {
      if (System.nanoTime() - deadline > 0 || !process.isAlive()) {
        List<String> all = lines();
        throw new AssertionError("child " + name + (process.isAlive() ? "" : " (exited)") + " did not print "
            + n + " matching lines within " + timeout + "; last lines: "
            + all.subList(Math.max(0, all.size() - 20), all.size()));
      }
      sleep(20);
    }
  }

  /** The last line starting with {@code prefix}, or null. */
  public String lastLine(String prefix) {
    List<String> all = lines();
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).startsWith(prefix)) {
        return all.get(i);
      }
    }
    return null;
  }

  /** {@code kill -9}: the JVM ends at once, without shutdown hooks. */
  public void kill9() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(10));
  }

  /** {@code SIGSTOP}: every thread of the child stops until {@link #resume()}. */
  public void suspend() {
    signal("STOP");
  }

  /** {@code SIGCONT}. */
  public void resume() {
    signal("CONT");
  }

  /**
   * {@code SIGTERM} (shutdown hooks run), then waits; returns the exit code. Sent with {@code kill}:
   * {@link Process#destroy()} would also close the child's output, losing what its hooks print.
   */
  public int terminate(Duration timeout) {
    signal("TERM");
    return waitFor(timeout);
  }

  private int waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      reader.join(5000); // the last lines it printed
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void signal(String sig) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      waitFor(Duration.ofSeconds(10));
    }
  }

  @Override
  public String toString() {
    return "child JVM " + name + " (pid " + process.pid() + ")";
  }
}
