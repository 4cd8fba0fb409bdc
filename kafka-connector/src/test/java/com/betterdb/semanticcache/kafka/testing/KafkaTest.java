package com.betterdb.semanticcache.kafka.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Kafka test tier: the annotated class (or method) runs against ONE real in-process KRaft broker per JVM
 * (shared by all test classes, started on first use, stopped when the run ends) and may declare a
 * {@link KafkaBroker} parameter (constructor, lifecycle or test method).
 *
 * <p>The broker needs nothing installed (no Docker), so this tier never skips: if the broker cannot start, the
 * tests fail. It is shared: use unique topic and group names ({@link KafkaBroker#uniqueTopic(String)},
 * {@link KafkaBroker#uniqueGroup(String)}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag("kafka")
@ExtendWith(KafkaExtension.class)
public @interface KafkaTest {
}
