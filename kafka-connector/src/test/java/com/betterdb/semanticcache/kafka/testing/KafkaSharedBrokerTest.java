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
    assertThat(broker.admin().listTopics().names().get(30, TimeUnit.SECONDS)).contains(topic);
  }
}
