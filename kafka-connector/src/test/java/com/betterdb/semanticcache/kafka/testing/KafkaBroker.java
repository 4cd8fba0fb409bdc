package com.betterdb.semanticcache.kafka.testing;

import com.betterdb.semanticcache.testing.TestNames;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node KRaft Kafka broker (combined broker + controller) running inside the test JVM, built on
 * Kafka's internal test kit ({@code kafka-test-common-runtime}, pinned with kafka-clients). Configured like a
 * production broker of the same version (latest production metadata version, no unstable APIs or features),
 * with replication factors of 1, no initial rebalance delay and a minimum session timeout of 1 s (fault tests wait for
 * a member's session to expire).
 *
 * <p>Injected by {@link KafkaExtension} ({@code @KafkaTest}); shared by every test class in the JVM, so use unique
 * topic and group names. The broker's listeners bind all interfaces; clients use {@link #bootstrapServers()} (the
 * advertised localhost address).
 */
public final class KafkaBroker implements AutoCloseable {

  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaClusterTestKit cluster;
  private final String bootstrapServers;
  private Admin admin;

  private KafkaBroker(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
    this.bootstrapServers = cluster.bootstrapServers();
  }

  /** Formats, starts and waits for a one-node cluster. Prefer {@code @KafkaTest}, which shares one per JVM. */
  public static KafkaBroker start() throws Exception {
    TestKitNodes nodes = new TestKitNodes.Builder()
        .setCombined(true)
        .setNumBrokerNodes(1)
        .setNumControllerNodes(1)
        .setBootstrapMetadataVersion(MetadataVersion.LATEST_PRODUCTION)
        .build();
    KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
        .setConfigProp("unstable.api.versions.enable", "false")
        .setConfigProp("unstable.feature.versions.enable", "false")
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("transaction.state.log.num.partitions", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        // Fault tests pause or kill a member and wait for its session to expire: allow short sessions.
        .setConfigProp("group.min.session.timeout.ms", "1000")
        .setConfigProp("auto.create.topics.enable", "false")
        .build();
    try {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new KafkaBroker(cluster);
    } catch (Exception | Error e) {
      try {
        cluster.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The advertised bootstrap address, e.g. {@code localhost:39091}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** A shared admin client, owned and closed by the broker handle; do not close it. */
  public synchronized Admin admin() {
    if (admin == null) {
      admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }
    return admin;
  }

  /**
   * Creates {@code name} with {@code partitions} partitions (replication factor 1) and waits until it exists.
   *
   * @throws IllegalStateException when creation fails, e.g. the topic already exists
   */
  public void createTopic(String name, int partitions) {
    try {
      admin().createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
          .all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("could not create topic " + name + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("creating topic " + name + " timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    }
  }

  /**
   * Creates the topics and waits until every partition has a leader: a produce right after creation can otherwise
   * meet NOT_LEADER_OR_FOLLOWER (and, with an idempotent producer, an OUT_OF_ORDER_SEQUENCE_NUMBER retry loop).
   */
  public void createTopics(int partitions, String... names) {
    for (String name : names) {
      createTopic(name, partitions);
    }
    List<String> topics = List.of(names);
    try {
      long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        boolean ready;
        try {
          ready = admin().describeTopics(topics).allTopicNames().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .values().stream().allMatch(d -> d.partitions().stream()
                  .allMatch(pi -> pi.leader() != null && !pi.leader().isEmpty()));
        } catch (ExecutionException e) {
          ready = false; // metadata not propagated yet (UnknownTopicOrPartition)
        }
        if (ready) {
          Thread.sleep(300); // let the leader's metadata reach the clients' next refresh
          return;
        }
        Thread.sleep(20);
      }
      throw new IllegalStateException("topics have no leaders after " + ADMIN_TIMEOUT + ": " + topics);
    } catch (InterruptedException | TimeoutException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("waiting for the leaders of " + topics, e);
    }
  }

  /** A topic name no other test uses: {@code prefix_<random>}. Does not create it. */
  public String uniqueTopic(String prefix) {
    return TestNames.unique(prefix);
  }

  /** A consumer group id no other test uses: {@code prefix_<random>}. */
  public String uniqueGroup(String prefix) {
    return TestNames.unique(prefix);
  }

  /**
   * Producer settings for this broker: bootstrap servers, String key/value serializers, {@code acks=all},
   * idempotence on, no linger. A new mutable map: override what you need.
   */
  public Map<String, Object> producerProperties() {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return p;
  }

  /**
   * Consumer settings for this broker and group: bootstrap servers, String deserializers,
   * {@code auto.offset.reset=earliest}, auto-commit off (tests commit explicitly). A new mutable map.
   */
  public Map<String, Object> consumerProperties(String groupId) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return p;
  }

  /** A new String/String producer with {@link #producerProperties()}; the caller closes it. */
  public KafkaProducer<String, String> newProducer() {
    return new KafkaProducer<>(producerProperties());
  }

  /** A new String/String consumer with {@link #consumerProperties(String)}; the caller closes it. */
  public KafkaConsumer<String, String> newConsumer(String groupId) {
    return new KafkaConsumer<>(consumerProperties(groupId));
  }

  /** Stops the broker and deletes its data directories. */
  @Override
  public synchronized void close() {
    try {
      if (admin != null) {
        admin.close(Duration.ofSeconds(5));
      }
      cluster.close();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not stop the in-process Kafka broker: " + e, e);
    } finally {
      admin = null;
    }
  }

  @Override
  public String toString() {
    return "in-process KRaft broker at " + bootstrapServers;
  }
}
