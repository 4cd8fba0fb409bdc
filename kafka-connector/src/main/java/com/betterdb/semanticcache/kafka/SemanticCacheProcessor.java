package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.SemanticCache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * The Kafka pipeline around a {@link SemanticCache}:
 * <pre>
 * prompts      --> decode --> checkAll --> hit  --> responses (source=cache)
 *                                     '-> miss --> llm-requests
 * llm-replies  --> decode --> store (entry id from the request id) --> responses (source=llm)
 * bad records  --> dead-letter topic (headers: reason, error, source topic/partition/offset)
 * </pre>
 * Built on kafka-clients directly: one thread owns the {@link KafkaConsumer}; Reactor runs the lookups and stores
 * of a poll batch concurrently. At-least-once: an offset is committed only after every output of the records
 * before it was acknowledged by the broker ({@code acks=all}, idempotent producer).
 *
 * <pre>{@code
 * ProcessorHandle h = SemanticCacheProcessor.create(config, cache).start();
 * ...
 * h.stop().block();
 * }</pre>
 *
 * <p>The cache is the caller's: the processor initialises it (retrying while it is unreachable) but never closes it.
 */
public final class SemanticCacheProcessor {

    private final SemanticCacheProcessorConfig config;
    private final SemanticCache cache;
    private final MeterRegistry registry;
    private final AtomicBoolean started = new AtomicBoolean();

    private SemanticCacheProcessor(SemanticCacheProcessorConfig config, SemanticCache cache, MeterRegistry registry) {
        this.config = Objects.requireNonNull(config, "config");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** A processor whose meters go to Micrometer's global registry. */
    public static SemanticCacheProcessor create(SemanticCacheProcessorConfig config, SemanticCache cache) {
        return new SemanticCacheProcessor(config, cache, Metrics.globalRegistry);
    }

    public static SemanticCacheProcessor create(SemanticCacheProcessorConfig config, SemanticCache cache,
                                                MeterRegistry registry) {
        return new SemanticCacheProcessor(config, cache, registry);
    }

    public SemanticCacheProcessorConfig config() {
        return config;
    }

    /**
     * Creates the consumer and producer and starts the poll thread. Returns at once; the cache is initialised and
     * the group joined on the poll thread. A processor starts once.
     *
     * @throws IllegalStateException when called twice
     */
    public ProcessorHandle start() {
        return start(UnaryOperator.identity());
    }

    /** Test seam: {@code decorate} wraps the producer (e.g. to inject send failures). */
    ProcessorHandle start(UnaryOperator<Producer<byte[], byte[]>> decorate) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("processor already started");
        }
        String clientId = config.clientId() != null ? config.clientId() : ClientIds.defaultClientId();
        SemanticCacheProcessorConfig cfg = config.toBuilder().clientId(clientId).build();
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(clientId));
        Producer<byte[], byte[]> producer;
        try {
            producer = decorate.apply(new KafkaProducer<>(producerProperties(clientId)));
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        OutcomeSink outcomes = new OutcomeSink();
        ProcessorMetrics metrics = new ProcessorMetrics(registry, cfg.groupId(), clientId);
        InFlight inFlight = new InFlight(cfg.maxInFlight(), cfg.maxInFlightPerPartition());
        metrics.inFlightGauge(cfg.promptsTopic(), inFlight.topic(cfg.promptsTopic()));
        LlmTimeouts llm = new LlmTimeouts(cfg);
        if (cfg.llmRepliesTopic() != null) {
            metrics.inFlightGauge(cfg.llmRepliesTopic(), inFlight.topic(cfg.llmRepliesTopic()));
            metrics.pendingGauge(llm.pending());
        }
        Scheduler sendScheduler = Schedulers.newSingle("semantic-cache-kafka-send-" + clientId, true);
        Outputs outputs = new Outputs(cfg);
        PollLoop[] loopRef = new PollLoop[1];
        Coalescer coalescer = new Coalescer(cfg, outputs, metrics, outcomes, released -> loopRef[0].requeue(released),
                System::nanoTime);
        metrics.parkedGauge(coalescer::parked);
        Transactions tx = new Transactions(cfg, producer, sendScheduler, metrics);
        OutputSender sender = new OutputSender(producer, sendScheduler, outputs, metrics, outcomes, coalescer, tx);
        ChunkPipeline pipeline = new ChunkPipeline(cfg, cache, outputs, sender, llm, coalescer, Schedulers.boundedElastic());
        PollLoop loop = new PollLoop(cfg, cache, consumer, producer, pipeline, sender, Schedulers.boundedElastic(),
                sendScheduler, metrics, outcomes, inFlight, llm, coalescer, tx);
        loopRef[0] = loop;
        loop.terminated.whenComplete((v, e) -> sendScheduler.dispose());
        Thread thread = new Thread(loop, "semantic-cache-kafka-poll-" + clientId);
        thread.setDaemon(true);
        thread.start();
        return new ProcessorHandle(loop, outcomes, inFlight);
    }

    private Map<String, Object> consumerProperties(String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putAll(config.consumerProperties());
        // Owned by the processor.
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-consumer");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (config.exactlyOnce()) {
            // Aborted outputs (its own LLM requests and timeout markers, a transactional worker's replies) are skipped.
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        }
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(config.maxPollRecords(), config.maxInFlight()));
        if (LlmTimeouts.enabledFor(config)) {
            // LLM timeouts need partition p of llm-requests and of llm-replies on the same member: range assignment.
            if (GroupProtocol.CONSUMER.name().equalsIgnoreCase(String.valueOf(p.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG)))) {
                p.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range");
            } else {
                p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
            }
        }
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private Map<String, Object> producerProperties(String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        if (config.exactlyOnce()) {
            // As Kafka Streams does under exactly-once: what a crashed instance left open is aborted by the broker
            // after 10 s (unless a restart with the same transactional.id aborts it at once).
            p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        }
        p.putAll(config.producerProperties());
        // Owned by the processor: at-least-once needs acks=all and idempotence (no reordering on retries).
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-producer");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        if (config.exactlyOnce()) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                    config.transactionalId() != null ? config.transactionalId() : clientId);
        } else {
            p.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG); // a transactional producer is the exactly-once mode's
        }
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }
}
