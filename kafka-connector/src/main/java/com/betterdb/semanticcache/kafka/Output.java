package com.betterdb.semanticcache.kafka;

import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The planned output of one input record.
 *
 * @param record        what to produce, or {@code null} when the record is finished without output (a duplicate
 *                      LLM reply)
 * @param kind          the outcome reported once it is acknowledged, or {@code null} for none
 * @param id            event id, or {@code null}
 * @param correlationId correlation id carried to the output, or {@code null}
 * @param detail        dead-letter reason, or {@code null}
 * @param fallback      0 as planned; for a dead letter Kafka refused: 1 = without the value, 2 = also without the
 *                      key and the input's headers
 */
record Output(ProducerRecord<byte[], byte[]> record, ProcessingOutcome.Kind kind, String id, String correlationId,
              String detail, int fallback) {

    Output(ProducerRecord<byte[], byte[]> record, ProcessingOutcome.Kind kind, String id, String correlationId,
           String detail) {
        this(record, kind, id, correlationId, detail, 0);
    }

    /** Finished without producing anything. */
    static Output none(ProcessingOutcome.Kind kind, String id, String correlationId) {
        return new Output(null, kind, id, correlationId, null, 0);
    }
}
