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
        assertThat(c.clientId()).isEqualTo("semantic-cache-g");
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
}
