package com.betterdb.semanticcache.kafka;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SemanticCacheProcessorConfigTest {

    private static SemanticCacheProcessorConfig.Builder valid() {
        return SemanticCacheProcessorConfig.builder().bootstrapServers("localhost:9092").groupId("g")
                .promptsTopic("p").responsesTopic("r").llmRequestsTopic("q").llmRepliesTopic("a").deadLetterTopic("d");
    }

    @Test
    void defaultsAndCopies() {
        SemanticCacheProcessorConfig c = valid().consumerProperty("session.timeout.ms", 6000).build();
        assertThat(c.maxInFlight()).isEqualTo(512);
        assertThat(c.maxPollRecords()).isEqualTo(256);
        assertThat(c.correlationHeader()).isEqualTo(Headers.CORRELATION_ID);
        assertThat(c.maxProcessingAttempts()).isZero();
        assertThat(c.consumerProperties()).containsEntry("session.timeout.ms", 6000);
        assertThatThrownBy(() -> c.consumerProperties().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        SemanticCacheProcessorConfig d = c.toBuilder().maxInFlight(1000).build();
        assertThat(d.maxInFlight()).isEqualTo(1000);
        assertThat(c.maxInFlight()).isEqualTo(512);
        assertThat(d.consumerProperties()).isEqualTo(c.consumerProperties());
    }

    @Test
    void repliesTopicIsOptional() {
        assertThat(valid().llmRepliesTopic(null).build().llmRepliesTopic()).isNull();
    }

    @Test
    void invalidValuesAreRejectedByName() {
        assertThatThrownBy(() -> valid().bootstrapServers(null).build()).hasMessageContaining("bootstrapServers");
        assertThatThrownBy(() -> valid().groupId(" ").build()).hasMessageContaining("groupId");
        assertThatThrownBy(() -> valid().deadLetterTopic(null).build()).hasMessageContaining("deadLetterTopic");
        assertThatThrownBy(() -> valid().maxInFlight(0).build()).hasMessageContaining("maxInFlight");
        assertThatThrownBy(() -> valid().maxInFlight(10).maxPollRecords(20).build()).hasMessageContaining("maxPollRecords");
        assertThatThrownBy(() -> valid().retryBackoff(Duration.ofMillis(-1)).build()).hasMessageContaining("retryBackoff");
        assertThatThrownBy(() -> valid().maxProcessingAttempts(-1).build()).hasMessageContaining("maxProcessingAttempts");
    }

    @Test
    void maxRecordBytesMustFitTheProducerAsADeadLetter() {
        assertThat(valid().build().maxRecordBytes()).as("the default fits the default producer")
                .isLessThan(1024 * 1024);
        assertThatThrownBy(() -> valid().maxRecordBytes(1024 * 1024).build())
                .hasMessageContaining("maxRecordBytes").hasMessageContaining("max.request.size");
        assertThatThrownBy(() -> valid().producerProperty("max.request.size", 100_000).build())
                .hasMessageContaining("maxRecordBytes").hasMessageContaining("max.request.size");
        assertThat(valid().maxRecordBytes(1024 * 1024).producerProperty("max.request.size", "2097152").build()
                .maxRecordBytes()).isEqualTo(1024 * 1024);
        assertThat(valid().maxRecordBytes(90_000).producerProperty("max.request.size", 100_000L).build()
                .maxRecordBytes()).isEqualTo(90_000);
    }

    @Test
    void perPartitionAndLlmOptions() {
        SemanticCacheProcessorConfig c = valid().maxInFlight(100).maxPollRecords(50).build();
        assertThat(c.maxInFlightPerPartition()).isEqualTo(25);
        assertThat(c.toBuilder().maxInFlight(400).build().maxInFlightPerPartition()).as("still derived").isEqualTo(100);
        assertThat(c.llmTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(c.llmMaxAttempts()).isEqualTo(2);
        assertThat(valid().maxInFlight(2).maxPollRecords(1).build().maxInFlightPerPartition()).isEqualTo(1);
        assertThatThrownBy(() -> valid().maxInFlight(10).maxPollRecords(10).maxInFlightPerPartition(11).build())
                .hasMessageContaining("maxInFlightPerPartition");
        assertThatThrownBy(() -> valid().maxInFlightPerPartition(-1).build()).hasMessageContaining("maxInFlightPerPartition");
        assertThatThrownBy(() -> valid().llmMaxAttempts(0).build()).hasMessageContaining("llmMaxAttempts");
        assertThatThrownBy(() -> valid().llmTimeout(Duration.ofSeconds(-1)).build()).hasMessageContaining("llmTimeout");
        assertThatThrownBy(() -> valid().maxPendingLlmRequests(0).build()).hasMessageContaining("maxPendingLlmRequests");
    }

    @Test
    void exactlyOnceIsOptInWithATransactionIntervalThatMustBePositive() {
        SemanticCacheProcessorConfig c = valid().build();
        assertThat(c.exactlyOnce()).isFalse();
        assertThat(c.transactionalId()).isNull();
        assertThat(c.transactionCommitInterval()).isEqualTo(Duration.ofMillis(100));
        SemanticCacheProcessorConfig eos = valid().exactlyOnce(true).transactionalId("pod-1")
                .transactionCommitInterval(Duration.ofMillis(250)).build();
        assertThat(eos.toBuilder().build().exactlyOnce()).isTrue();
        assertThat(eos.toBuilder().build().transactionalId()).isEqualTo("pod-1");
        assertThat(eos.transactionCommitInterval()).isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> valid().transactionCommitInterval(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transactionCommitInterval");
        assertThatThrownBy(() -> valid().transactionalId(" ").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transactionalId");
    }

    @Test
    void defaultClientIdIsTheHostPlusARandomSuffix() {
        assertThat(valid().build().clientId()).as("not set: chosen per instance at start").isNull();
        String a = ClientIds.defaultClientId();
        String b = ClientIds.defaultClientId();
        assertThat(a).startsWith("semantic-cache-").isNotEqualTo(b).matches("[A-Za-z0-9._-]+");
        assertThat(a).contains(ClientIds.hostName());
        assertThat(valid().clientId("billing-cache").build().clientId()).isEqualTo("billing-cache");
    }
}
