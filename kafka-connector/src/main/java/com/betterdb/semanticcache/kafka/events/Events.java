package com.betterdb.semanticcache.kafka.events;

import com.betterdb.semanticcache.kafka.DeadLetterReason;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * JSON encoding and strict validation of the pipeline's events. A record value must be one UTF-8 JSON object (no
 * byte order mark, nothing after it, no member twice) whose members have exactly the schema's JSON types (no
 * coercion of {@code "1"} or {@code 1.9} to an integer, of {@code 42} to a string). Unknown members are ignored.
 * A violation is a {@link DecodeException} naming the {@link DeadLetterReason}; its message names schema members at
 * most, never the record's content, the keys of free-form maps, or Java types.
 */
public final class Events {

    /** The schema version this processor writes and the highest it reads. */
    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = strictMapper();

    private Events() {
    }

    private static ObjectMapper strictMapper() {
        JsonMapper m = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        // A JSON type is what the schema says, or the record is invalid.
        for (LogicalType t : new LogicalType[]{LogicalType.Textual, LogicalType.Integer, LogicalType.Float,
                LogicalType.Boolean}) {
            m.coercionConfigFor(t)
                    .setCoercion(CoercionInputShape.Integer, t == LogicalType.Integer || t == LogicalType.Float
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, t == LogicalType.Float ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, t == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.String, t == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, t == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail);
        }
        return m;
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

    /** Decodes {@code value} as one {@code type} object, strictly (see the class comment); no schema checks. */
    public static <T extends Record> T decode(byte[] value, Class<T> type) throws DecodeException {
        JsonNode tree = readObject(value);
        try {
            T event = MAPPER.treeToValue(tree, type);
            if (event == null) {
                throw new DecodeException(DeadLetterReason.UNDECODABLE, "value is not a JSON object");
            }
            return event;
        } catch (JsonMappingException e) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, memberOf(e, type) + " has the wrong JSON type or value");
        } catch (IOException | IllegalArgumentException e) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "value does not match the event schema");
        }
    }

    /** One strict UTF-8 JSON object, or why not (fixed phrases only: Jackson's messages quote the input). */
    private static JsonNode readObject(byte[] value) throws DecodeException {
        if (value == null || value.length == 0) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "empty record value");
        }
        requireUtf8(value);
        JsonNode tree;
        try (JsonParser p = MAPPER.createParser(value)) {
            tree = MAPPER.readTree(p);
        } catch (JsonMappingException e) {
            // Reading a tree maps nothing: a mapping failure here is a repeated member or trailing data.
            throw new DecodeException(DeadLetterReason.UNDECODABLE,
                    "value is not one JSON object with distinct members (a member repeats or data follows it)");
        } catch (IOException e) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "value is not well-formed JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "value is not a JSON object");
        }
        return tree;
    }

    /**
     * UTF-8 only: a byte order mark, invalid UTF-8 sequences and NUL bytes (UTF-16 or UTF-32 text, which JSON parsers
     * otherwise detect and accept) are refused. A NUL byte can never be part of valid JSON text.
     */
    private static void requireUtf8(byte[] value) throws DecodeException {
        if (value.length >= 2 && ((value[0] == (byte) 0xFE && value[1] == (byte) 0xFF)
                || (value[0] == (byte) 0xFF && value[1] == (byte) 0xFE))) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "value is not UTF-8 (a UTF-16 or UTF-32 byte order mark)");
        }
        if (value.length >= 3 && value[0] == (byte) 0xEF && value[1] == (byte) 0xBB && value[2] == (byte) 0xBF) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "value starts with a UTF-8 byte order mark");
        }
        for (byte b : value) {
            if (b == 0) {
                throw new DecodeException(DeadLetterReason.UNDECODABLE, "value is not UTF-8 (it holds NUL bytes)");
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value));
        } catch (CharacterCodingException e) {
            throw new DecodeException(DeadLetterReason.UNDECODABLE, "value is not valid UTF-8");
        }
    }

    /**
     * The schema member a mapping failure is about, e.g. {@code 'prompt'} or {@code 'contentBlocks[2]'}; never a
     * key of a free-form map or a member the schema does not define.
     */
    private static String memberOf(JsonMappingException e, Class<? extends Record> type) {
        if (e.getPath().isEmpty()) {
            return "a member";
        }
        JsonMappingException.Reference first = e.getPath().get(0);
        Set<String> members = Arrays.stream(type.getRecordComponents()).map(c -> c.getName()).collect(Collectors.toSet());
        if (first.getFieldName() == null || !members.contains(first.getFieldName())) {
            return "a member";
        }
        String name = first.getFieldName();
        if (e.getPath().size() > 1 && e.getPath().get(1).getIndex() >= 0) {
            name += "[" + e.getPath().get(1).getIndex() + "]";
        }
        return "'" + name + "'";
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
        if (hasText && isBlank(e.prompt())) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, "'prompt' is blank");
        }
        if (hasBlocks && e.contentBlocks().stream().anyMatch(b -> b == null)) {
            throw new DecodeException(DeadLetterReason.INVALID_FIELD, "'contentBlocks' contains null");
        }
        if (e.metadata() != null && e.metadata().values().stream().anyMatch(v -> v == null)) {
            throw new DecodeException(DeadLetterReason.INVALID_FIELD, "'metadata' values must be strings");
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

    /**
     * True when {@code s} has nothing visible: only whitespace, space separators (U+00A0, U+2007, U+202F, U+3000,
     * ...), line and paragraph separators, control and format characters (zero-width spaces, U+FEFF).
     */
    static boolean isBlank(String s) {
        return s.codePoints().allMatch(cp -> {
            int t = Character.getType(cp);
            return Character.isWhitespace(cp) || t == Character.SPACE_SEPARATOR || t == Character.LINE_SEPARATOR
                    || t == Character.PARAGRAPH_SEPARATOR || t == Character.CONTROL || t == Character.FORMAT;
        });
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
        if (value == null || isBlank(value)) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, "'" + name + "' is required");
        }
    }
}
