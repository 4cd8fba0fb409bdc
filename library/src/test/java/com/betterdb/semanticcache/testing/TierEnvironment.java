package com.betterdb.semanticcache.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * What a tier looks at to find its server: environment variables, executables on {@code PATH}, and whether Docker
 * works. The real one is {@link #system()}; tests of the tier logic pass fakes.
 */
public final class TierEnvironment {

  private final Function<String, String> getenv;
  private final Function<String, Optional<Path>> which;
  private final BooleanSupplier dockerAvailable;

  public TierEnvironment(Function<String, String> getenv, Function<String, Optional<Path>> which,
      BooleanSupplier dockerAvailable) {
    this.getenv = getenv;
    this.which = which;
    this.dockerAvailable = dockerAvailable;
  }

  /** The process environment, the real {@code PATH}, and Testcontainers' view of Docker. */
  public static TierEnvironment system() {
    return new TierEnvironment(System::getenv, TierEnvironment::findOnPath, DockerSupport::isDockerAvailable);
  }

  /** A fake environment: these variables, nothing on PATH unless listed, Docker as given. */
  public static TierEnvironment of(Map<String, String> env, Map<String, Path> onPath, boolean docker) {
    return new TierEnvironment(env::get, name -> Optional.ofNullable(onPath.get(name)), () -> docker);
  }

  /** The variable's value, or {@code null} when unset or blank. */
  public String env(String name) {
    String v = getenv.apply(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  public Optional<Path> which(String executable) {
    return which.apply(executable);
  }

  public boolean dockerAvailable() {
    return dockerAvailable.getAsBoolean();
  }

  /** The first executable file called {@code name} in a directory of {@code PATH}. */
  public static Optional<Path> findOnPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
