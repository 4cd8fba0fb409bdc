package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A processor as a user runs it, in its own JVM, for the out-of-process fault tests ({@code ChildJvm}): the
 * in-memory store and the deterministic test embedder; arguments {@code key=value}. It prints {@code READY} once
 * started, {@code CLIENT <id>}, {@code OUTCOME <kind> <topic> <partition> <offset>} per record, a {@code STATS}
 * line of its counters every 200 ms, and stops gracefully on SIGTERM. {@code exactlyOnce=true} (with {@code txId}, the
 * {@code transactional.id}) runs the exactly-once mode.
 */
public final class ProcessorMain {

    private ProcessorMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        SemanticCache cache = SemanticCache.create(Harness.cacheOptions("child", CacheStores.inMemory(),
                TestEmbedder.embedFn(Harness.DIM)));
        int session = Integer.parseInt(a.getOrDefault("session", "3000"));
        SemanticCacheProcessorConfig config = SemanticCacheProcessorConfig.builder()
                .bootstrapServers(a.get("bootstrap"))
                .groupId(a.get("group"))
                .promptsTopic(a.get("prompts"))
                .responsesTopic(a.get("responses"))
                .llmRequestsTopic(a.get("requests"))
                .llmRepliesTopic(a.get("replies"))
                .deadLetterTopic(a.get("dlq"))
                .pollTimeout(Duration.ofMillis(50))
                .retryBackoff(Duration.ofMillis(20))
                .maxRetryBackoff(Duration.ofMillis(500))
                .llmTimeout(Duration.ofMillis(Long.parseLong(a.getOrDefault("llmTimeoutMs", "120000"))))
                .consumerProperty(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, session)
                .consumerProperty(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(100, session / 10))
                .consumerProperty(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                        Integer.parseInt(a.getOrDefault("maxPollInterval", "20000")))
                .exactlyOnce(Boolean.parseBoolean(a.getOrDefault("exactlyOnce", "false")))
                .transactionalId(a.get("txId"))
                .build();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ProcessorHandle handle = SemanticCacheProcessor.create(config, cache, meters).start();
        handle.outcomes().subscribe(o -> System.out.println("OUTCOME " + o.kind() + " " + o.topic() + " "
                + o.partition() + " " + o.offset()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                handle.stop().block(Duration.ofSeconds(30));
                System.out.println(stats(meters));
                System.out.println("STOPPED");
            } catch (RuntimeException e) {
                System.out.println("STOP FAILED " + e);
            }
            System.out.flush();
        }));
        System.out.println("CLIENT " + handle.clientId());
        System.out.println("READY");
        Thread stats = new Thread(() -> {
            while (true) {
                System.out.println(stats(meters));
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "stats");
        stats.setDaemon(true);
        stats.start();
        try {
            handle.terminated().block();
        } catch (RuntimeException e) {
            System.out.println("TERMINATED " + e);
        }
    }

    private static String stats(SimpleMeterRegistry meters) {
        return "STATS produced=" + sum(meters, KafkaMetricNames.RECORDS_OUT)
                + " resends=" + sum(meters, KafkaMetricNames.RESENDS)
                + " rerequests=" + sum(meters, KafkaMetricNames.LLM_REREQUESTS)
                + " timeouts=" + sum(meters, KafkaMetricNames.LLM_TIMEOUTS)
                + " duplicateReplies=" + sum(meters, KafkaMetricNames.DUPLICATE_REPLIES);
    }

    private static long sum(SimpleMeterRegistry meters, String name) {
        return (long) meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }
}
