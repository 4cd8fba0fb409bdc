package com.betterdb.semanticcache.kafka.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A minimal one-node KRaft broker for the benchmark program (tests use the shared {@code testing}
 * {@code @KafkaTest} extension).
 */
public final class EmbeddedBroker {

    private static EmbeddedBroker shared;

    private final KafkaClusterTestKit cluster;
    private final Admin admin;

    private EmbeddedBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    /** The JVM's broker, started on first use and stopped by a shutdown hook. */
    public static synchronized EmbeddedBroker shared() {
        if (shared == null) {
            quietLogging();
            try {
                shared = start();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the in-process Kafka broker", e);
            }
            EmbeddedBroker b = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(b::close));
        }
        return shared;
    }

    static EmbeddedBroker start() throws Exception {
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
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("group.min.session.timeout.ms", "1000")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new EmbeddedBroker(cluster);
    }

    /** Kafka logs thousands of INFO lines per start; keep it (and the client libraries) at WARN. */
    static void quietLogging() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
            for (String name : List.of("org.apache.kafka", "kafka", "state.change.logger", "org.apache.zookeeper",
                    "io.netty", "reactor")) {
                ctx.getLogger(name).setLevel(Level.WARN);
            }
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public void createTopics(int partitions, String... names) {
        try {
            admin.createTopics(java.util.Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList())
                    .all().get(30, TimeUnit.SECONDS);
            // A produce right after creation can meet NOT_LEADER_OR_FOLLOWER (and, with an idempotent producer,
            // an OUT_OF_ORDER_SEQUENCE_NUMBER retry loop): wait until every partition has a leader.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                boolean ready = admin.describeTopics(List.of(names)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .values().stream().allMatch(d -> d.partitions().stream().allMatch(pi -> pi.leader() != null
                                && !pi.leader().isEmpty()));
                if (ready) {
                    break;
                }
                Thread.sleep(20);
            }
            Thread.sleep(300);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topics " + List.of(names), e);
        }
    }

    public void close() {
        try {
            admin.close();
            cluster.close();
        } catch (Exception e) {
            // shutting down
        }
    }
}
