package com.betterdb.semanticcache.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What can only be checked against the cluster, before the processor joins its group: the co-partitioning LLM
 * timeouts need (fails the start), and the output topics' {@code max.message.bytes} against {@code maxRecordBytes}
 * (a warning: too small a topic makes the processor write dead letters without their value).
 */
final class StartupChecks {

    private static final Logger log = LoggerFactory.getLogger(StartupChecks.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final SemanticCacheProcessorConfig config;
    private final Consumer<byte[], byte[]> consumer;

    StartupChecks(SemanticCacheProcessorConfig config, Consumer<byte[], byte[]> consumer) {
        this.config = config;
        this.consumer = consumer;
    }

    void run() {
        checkCoPartitioning();
        warnAboutSmallTopics();
    }

    /** The worker answers on the request's partition number: both topics need the same number of partitions. */
    private void checkCoPartitioning() {
        if (config.llmRepliesTopic() == null || config.llmTimeout().isZero()) {
            return;
        }
        List<PartitionInfo> requests;
        List<PartitionInfo> replies;
        try {
            requests = consumer.partitionsFor(config.llmRequestsTopic(), TIMEOUT);
            replies = consumer.partitionsFor(config.llmRepliesTopic(), TIMEOUT);
        } catch (TimeoutException e) {
            log.warn("semantic-cache processor {}: could not read the partitions of {} and {} in {}; LLM timeouts need "
                    + "both with the same number of partitions", config.clientId(), config.llmRequestsTopic(),
                    config.llmRepliesTopic(), TIMEOUT);
            return;
        }
        if (requests.isEmpty() || replies.isEmpty()) {
            log.warn("semantic-cache processor {}: topic {} or {} not found; LLM timeouts need both, with the same "
                    + "number of partitions", config.clientId(), config.llmRequestsTopic(), config.llmRepliesTopic());
            return;
        }
        if (requests.size() != replies.size()) {
            throw new IllegalStateException("llmTimeout needs " + config.llmRequestsTopic() + " and "
                    + config.llmRepliesTopic() + " to have the same number of partitions (they have " + requests.size()
                    + " and " + replies.size() + "): the LLM worker answers on the partition number of the request. "
                    + "Give both topics the same number of partitions, or disable LLM timeouts with "
                    + "llmTimeout(Duration.ZERO)");
        }
    }

    private void warnAboutSmallTopics() {
        long needed = (long) config.maxRecordBytes() + SizeLimits.OUTPUT_OVERHEAD_BYTES;
        Map<String, Object> props = new HashMap<>();
        config.producerProperties().forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                props.put(k, v);
            }
        });
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, config.clientId() + "-admin");
        List<String> topics = List.of(config.responsesTopic(), config.llmRequestsTopic(), config.deadLetterTopic());
        try (Admin admin = Admin.create(props)) {
            Map<ConfigResource, Config> configs = admin.describeConfigs(topics.stream()
                            .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList())
                    .all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            configs.forEach((resource, c) -> {
                ConfigEntry e = c.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                if (e != null && e.value() != null && Long.parseLong(e.value()) < needed) {
                    log.warn("semantic-cache processor {}: topic {} accepts records of at most {} bytes "
                                    + "(max.message.bytes), less than maxRecordBytes + {} = {}: larger outputs become dead "
                                    + "letters, and dead letters that do not fit are written without their value",
                            config.clientId(), resource.name(), e.value(), SizeLimits.OUTPUT_OVERHEAD_BYTES, needed);
                }
            });
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.info("semantic-cache processor {}: could not read the output topics' max.message.bytes ({}); "
                    + "sizes are checked when records are sent", config.clientId(), FailureCodes.of(e));
        }
    }
}
