package com.betterdb.semanticcache.kafka.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;

/** Proves the Kafka tier runs a real broker: topics, produce, consume through a group. .ci/run requires it. */
@KafkaTest
class KafkaSmokeTest {

  @Test
  void createTopicProduceAndConsumeBackThroughAConsumerGroup(KafkaBroker broker) throws Exception {
    String topic = broker.uniqueTopic("smoke");
    String group = broker.uniqueGroup("smoke");
    broker.createTopic(topic, 3);

    TopicDescription description = broker.admin().describeTopics(List.of(topic)).allTopicNames()
        .get(30, TimeUnit.SECONDS).get(topic);
    assertThat(description.partitions()).hasSize(3);

    RecordMetadata sent;
    try (KafkaProducer<String, String> producer = broker.newProducer()) {
      ProducerRecord<String, String> record = new ProducerRecord<>(topic, "prompt-1", "What is Valkey?");
      record.headers().add("source", "smoke".getBytes(StandardCharsets.UTF_8));
      sent = producer.send(record).get(30, TimeUnit.SECONDS);
    }
    assertThat(sent.topic()).isEqualTo(topic);
    assertThat(sent.offset()).isZero();

    List<ConsumerRecord<String, String>> received = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = broker.newConsumer(group)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (received.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(received::add);
      }
      assertThat(received).as("record consumed within 60 s").hasSize(1);
      consumer.commitSync();
    }
    ConsumerRecord<String, String> got = received.get(0);
    assertThat(got.key()).isEqualTo("prompt-1");
    assertThat(got.value()).isEqualTo("What is Valkey?");
    assertThat(got.partition()).isEqualTo(sent.partition());
    assertThat(new String(got.headers().lastHeader("source").value(), StandardCharsets.UTF_8)).isEqualTo("smoke");

    Map<TopicPartition, OffsetAndMetadata> committed = broker.admin().listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    assertThat(committed).containsKey(new TopicPartition(topic, sent.partition()));
    assertThat(committed.get(new TopicPartition(topic, sent.partition())).offset()).isEqualTo(1L);
  }

  @Test
  void creatingAnExistingTopicFails(KafkaBroker broker) {
    String topic = broker.uniqueTopic("smoke_dup");
    broker.createTopic(topic, 1);
    assertThatThrownBy(() -> broker.createTopic(topic, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasCauseInstanceOf(TopicExistsException.class);
  }

  @Test
  void brokerIsSharedAndAdvertisesLocalhost(KafkaBroker broker) throws Exception {
    assertThat(KafkaExtension.brokersStarted()).isEqualTo(1);
    assertThat(broker.bootstrapServers()).matches("localhost:\\d+(,localhost:\\d+)*");
    Set<String> topics = broker.admin().listTopics().names().get(30, TimeUnit.SECONDS);
    assertThat(topics).isNotNull();
  }
}
