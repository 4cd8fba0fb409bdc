package com.betterdb.semanticcache.kafka.bench;

import ch.qos.logback.classic.Level;
import com.betterdb.semanticcache.kafka.testing.KafkaBroker;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * A minimal one-node KRaft broker for the benchmark program (tests use the shared {@code testing}
 * {@code @KafkaTest} extension).
 */
public final class EmbeddedBroker {

    private static EmbeddedBroker shared;

    private final KafkaBroker broker;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private EmbeddedBroker(KafkaBroker broker) {
        this.broker = broker;
    }

    /** The JVM's broker (the test tier's {@link KafkaBroker}), started on first use, stopped by a shutdown hook. */
    public static synchronized EmbeddedBroker shared() {
        if (shared == null) {
            quietLogging();
            try {
                shared = new EmbeddedBroker(KafkaBroker.start());
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the in-process Kafka broker", e);
            }
            EmbeddedBroker b = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(b::close));
        }
        return shared;
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
        return broker.bootstrapServers();
    }

    public void createTopics(int partitions, String... names) {
        broker.createTopics(partitions, names);
    }

    /** Idempotent (the shutdown hook closes it too). */
    public void close() {
        if (closed.compareAndSet(false, true)) {
            broker.close();
        }
    }
}
