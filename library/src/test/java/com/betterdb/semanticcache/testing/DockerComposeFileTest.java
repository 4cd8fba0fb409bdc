package com.betterdb.semanticcache.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checks docker-compose.yml at the repository root: images, loopback-only ports, healthchecks, KRaft settings. */
class DockerComposeFileTest {

  private static JsonNode compose;

  @BeforeAll
  static void parse() throws IOException {
    Path file = repoRoot().resolve("docker-compose.yml");
    compose = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    assertThat(compose).as("parsed %s", file).isNotNull();
  }

  /** Walks up from user.dir to the directory holding docker-compose.yml and the parent pom (with modules). */
  static Path repoRoot() throws IOException {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      Path pom = d.resolve("pom.xml");
      if (Files.isRegularFile(d.resolve("docker-compose.yml")) && Files.isRegularFile(pom)
          && Files.readString(pom).contains("<modules>")) {
        return d;
      }
    }
    throw new IllegalStateException("no directory with docker-compose.yml and a multi-module pom.xml above " + dir);
  }

  @Test
  void hasExactlyValkeyAndKafkaServices() {
    List<String> names = new ArrayList<>();
    compose.get("services").fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactlyInAnyOrder("valkey", "kafka");
  }

  @Test
  void valkeyIsTheBundleWithSearchOnLoopback() {
    JsonNode valkey = compose.get("services").get("valkey");
    String image = valkey.get("image").asText();
    assertThat(image).startsWith("valkey/valkey-bundle:");
    String tag = image.substring(image.indexOf(':') + 1);
    assertThat(Integer.parseInt(tag.split("[.-]")[0])).as("Valkey major version of %s", image)
        .isGreaterThanOrEqualTo(9);
    assertThat(image).as("the Docker fallback of the search tier uses the same image")
        .isEqualTo(ValkeySearchExtension.BUNDLE_IMAGE);
    assertThat(ports(valkey)).containsExactly("127.0.0.1:6379:6379");
    assertThat(healthcheck(valkey)).contains("valkey-cli").contains("ping");
  }

  @Test
  void kafkaIsSingleNodeKraft4xOnLoopback() {
    JsonNode kafka = compose.get("services").get("kafka");
    String image = kafka.get("image").asText();
    assertThat(image).matches("apache/kafka:4\\.\\d+\\.\\d+");
    assertThat(ports(kafka)).containsExactly("127.0.0.1:9092:9092");
    assertThat(healthcheck(kafka)).contains("/opt/kafka/bin/kafka-broker-api-versions.sh")
        .contains("localhost:9092");

    Map<String, String> env = environment(kafka);
    assertThat(env).containsEntry("KAFKA_PROCESS_ROLES", "broker,controller")
        .containsEntry("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://localhost:9092")
        .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
        .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
        .containsKey("KAFKA_NODE_ID")
        .containsKey("KAFKA_CONTROLLER_QUORUM_VOTERS")
        .containsKey("KAFKA_CONTROLLER_LISTENER_NAMES");
    assertThat(env.get("KAFKA_LISTENERS")).contains("PLAINTEXT://:9092").contains("CONTROLLER://:9093");
    assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).isEqualTo(env.get("KAFKA_NODE_ID") + "@localhost:9093");
  }

  @Test
  void everyPublishedPortIsBoundToLoopback() {
    compose.get("services").forEach(service -> ports(service)
        .forEach(p -> assertThat(p).as("port mapping").startsWith("127.0.0.1:")));
  }

  private static List<String> ports(JsonNode service) {
    List<String> out = new ArrayList<>();
    JsonNode ports = service.get("ports");
    if (ports != null) {
      ports.forEach(p -> out.add(p.asText()));
    }
    return out;
  }

  /** The healthcheck command as one string (CMD / CMD-SHELL list or plain string); fails if absent. */
  private static String healthcheck(JsonNode service) {
    JsonNode test = service.path("healthcheck").path("test");
    assertThat(test.isMissingNode()).as("healthcheck.test present").isFalse();
    if (test.isArray()) {
      List<String> parts = new ArrayList<>();
      test.forEach(t -> parts.add(t.asText()));
      assertThat(parts.get(0)).isIn("CMD", "CMD-SHELL");
      return String.join(" ", parts.subList(1, parts.size()));
    }
    return test.asText();
  }

  /** The environment as a map, from either the mapping or the list ("K=V") form. */
  private static Map<String, String> environment(JsonNode service) {
    Map<String, String> env = new TreeMap<>();
    JsonNode e = service.get("environment");
    if (e == null) {
      return env;
    }
    if (e.isArray()) {
      e.forEach(kv -> {
        String s = kv.asText();
        int eq = s.indexOf('=');
        env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
      });
    } else {
      e.properties().forEach(f -> env.put(f.getKey(), f.getValue().asText()));
    }
    return env;
  }
}
