package com.betterdb.semanticcache.kafka.events;

import com.betterdb.semanticcache.prompt.ContentBlock;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * A cache miss for an LLM worker, written to the llm-requests topic: the prompt event plus what the cache found
 * nearest. Schema version {@value Events#VERSION}.
 *
 * @param nearestMiss the closest entry that was not close enough, or {@code null} when the cache had no candidate
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record LlmRequestEvent(Integer v, String id, String prompt, List<ContentBlock> contentBlocks, String model,
                              String category, Double threshold, Map<String, String> metadata,
                              NearestMissInfo nearestMiss) {

    /**
     * @param similarity       cosine distance of the nearest entry
     * @param deltaToThreshold {@code similarity - threshold} (positive: how far it was from a hit)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record NearestMissInfo(Double similarity, Double deltaToThreshold) {
    }
}
