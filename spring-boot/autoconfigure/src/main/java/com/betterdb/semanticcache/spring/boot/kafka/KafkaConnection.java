package com.betterdb.semanticcache.spring.boot.kafka;

import org.springframework.boot.kafka.autoconfigure.KafkaProperties;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The connection settings of Spring Boot's {@code spring.kafka.*} for the processor's own consumer and producer:
 * bootstrap servers, {@code security.protocol}, {@code ssl.*}, {@code sasl.*}, {@code client.dns.lookup}, and every
 * {@code spring.kafka.properties.*} entry. Nothing else: serializers, group, commit and acknowledgement settings of
 * Spring Kafka's clients are not the processor's (it owns those it needs).
 */
record KafkaConnection(String bootstrapServers, Map<String, Object> consumer, Map<String, Object> producer) {

    static KafkaConnection of(KafkaProperties kafka) {
        Map<String, Object> consumer = kafka.buildConsumerProperties();
        return new KafkaConnection(servers(consumer.get("bootstrap.servers")), connection(consumer, kafka),
                connection(kafka.buildProducerProperties(), kafka));
    }

    private static Map<String, Object> connection(Map<String, Object> built, KafkaProperties kafka) {
        Map<String, Object> out = new LinkedHashMap<>(kafka.getProperties());
        built.forEach((key, value) -> {
            if (key.startsWith("security.") || key.startsWith("ssl.") || key.startsWith("sasl.")
                    || key.equals("client.dns.lookup")) {
                out.put(key, value);
            }
        });
        return out;
    }

    private static String servers(Object value) {
        if (value instanceof Collection<?> list) {
            return String.join(",", list.stream().map(String::valueOf).toList());
        }
        return value == null ? null : String.valueOf(value);
    }
}
