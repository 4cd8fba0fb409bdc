package com.betterdb.semanticcache.kafka.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An LLM worker's answer to an {@link LlmRequestEvent}, read from the llm-replies topic, stored in the cache and
 * forwarded as a {@link ResponseEvent} with {@code source=llm}. Schema version {@value Events#VERSION}.
 *
 * @param v            schema version (required)
 * @param id           the request id (required): the cache entry id is derived from it, so a redelivered reply
 *                     overwrites its entry instead of adding a second one
 * @param prompt       the prompt text that was answered (required): what is embedded and stored
 * @param response     the response text (required)
 * @param model        model that answered (optional; with token counts it prices the entry)
 * @param inputTokens  prompt tokens (optional, >= 0)
 * @param outputTokens completion tokens (optional, >= 0)
 * @param category     cache category (optional)
 * @param ttlSeconds   entry TTL in seconds (optional, >= 0; absent = the cache default)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record LlmReplyEvent(Integer v, String id, String prompt, String response, String model, Integer inputTokens,
                            Integer outputTokens, String category, Long ttlSeconds) {

    public static LlmReplyEvent of(String id, String prompt, String response) {
        return new LlmReplyEvent(Events.VERSION, id, prompt, response, null, null, null, null, null);
    }
}
