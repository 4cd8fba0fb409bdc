package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.StoreResult;
import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.events.LlmReplyEvent;
import com.betterdb.semanticcache.kafka.events.LlmRequestEvent;
import com.betterdb.semanticcache.kafka.events.PromptEvent;
import com.betterdb.semanticcache.kafka.events.ResponseEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds the records the processor produces: responses, LLM requests, dead letters and their fallbacks. */
final class Outputs {

    private static final List<String> DLQ_HEADERS = List.of(Headers.DLQ_REASON, Headers.DLQ_ERROR,
            Headers.DLQ_SOURCE_TOPIC, Headers.DLQ_SOURCE_PARTITION, Headers.DLQ_SOURCE_OFFSET,
            Headers.DLQ_VALUE_OMITTED, Headers.DLQ_ORIGINAL_SIZE, Headers.DLQ_HEADERS_OMITTED);

    private final SemanticCacheProcessorConfig config;

    Outputs(SemanticCacheProcessorConfig config) {
        this.config = config;
    }

    /** Identifies the prompt an LLM request answers, across re-requests, redeliveries and workers. */
    static String requestRef(ConsumerRecord<?, ?> prompt) {
        return prompt.topic() + "/" + prompt.partition() + "/" + prompt.offset();
    }

    Output hit(InputRecord in, PromptEvent e, CacheResult r) {
        ResponseEvent out = new ResponseEvent(Events.VERSION, e.id(), r.response(), r.contentBlocks(),
                ResponseEvent.SOURCE_CACHE, r.similarity(), r.confidence() == null ? null : r.confidence().label(),
                r.matchedKey(), r.costSaved(), e.model(), null, null);
        String corr = correlation(in.record, e.id());
        return new Output(record(config.responsesTopic(), in.record, corr, Events.encode(out), ResponseEvent.SOURCE_CACHE),
                ProcessingOutcome.Kind.HIT, e.id(), corr, null);
    }

    Output miss(InputRecord in, PromptEvent e, CacheResult r) {
        LlmRequestEvent.NearestMissInfo nm = null;
        if (r.nearestMiss() != null) {
            nm = new LlmRequestEvent.NearestMissInfo(r.nearestMiss().similarity(), r.nearestMiss().deltaToThreshold());
        } else if (r.similarity() != null) {
            nm = new LlmRequestEvent.NearestMissInfo(r.similarity(), null);
        }
        LlmRequestEvent out = new LlmRequestEvent(Events.VERSION, e.id(), e.prompt(), e.contentBlocks(), e.model(),
                e.category(), e.threshold(), e.metadata(), nm);
        String corr = correlation(in.record, e.id());
        ProducerRecord<byte[], byte[]> rec = record(config.llmRequestsTopic(), in.record, corr, Events.encode(out), null);
        rec.headers().add(Headers.LLM_REQUEST_REF, utf8(requestRef(in.record)));
        rec.headers().add(Headers.LLM_ATTEMPT, utf8("1"));
        return new Output(rec, ProcessingOutcome.Kind.MISS, e.id(), corr, null);
    }

    Output stored(InputRecord in, LlmReplyEvent e, StoreResult r) {
        ResponseEvent out = new ResponseEvent(Events.VERSION, e.id(), e.response(), null,
                ResponseEvent.SOURCE_LLM, null, null, r.key(), null, e.model(), null, null);
        String corr = correlation(in.record, e.id());
        return new Output(record(config.responsesTopic(), in.record, corr, Events.encode(out), ResponseEvent.SOURCE_LLM),
                ProcessingOutcome.Kind.STORED, e.id(), corr, null);
    }

    /**
     * The answer of a parked prompt: the reply to the close prompt it waited for ({@code distance} away), stored
     * under {@code entryKey}.
     */
    Output joined(InputRecord in, PromptEvent e, LlmReplyEvent reply, String entryKey, double distance) {
        ResponseEvent out = new ResponseEvent(Events.VERSION, e.id(), reply.response(), null, ResponseEvent.SOURCE_LLM,
                distance, null, entryKey, null, reply.model(), null, Boolean.TRUE);
        String corr = correlation(in.record, e.id());
        return new Output(record(config.responsesTopic(), in.record, corr, Events.encode(out), ResponseEvent.SOURCE_LLM),
                ProcessingOutcome.Kind.JOINED, e.id(), corr, null);
    }

    /** The answer of a prompt whose LLM requests all went unanswered; {@code marker} is the processor's own record. */
    Output timedOut(InputRecord in, LlmRequestEvent marker) {
        ResponseEvent out = new ResponseEvent(Events.VERSION, marker.id(), null, null, ResponseEvent.SOURCE_ERROR,
                null, null, null, null, marker.model(), ResponseEvent.ERROR_LLM_TIMEOUT, null);
        String corr = correlation(in.record, marker.id());
        return new Output(record(config.responsesTopic(), in.record, corr, Events.encode(out), ResponseEvent.SOURCE_ERROR),
                ProcessingOutcome.Kind.LLM_TIMEOUT, marker.id(), corr, null);
    }

    /** The input as it came (key, value, headers) plus the {@code x-dlq-*} headers. */
    Output deadLetter(InputRecord in, DeadLetterReason reason, String message) {
        ConsumerRecord<byte[], byte[]> r = in.record;
        RecordHeaders headers = new RecordHeaders(r.headers().toArray());
        DLQ_HEADERS.forEach(headers::remove);
        headers.add(Headers.DLQ_REASON, utf8(reason.name()));
        String error = message.length() > SizeLimits.MAX_ERROR_MESSAGE_CHARS
                ? message.substring(0, SizeLimits.MAX_ERROR_MESSAGE_CHARS) : message;
        headers.add(Headers.DLQ_ERROR, utf8(error));
        headers.add(Headers.DLQ_SOURCE_TOPIC, utf8(r.topic()));
        headers.add(Headers.DLQ_SOURCE_PARTITION, utf8(Integer.toString(r.partition())));
        headers.add(Headers.DLQ_SOURCE_OFFSET, utf8(Long.toString(r.offset())));
        Header corr = r.headers().lastHeader(config.correlationHeader());
        String correlationId = corr == null || corr.value() == null ? null : new String(corr.value(), StandardCharsets.UTF_8);
        return new Output(new ProducerRecord<>(config.deadLetterTopic(), null, r.key(), r.value(), headers),
                ProcessingOutcome.Kind.DEAD_LETTERED, null, correlationId, reason.name());
    }

    /**
     * What to send instead of {@code refused}, which Kafka refused for good with error {@code code}; null when there
     * is nothing smaller to try. An output becomes a dead letter of its input ({@code OUTPUT_REJECTED}); a dead
     * letter loses its value (keeping headers, reason and the original size), then its key and the input's headers.
     */
    Output fallback(InputRecord in, Output refused, String code) {
        if (refused.kind() != ProcessingOutcome.Kind.DEAD_LETTERED) {
            return deadLetter(in, DeadLetterReason.OUTPUT_REJECTED, "Kafka refused the output for topic "
                    + refused.record().topic() + " with error " + code);
        }
        ProducerRecord<byte[], byte[]> r = refused.record();
        if (refused.fallback() == 0) {
            RecordHeaders headers = new RecordHeaders(r.headers().toArray());
            headers.add(Headers.DLQ_VALUE_OMITTED, utf8(code));
            headers.add(Headers.DLQ_ORIGINAL_SIZE, utf8(Integer.toString(Math.max(0, in.record.serializedValueSize()))));
            return new Output(new ProducerRecord<>(r.topic(), null, r.key(), null, headers), refused.kind(),
                    refused.id(), refused.correlationId(), refused.detail(), 1);
        }
        if (refused.fallback() == 1) {
            RecordHeaders headers = new RecordHeaders();
            for (Header h : r.headers()) {
                if (DLQ_HEADERS.contains(h.key())) {
                    headers.add(h);
                }
            }
            headers.add(Headers.DLQ_HEADERS_OMITTED, utf8("true"));
            return new Output(new ProducerRecord<byte[], byte[]>(r.topic(), null, (byte[]) null, (byte[]) null, headers), refused.kind(),
                    refused.id(), refused.correlationId(), refused.detail(), 2);
        }
        return null;
    }

    String correlation(ConsumerRecord<byte[], byte[]> r, String id) {
        Header h = r.headers().lastHeader(config.correlationHeader());
        return h == null || h.value() == null ? id : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** An output of {@code in}: its key, the correlation header and, for responses, {@code x-source}. */
    private ProducerRecord<byte[], byte[]> record(String topic, ConsumerRecord<byte[], byte[]> in, String correlationId,
                                                  byte[] value, String source) {
        RecordHeaders headers = new RecordHeaders();
        if (correlationId != null) {
            headers.add(config.correlationHeader(), utf8(correlationId));
        }
        if (source != null) {
            headers.add(Headers.SOURCE, utf8(source));
        }
        return new ProducerRecord<>(topic, null, in.key(), value, headers);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
