package com.betterdb.semanticcache.prompt;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A part of a multi-modal prompt or response (docs/data-format.md §12.1). Serialised as JSON objects discriminated
 * by {@code type}, with camelCase member names, exactly as the TypeScript and Python packages write them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ContentBlock.Text.class, name = "text"),
        @JsonSubTypes.Type(value = ContentBlock.Binary.class, name = "binary"),
        @JsonSubTypes.Type(value = ContentBlock.ToolCall.class, name = "tool_call"),
        @JsonSubTypes.Type(value = ContentBlock.ToolResult.class, name = "tool_result"),
        @JsonSubTypes.Type(value = ContentBlock.Reasoning.class, name = "reasoning")
})
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public sealed interface ContentBlock {

    /** Free-form provider hints, e.g. {@code anthropicCacheControl}; may be {@code null}. */
    Map<String, Object> hints();

    static Text text(String text) {
        return new Text(text, null);
    }

    static Binary binary(BinaryKind kind, String mediaType, String ref) {
        return new Binary(kind, mediaType, ref, null, null, null);
    }

    static Reasoning reasoning(String text) {
        return new Reasoning(text, null, null, null);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Text(String text, Map<String, Object> hints) implements ContentBlock {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * @param kind      image, audio or document
     * @param mediaType e.g. {@code image/png}
     * @param ref       opaque reference produced by a {@link BinaryNormalizer}; indexed in {@code binary_refs}
     * @param detail    {@code auto}, {@code low}, {@code high} or {@code original}; may be {@code null}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Binary(BinaryKind kind, String mediaType, String ref, String detail, String filename,
                  Map<String, Object> hints) implements ContentBlock {
        public Binary {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(ref, "ref");
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ToolCall(String id, String name, Object args, Map<String, Object> hints) implements ContentBlock {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ToolResult(String toolCallId, List<ContentBlock> content, Boolean isError,
                      Map<String, Object> hints) implements ContentBlock {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Reasoning(String text, String opaqueSignature, Boolean redacted,
                     Map<String, Object> hints) implements ContentBlock {
    }
}
