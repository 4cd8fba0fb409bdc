package com.betterdb.semanticcache.openai;

import com.betterdb.semanticcache.ComputeResult;
import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;

import java.time.Instant;

/**
 * Rebuilds OpenAI responses from cache hits and joins. The JSON is the API's own shape, read by the SDK's own mapper
 * (the code path of a real HTTP response), so a hit does not depend on which builder fields a given SDK version
 * requires; the {@link CacheHitMetadata} marks are extra members ({@code _additionalProperties()}).
 */
final class CachedResponses {

    private CachedResponses() {
    }

    static ChatCompletion chatCompletion(ComputeResult hit, String model) {
        JsonMapper json = ObjectMappers.jsonMapper();
        ObjectNode root = json.createObjectNode();
        root.put("id", "chatcmpl-" + CacheHitMetadata.responseId(hit));
        root.put("object", "chat.completion");
        root.put("created", Instant.now().getEpochSecond());
        root.put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", hit.response());
        message.putNull("refusal");
        message.putArray("annotations");
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", 0);
        usage.put("completion_tokens", 0);
        usage.put("total_tokens", 0);
        mark(json, root, hit);
        return json.convertValue(root, ChatCompletion.class);
    }

    static Response response(ComputeResult hit, String model, ResponseCreateParams params) {
        JsonMapper json = ObjectMappers.jsonMapper();
        String id = CacheHitMetadata.responseId(hit);
        ObjectNode root = json.createObjectNode();
        root.put("id", "resp_" + id);
        root.put("object", "response");
        root.put("created_at", Instant.now().getEpochSecond());
        root.put("status", "completed");
        root.putNull("error");
        root.putNull("incomplete_details");
        params.instructions().ifPresentOrElse(i -> root.put("instructions", i), () -> root.putNull("instructions"));
        root.put("model", model);
        ObjectNode message = root.putArray("output").addObject();
        message.put("type", "message");
        message.put("id", "msg_" + id);
        message.put("status", "completed");
        message.put("role", "assistant");
        ObjectNode text = message.putArray("content").addObject();
        text.put("type", "output_text");
        text.put("text", hit.response());
        text.putArray("annotations");
        root.put("parallel_tool_calls", params.parallelToolCalls().orElse(true));
        params.temperature().ifPresentOrElse(t -> root.put("temperature", t), () -> root.putNull("temperature"));
        params.topP().ifPresentOrElse(t -> root.put("top_p", t), () -> root.putNull("top_p"));
        root.put("tool_choice", "auto");
        root.putArray("tools");
        root.putObject("metadata");
        ObjectNode usage = root.putObject("usage");
        usage.put("input_tokens", 0);
        usage.putObject("input_tokens_details").put("cached_tokens", 0);
        usage.put("output_tokens", 0);
        usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
        usage.put("total_tokens", 0);
        mark(json, root, hit);
        return json.convertValue(root, Response.class);
    }

    private static void mark(JsonMapper json, ObjectNode root, ComputeResult hit) {
        CacheHitMetadata.of(hit).forEach((key, value) -> root.set(key, json.valueToTree(value)));
    }
}
