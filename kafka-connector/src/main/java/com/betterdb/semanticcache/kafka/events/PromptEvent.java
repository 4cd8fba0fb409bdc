package com.betterdb.semanticcache.kafka.events;

import com.betterdb.semanticcache.prompt.ContentBlock;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * A prompt to answer, read from the prompts topic. Schema version {@value Events#VERSION}.
 *
 * @param v             schema version (required, 1)
 * @param id            request id (required, non-blank); carried to every output
 * @param prompt        the prompt text; exactly one of {@code prompt} and {@code contentBlocks} is required
 * @param contentBlocks a multi-modal prompt as content blocks ({@code type}: text, binary, ...)
 * @param model         the model the caller would use (optional; passed through)
 * @param category      cache category (optional): per-category threshold, metric label
 * @param threshold     per-request cosine-distance threshold 0..2 (optional)
 * @param metadata      free-form string map (optional; passed through to the LLM request)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record PromptEvent(Integer v, String id, String prompt, List<ContentBlock> contentBlocks, String model,
                          String category, Double threshold, Map<String, String> metadata) {

    public static PromptEvent of(String id, String prompt) {
        return new PromptEvent(Events.VERSION, id, prompt, null, null, null, null, null);
    }

    public PromptEvent withCategory(String category) {
        return new PromptEvent(v, id, prompt, contentBlocks, model, category, threshold, metadata);
    }

    public PromptEvent withModel(String model) {
        return new PromptEvent(v, id, prompt, contentBlocks, model, category, threshold, metadata);
    }

    public PromptEvent withThreshold(Double threshold) {
        return new PromptEvent(v, id, prompt, contentBlocks, model, category, threshold, metadata);
    }
}
