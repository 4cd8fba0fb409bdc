package com.betterdb.semanticcache.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import java.io.IOException;

/** The library's one Jackson mapper: compact output, JavaScript-style numbers, lenient reading. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .registerModule(new SimpleModule("js-numbers")
                    .addSerializer(Double.class, new JsDoubleSerializer())
                    .addSerializer(double.class, new JsDoubleSerializer()));

    /** Writes content blocks with their {@code type} discriminator (the element type must be known to Jackson). */
    private static final com.fasterxml.jackson.databind.ObjectWriter BLOCKS_WRITER = MAPPER.writerFor(
            new com.fasterxml.jackson.core.type.TypeReference<java.util.List<com.betterdb.semanticcache.prompt.ContentBlock>>() {
            });

    private Json() {
    }

    /** Compact JSON array of content blocks, each with its {@code type}. */
    public static String writeBlocks(java.util.List<com.betterdb.semanticcache.prompt.ContentBlock> blocks) {
        try {
            return BLOCKS_WRITER.writeValueAsString(blocks);
        } catch (IOException e) {
            throw new IllegalArgumentException("content blocks cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    /** Compact JSON text of a value. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("value cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    /** Parses JSON text, or returns {@code null} when it is not JSON. */
    public static JsonNode tryParse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return MAPPER.readTree(text);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A JSON string literal, quotes included. */
    public static String quote(String s) {
        return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
    }

    private static final class JsDoubleSerializer extends StdSerializer<Double> {
        private static final long serialVersionUID = 1L;

        JsDoubleSerializer() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value.isNaN() || value.isInfinite()) {
                gen.writeNull(); // JSON.stringify writes null for non-finite numbers
            } else {
                gen.writeNumber(JsNumberFormat.format(value));
            }
        }
    }
}
