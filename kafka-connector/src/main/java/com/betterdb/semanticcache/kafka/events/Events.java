package com.betterdb.semanticcache.kafka.events;

import com.betterdb.semanticcache.kafka.DeadLetterReason;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;

/**
 * JSON encoding and validation of the pipeline's events. Unknown members are ignored; a missing required member,
 * an invalid value or an unknown version is a {@link DecodeException} naming the {@link DeadLetterReason}.
 * Error messages name members, never their contents.
 */
public final class Events {

    /** The schema version this processor writes and the highest it reads. */
    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private Events() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] encode(Object event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + event.getClass().getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    public static <T> T decode(byte[] value, Class<T> type) throws DecodeException {
        if (value == null || value.length == 0) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "empty record value");
        }
        T event;
        try {
            event = MAPPER.readValue(value, type);
        } catch (MismatchedInputException e) {
            String path = e.getPath().isEmpty() ? "" : " at '" + e.getPathReference() + "'";
            throw new DecodeException(DeadLetterReason.UNDECODABLE,
                    "not a valid " + type.getSimpleName() + path + ": wrong JSON type");
        } catch (IOException e) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE,
                    "not valid JSON (UTF-8) for " + type.getSimpleName() + ": " + e.getClass().getSimpleName());
        }
        if (event == null) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "JSON null is not a " + type.getSimpleName());
        }
        return event;
    }

    public static PromptEvent decodePrompt(byte[] value) throws DecodeException {
        PromptEvent e = decode(value, PromptEvent.class);
        checkVersion(e.v());
        requireText("id", e.id());
        boolean hasText = e.prompt() != null;
        boolean hasBlocks = e.contentBlocks() != null && !e.contentBlocks().isEmpty();
        if (!hasText && !hasBlocks) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, "one of 'prompt' or 'contentBlocks' is required");
        }
        if (hasText && hasBlocks) {
            throw new DecodeException(DeadLetterReason.INVALID_FIELD, "only one of 'prompt' or 'contentBlocks' may be given");
        }
        if (hasText && e.prompt().isBlank()) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, "'prompt' is blank");
        }
        if (hasBlocks && e.contentBlocks().stream().anyMatch(b -> b == null)) {
            throw new DecodeException(DeadLetterReason.INVALID_FIELD, "'contentBlocks' contains null");
        }
        if (e.threshold() != null && !(e.threshold() >= 0 && e.threshold() <= 2)) {
            throw new DecodeException(DeadLetterReason.INVALID_FIELD, "'threshold' must be within 0..2");
        }
        return e;
    }

    public static LlmReplyEvent decodeReply(byte[] value) throws DecodeException {
        LlmReplyEvent e = decode(value, LlmReplyEvent.class);
        checkVersion(e.v());
        requireText("id", e.id());
        requireText("prompt", e.prompt());
        if (e.response() == null) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, "'response' is required");
        }
        if (e.inputTokens() != null && e.inputTokens() < 0) {
            throw new DecodeException(DeadLetterReason.INVALID_FIELD, "'inputTokens' must be >= 0");
        }
        if (e.outputTokens() != null && e.outputTokens() < 0) {
            throw new DecodeException(DeadLetterReason.INVALID_FIELD, "'outputTokens' must be >= 0");
        }
        if (e.ttlSeconds() != null && e.ttlSeconds() < 0) {
            throw new DecodeException(DeadLetterReason.INVALID_FIELD, "'ttlSeconds' must be >= 0");
        }
        return e;
    }

    private static void checkVersion(Integer v) throws DecodeException {
        if (v == null) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, "'v' (schema version) is required");
        }
        if (v < 1 || v > VERSION) {
            throw new DecodeException(DeadLetterReason.UNSUPPORTED_VERSION,
                    "schema version " + v + " is not supported (1.." + VERSION + ")");
        }
    }

    private static void requireText(String name, String value) throws DecodeException {
        if (value == null || value.isBlank()) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, "'" + name + "' is required");
        }
    }
}
