package com.betterdb.semanticcache.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Header;

import java.util.Map;

/**
 * How record sizes relate. An input of at most {@code maxRecordBytes} (key, value and headers) becomes an output of
 * at most {@code maxRecordBytes + OUTPUT_OVERHEAD_BYTES}: a dead letter adds its {@code x-dlq-*} headers, a response
 * or an LLM request adds a few JSON members and headers. The producer must be able to send that.
 */
final class SizeLimits {

    /** Bytes the processor adds to a record it forwards, at most (headers, JSON members, record framing). */
    static final int OUTPUT_OVERHEAD_BYTES = 1024;
    /** The producer's default {@code max.request.size}. */
    static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;
    /** The default {@code maxRecordBytes}: what the default producer can carry as a dead letter. */
    static final int DEFAULT_MAX_RECORD_BYTES = DEFAULT_MAX_REQUEST_SIZE - OUTPUT_OVERHEAD_BYTES;
    /** Longest {@code x-dlq-error} message, so the dead-letter headers stay within the overhead. */
    static final int MAX_ERROR_MESSAGE_CHARS = 200;

    private SizeLimits() {
    }

    /** The producer's {@code max.request.size} from the configured properties, or Kafka's default. */
    static int maxRequestSize(Map<String, Object> producerProperties) {
        Object v = producerProperties.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (v == null) {
            return DEFAULT_MAX_REQUEST_SIZE;
        }
        try {
            return v instanceof Number n ? n.intValue() : Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("producer property max.request.size is not a number: " + v);
        }
    }

    /** Throws when a record of {@code maxRecordBytes} could not be sent on as a dead letter. */
    static void check(int maxRecordBytes, Map<String, Object> producerProperties) {
        int maxRequest = maxRequestSize(producerProperties);
        if ((long) maxRecordBytes + OUTPUT_OVERHEAD_BYTES > maxRequest) {
            throw new IllegalArgumentException("maxRecordBytes (" + maxRecordBytes + ") plus the " + OUTPUT_OVERHEAD_BYTES
                    + " bytes the processor adds to a dead letter exceeds the producer's max.request.size (" + maxRequest
                    + "): set maxRecordBytes to at most " + (maxRequest - OUTPUT_OVERHEAD_BYTES)
                    + " or raise producerProperty(\"max.request.size\", ...)");
        }
    }

    /** Bytes of a record as {@code maxRecordBytes} counts them: key, value, and header names and values. */
    static long recordBytes(ConsumerRecord<byte[], byte[]> r) {
        long n = Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize());
        for (Header h : r.headers()) {
            n += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return n;
    }
}
