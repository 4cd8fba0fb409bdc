package com.betterdb.semanticcache.examples;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real one-node KRaft Kafka broker inside this JVM (Kafka's test kit), so the demo needs no installed Kafka. */
final class DemoBroker implements AutoCloseable {

    private final KafkaClusterTestKit cluster;
    private final Admin admin;

    private DemoBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    static DemoBroker start() throws Exception {
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
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        formatQuietly(cluster);
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new DemoBroker(cluster);
    }

    /**
     * Kafka's storage formatter prints "Bootstrap metadata: ..." and "Formatting metadata directory ..." straight to
     * {@code System.out}, not through a logger, so no logging configuration silences them: capture stdout while it
     * runs (only the main thread prints at that point) and show the text only if formatting fails.
     */
    private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            cluster.format();
        } catch (Exception e) {
            stdout.print(captured.toString(StandardCharsets.UTF_8));
            throw e;
        } finally {
            System.setOut(stdout);
        }
    }

    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Creates the topics and waits until every partition has a leader. */
    void createTopics(int partitions, String... names) throws Exception {
        admin.createTopics(Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList())
                .all().get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            boolean ready = admin.describeTopics(List.of(names)).allTopicNames().get(30, TimeUnit.SECONDS).values()
                    .stream().allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
            if (ready) {
                break;
            }
            Thread.sleep(20);
        }
        Thread.sleep(300);
    }

    @Override
    public void close() {
        try {
            admin.close();
            cluster.close();
        } catch (Exception e) {
            // shutting down
        }
    }
}
