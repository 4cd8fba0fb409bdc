package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Prompt;

import java.util.List;
import java.util.Objects;

/**
 * What an LLM client adapter takes from a request to look it up in the cache: the text that is embedded, the
 * content blocks when the selected message had multi-part content, and the requested model.
 *
 * @param text   the text blocks' text joined with one space, or the message's plain string content; {@code ""} when
 *               the request has no user text
 * @param blocks the message's parts as content blocks (binary parts carry their normalizer's ref), or {@code null}
 *               when the content was a plain string
 * @param model  the model the request names, or {@code null}
 */
public record SemanticParams(String text, List<ContentBlock> blocks, String model) {

    public SemanticParams {
        Objects.requireNonNull(text, "text");
        blocks = blocks == null ? null : List.copyOf(blocks);
    }

    /** Plain text content, no blocks. */
    public static SemanticParams text(String text, String model) {
        return new SemanticParams(text, null, model);
    }

    /** Multi-part content: the text is the text blocks' text joined with one space. */
    public static SemanticParams blocks(List<? extends ContentBlock> blocks, String model) {
        return new SemanticParams(Prompt.textOf(blocks), List.copyOf(blocks), model);
    }

    /** The prompt to look up and store: multi-part (with its binary refs) when there are blocks. */
    public Prompt prompt() {
        return blocks == null ? Prompt.of(text) : Prompt.of(blocks);
    }
}
