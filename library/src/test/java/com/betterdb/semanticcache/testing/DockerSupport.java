package com.betterdb.semanticcache.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Testcontainers fallback of the Valkey tiers, isolated in one class so that a module without Testcontainers on
 * its test classpath (it is a test-scope dependency of the library only) treats Docker as unavailable instead of
 * failing with {@link NoClassDefFoundError}.
 */
final class DockerSupport {

  private static final Logger log = LoggerFactory.getLogger(DockerSupport.class);
  private static volatile Boolean available;

  private DockerSupport() {
  }

  /** Whether Testcontainers can reach a Docker engine. Never throws; the answer is computed once per JVM. */
  static boolean isDockerAvailable() {
    Boolean a = available;
    if (a == null) {
      synchronized (DockerSupport.class) {
        a = available;
        if (a == null) {
          a = probe();
          available = a;
        }
      }
    }
    return a;
  }

  private static boolean probe() {
    try {
      return Probe.dockerAvailable();
    } catch (Throwable t) { // NoClassDefFoundError when Testcontainers is absent, anything else from docker-java
      log.debug("Docker is not available to Testcontainers: {}", t.toString());
      return false;
    }
  }

  /** Starts {@code image} with port 6379 exposed and returns the running container as a Valkey handle. */
  static ValkeyServer startValkeyContainer(String image, String label) {
    return Probe.start(image, label);
  }

  /** Everything that touches Testcontainers classes; loaded only when called. */
  private static final class Probe {
    static boolean dockerAvailable() {
      return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
    }

    static ValkeyServer start(String image, String label) {
      @SuppressWarnings("resource") // stopped by the handle
      org.testcontainers.containers.GenericContainer<?> container =
          new org.testcontainers.containers.GenericContainer<>(
              org.testcontainers.utility.DockerImageName.parse(image))
              .withExposedPorts(6379)
              .waitingFor(org.testcontainers.containers.wait.strategy.Wait.forLogMessage(
                  ".*Ready to accept connections.*", 1));
      container.start();
      return new ValkeyServer(container.getHost(), container.getMappedPort(6379),
          label + " (Testcontainers " + image + ")", container::stop);
    }
  }
}
