package com.betterdb.semanticcache.kafka.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A second test class on the same JVM gets the same broker, not a new one. */
@KafkaTest
class KafkaSharedBrokerTest {

  private final KafkaBroker broker;

  KafkaSharedBrokerTest(KafkaBroker broker) {
    this.broker = broker;
  }

  @Test
  void sameBrokerAcrossTestClasses() throws Exception {
    assertThat(KafkaExtension.brokersStarted()).isEqualTo(1);
    String topic = broker.uniqueTopic("shared");
    broker.createTopic(topic, 2);
    // Topic metadata reaches the broker's cache asynchronously after creation: poll (bounded) instead of one read.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    java.util.Set<String> names = broker.admin().listTopics().names().get(30, TimeUnit.SECONDS);
    while (!names.contains(topic) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      names = broker.admin().listTopics().names().get(30, TimeUnit.SECONDS);
    }
    assertThat(names).contains(topic);
  }
}
