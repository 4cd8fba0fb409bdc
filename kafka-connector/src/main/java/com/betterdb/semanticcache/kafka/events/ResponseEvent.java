package com.betterdb.semanticcache.kafka.events;

import com.betterdb.semanticcache.prompt.ContentBlock;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The answer to a prompt, written to the responses topic. Schema version {@value Events#VERSION}.
 *
 * @param v             schema version
 * @param id            the request id of the prompt
 * @param response      the response text
 * @param contentBlocks the response's content blocks when the cached entry has them (cache hits only)
 * @param source        {@code cache} (a hit), {@code llm} (a stored LLM reply) or {@code error} (no answer)
 * @param similarity    cosine distance of the matched entry (cache hits) or of the prompt whose reply answered this
 *                      one ({@code coalesced})
 * @param confidence    {@code high} or {@code uncertain} (cache hits)
 * @param matchedKey    the cache entry key: the matched one (hits) or the one written (llm)
 * @param costSaved     dollars saved by the hit, when the entry has a cost
 * @param model         model of the reply (llm) or of the request (cache, error)
 * @param error         why there is no answer ({@code source=error}): {@value #ERROR_LLM_TIMEOUT}
 * @param coalesced     {@code true} when the answer is the LLM's reply to another prompt within the threshold that was
 *                      already with the LLM ({@code source=llm}; {@code similarity} is the distance to that prompt);
 *                      absent otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResponseEvent(Integer v, String id, String response, List<ContentBlock> contentBlocks, String source,
                            Double similarity, String confidence, String matchedKey, Double costSaved, String model,
                            String error, Boolean coalesced) {

    public static final String SOURCE_CACHE = "cache";
    public static final String SOURCE_LLM = "llm";
    public static final String SOURCE_ERROR = "error";
    /** {@code error} of a prompt whose LLM request got no reply after every attempt. */
    public static final String ERROR_LLM_TIMEOUT = "LLM_TIMEOUT";
}
