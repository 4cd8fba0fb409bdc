package com.betterdb.semanticcache.spring.boot.kafka;

import com.betterdb.semanticcache.SemanticCache;
import com.betterdb.semanticcache.embed.EmbedFn;
import com.betterdb.semanticcache.kafka.SemanticCacheProcessor;
import com.betterdb.semanticcache.kafka.testing.KafkaBroker;
import com.betterdb.semanticcache.kafka.testing.KafkaTest;
import com.betterdb.semanticcache.spring.boot.SemanticCacheAutoConfiguration;
import com.betterdb.semanticcache.spring.boot.SemanticCacheInitializer;
import com.betterdb.semanticcache.spring.boot.SemanticCacheProperties;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The Kafka processor from properties, on a real broker in this JVM. */
@KafkaTest
class SemanticCacheKafkaTest {

    private static final String P = SemanticCacheProperties.PREFIX + ".";
    private static final Duration T = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaBroker broker;

    SemanticCacheKafkaTest(KafkaBroker broker) {
        this.broker = broker;
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class,
                        SemanticCacheAutoConfiguration.class, SemanticCacheKafkaAutoConfiguration.class))
                .withPropertyValues(P + "store=in-memory", "spring.kafka.bootstrap-servers=" + broker.bootstrapServers())
                .withBean(EmbedFn.class, () -> TestEmbedder.embedFn(8));
    }

    /**
     * Stops between the processor and the cache, and records what it sees then. It looks the beans up when it stops:
     * injecting them would make it depend on them, and Spring stops dependents first whatever their phase.
     */
    static final class StopOrderProbe implements SmartLifecycle {
        final AtomicReference<String> seen = new AtomicReference<>();
        private final ApplicationContext context;
        private volatile boolean running;

        StopOrderProbe(ApplicationContext context) {
            this.context = context;
        }

        @Override
        public void start() {
            running = true;
        }

        @Override
        public void stop() {
            SemanticCache cache = context.getBean(SemanticCache.class);
            boolean cacheOpen = cache.stats().onErrorResume(e -> reactor.core.publisher.Mono.empty()).block() != null;
            seen.set("processor running=" + context.getBean(SemanticCacheProcessorLifecycle.class).handle().isRunning()
                    + ", cache open=" + cacheOpen);
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return SemanticCacheProcessorLifecycle.PHASE - 1; // between the processor and the cache
        }
    }

    @Test
    void answersHitsRoutesMissesAndStopsBeforeTheCache() throws Exception {
        String prompts = broker.uniqueTopic("prompts");
        String responses = broker.uniqueTopic("responses");
        String llm = broker.uniqueTopic("llm");
        String dlq = broker.uniqueTopic("dlq");
        broker.createTopics(1, prompts, responses, llm, dlq);
        AtomicReference<StopOrderProbe> probe = new AtomicReference<>();
        runner().withPropertyValues(P + "kafka.group-id=" + broker.uniqueGroup("g"), P + "kafka.prompts-topic=" + prompts,
                        P + "kafka.responses-topic=" + responses, P + "kafka.llm-requests-topic=" + llm,
                        P + "kafka.dead-letter-topic=" + dlq, P + "kafka.max-in-flight=64", P + "kafka.max-poll-records=32")
                .withBean(StopOrderProbe.class)
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(SemanticCacheProcessor.class);
                    probe.set(context.getBean(StopOrderProbe.class));
                    SemanticCacheProcessorLifecycle lifecycle = context.getBean(SemanticCacheProcessorLifecycle.class);
                    assertThat(lifecycle.isRunning()).isTrue();
                    assertThat(context.getBean(SemanticCacheProcessor.class).config().maxInFlight()).isEqualTo(64);

                    context.getBean(SemanticCache.class).store("What is the capital of France?", "Paris").block(T);
                    try (KafkaProducer<String, String> producer = broker.newProducer()) {
                        producer.send(new ProducerRecord<>(prompts, "k1",
                                "{\"v\":1,\"id\":\"hit-1\",\"prompt\":\"What is the capital of France?\"}")).get();
                        producer.send(new ProducerRecord<>(prompts, "k2",
                                "{\"v\":1,\"id\":\"miss-1\",\"prompt\":\"How do I bake sourdough bread?\"}")).get();
                    }
                    JsonNode response = first(responses, r -> "hit-1".equals(r.path("id").asText()));
                    assertThat(response.path("source").asText()).isEqualTo("cache");
                    assertThat(response.path("response").asText()).isEqualTo("Paris");
                    JsonNode request = first(llm, r -> "miss-1".equals(r.path("id").asText()));
                    assertThat(request.path("prompt").asText()).isEqualTo("How do I bake sourdough bread?");
                });
        assertThat(probe.get().seen.get()).isEqualTo("processor running=false, cache open=true");
    }

    private JsonNode first(String topic, java.util.function.Predicate<JsonNode> match) throws Exception {
        try (KafkaConsumer<String, String> consumer = broker.newConsumer(broker.uniqueGroup("reader"))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + T.toNanos();
            List<String> seen = new ArrayList<>();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r.value());
                    JsonNode json = JSON.readTree(r.value());
                    if (match.test(json)) {
                        return json;
                    }
                }
            }
            throw new AssertionError("nothing matching on " + topic + " within " + T + "; saw " + seen);
        }
    }

    /** Closed right after it started, before its poll thread is under way: it must still be stopped. */
    @Test
    void stoppedEvenWhenTheContextClosesAtOnce() {
        String prompts = broker.uniqueTopic("prompts");
        AtomicReference<com.betterdb.semanticcache.kafka.ProcessorHandle> handle = new AtomicReference<>();
        runner().withPropertyValues(P + "kafka.group-id=" + broker.uniqueGroup("g"), P + "kafka.prompts-topic=" + prompts,
                        P + "kafka.responses-topic=r", P + "kafka.llm-requests-topic=l", P + "kafka.dead-letter-topic=d")
                .run(context -> handle.set(context.getBean(SemanticCacheProcessorLifecycle.class).handle()));
        handle.get().terminated().block(T);
        assertThat(handle.get().isRunning()).isFalse();
    }

    @Test
    void nothingWithoutAPromptsTopicOrWhenDisabled() {
        runner().run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SemanticCacheProcessor.class));
        runner().withPropertyValues(P + "kafka.prompts-topic=p", P + "kafka.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SemanticCacheProcessor.class));
    }

    @Test
    void badSettingsNameTheRule() {
        runner().withPropertyValues(P + "kafka.prompts-topic=p", P + "kafka.responses-topic=r",
                        P + "kafka.llm-requests-topic=l", P + "kafka.dead-letter-topic=d")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("Invalid " + P + "kafka.* settings: groupId is required"));
    }

    @Test
    void withoutSpringBootKafkaItSaysWhatToAdd() {
        runner().withClassLoader(new FilteredClassLoader(KafkaProperties.class))
                .withPropertyValues(P + "kafka.prompts-topic=p")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("spring-boot-starter-kafka"));
    }

    @Test
    void coalescingIsOnWithARepliesTopicUnlessSwitchedOff() {
        KafkaConnection connection = KafkaConnection.of(new KafkaProperties());
        SemanticCacheProperties.Kafka k = new SemanticCacheProperties.Kafka();
        k.setGroupId("g");
        k.setPromptsTopic("p");
        k.setResponsesTopic("r");
        k.setLlmRequestsTopic("l");
        k.setDeadLetterTopic("d");
        assertThat(SemanticCacheKafkaAutoConfiguration.ProcessorConfiguration.config(k, connection).coalescing())
                .as("no replies topic: nothing to wait for").isFalse();
        k.setLlmRepliesTopic("replies");
        assertThat(SemanticCacheKafkaAutoConfiguration.ProcessorConfiguration.config(k, connection).coalescing())
                .isTrue();
        k.setCoalescing(false);
        assertThat(SemanticCacheKafkaAutoConfiguration.ProcessorConfiguration.config(k, connection).coalescing())
                .isFalse();
    }

    @Test
    void onlyConnectionSettingsOfSpringKafkaAreTaken() {
        KafkaProperties kafka = new KafkaProperties();
        kafka.setBootstrapServers(List.of("a:9092", "b:9092"));
        kafka.getSecurity().setProtocol("SSL");
        kafka.getSsl().setTrustStoreType("PKCS12");
        kafka.getProperties().put("sasl.mechanism", "PLAIN");
        kafka.getConsumer().setGroupId("spring-kafka-group");
        kafka.getConsumer().setMaxPollRecords(7);
        kafka.getProducer().setAcks("1");
        KafkaConnection c = KafkaConnection.of(kafka);
        assertThat(c.bootstrapServers()).isEqualTo("a:9092,b:9092");
        assertThat(c.consumer()).containsEntry("security.protocol", "SSL").containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("ssl.truststore.type", "PKCS12")
                .doesNotContainKeys("group.id", "max.poll.records", "key.deserializer", "bootstrap.servers");
        assertThat(c.producer()).containsEntry("security.protocol", "SSL").doesNotContainKeys("acks");
        assertThat(Map.copyOf(c.producer())).doesNotContainKey("key.serializer");
    }
}
