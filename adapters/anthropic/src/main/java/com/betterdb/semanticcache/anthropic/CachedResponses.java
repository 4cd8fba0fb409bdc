package com.betterdb.semanticcache.anthropic;

import com.anthropic.core.ObjectMappers;
import com.anthropic.models.messages.Message;
import com.betterdb.semanticcache.ComputeResult;
import com.betterdb.semanticcache.adapter.CacheHitMetadata;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;


/**
 * Rebuilds an Anthropic {@link Message} from a cache hit or a join. The JSON is the API's own shape, read by the SDK's
 * own mapper (the code path of a real HTTP response), so a hit does not depend on which builder fields a given SDK
 * version requires; the {@link CacheHitMetadata} marks are extra members ({@code _additionalProperties()}).
 */
final class CachedResponses {

    private CachedResponses() {
    }

    static Message message(ComputeResult hit, String model) {
        JsonMapper json = ObjectMappers.jsonMapper();
        ObjectNode root = json.createObjectNode();
        root.put("id", "msg_" + CacheHitMetadata.responseId(hit));
        root.put("type", "message");
        root.put("role", "assistant");
        root.put("model", model);
        ObjectNode text = root.putArray("content").addObject();
        text.put("type", "text");
        text.put("text", hit.response());
        text.putNull("citations");
        root.put("stop_reason", "end_turn");
        root.putNull("stop_sequence");
        root.putNull("stop_details");
        root.putNull("container");
        root.putNull("diagnostics");
        ObjectNode usage = root.putObject("usage");
        usage.put("input_tokens", 0);
        usage.put("output_tokens", 0);
        usage.put("cache_creation_input_tokens", 0);
        usage.put("cache_read_input_tokens", 0);
        usage.putNull("cache_creation");
        usage.putNull("inference_geo");
        usage.putNull("output_tokens_details");
        usage.putNull("server_tool_use");
        usage.putNull("service_tier");
        usage.putNull("speed");
        CacheHitMetadata.of(hit).forEach((key, value) -> root.set(key, json.valueToTree(value)));
        return json.convertValue(root, Message.class);
    }
}
