package com.betterdb.semanticcache.kafka.testing;

import com.betterdb.semanticcache.testing.ServerTierExtension;
import com.betterdb.semanticcache.testing.TierResolution;
import java.util.concurrent.atomic.AtomicInteger;

/** The Kafka tier; see {@link KafkaTest}. */
public class KafkaExtension extends ServerTierExtension<KafkaBroker> {

  private static final AtomicInteger STARTS = new AtomicInteger();

  public KafkaExtension() {
    super(KafkaBroker.class, "Kafka");
  }

  /** How many brokers this JVM has started (1 once any {@code @KafkaTest} ran: the broker is shared). */
  public static int brokersStarted() {
    return STARTS.get();
  }

  @Override
  protected TierResolution<KafkaBroker> resolve() {
    try {
      KafkaBroker broker = KafkaBroker.start();
      STARTS.incrementAndGet();
      return TierResolution.available(broker);
    } catch (Exception e) {
      return TierResolution.failed("Kafka tier: the in-process KRaft broker did not start: " + e, e);
    }
  }
}
