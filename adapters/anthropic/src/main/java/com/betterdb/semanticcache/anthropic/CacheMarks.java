package com.betterdb.semanticcache.anthropic;

import com.anthropic.core.ObjectMappers;
import com.anthropic.models.messages.Message;
import com.betterdb.semanticcache.ComputeResult;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.UUID;

/**
 * Rebuilds an Anthropic {@link Message} from a cache hit. The JSON is the API's own shape, read by the SDK's own
 * mapper (the code path of a real HTTP response), so a hit does not depend on which builder fields a given SDK
 * version requires.
 */
final class CacheMarks {

    /**
     * Member added to a rebuilt message: {@code {"hit": true, "outcome": "hit"|"joined", "key": ...,
     * "similarity": ...}} ({@code joined}: the call waited for a concurrent paraphrase's Anthropic call).
     */
    static final String FIELD = "betterdb_cache";
    /** Start of the id part of a rebuilt message's id. */
    static final String ID_MARK = "cache-";

    private CacheMarks() {
    }

    static Message message(ComputeResult hit, String model) {
        JsonMapper json = ObjectMappers.jsonMapper();
        ObjectNode root = json.createObjectNode();
        String key = hit.entryKey();
        root.put("id", "msg_" + ID_MARK + (key == null ? UUID.randomUUID().toString()
                : key.substring(key.lastIndexOf(':') + 1)));
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
        ObjectNode mark = root.putObject(FIELD);
        mark.put("hit", true);
        mark.put("outcome", hit.fromCache() ? "hit" : "joined");
        if (key != null) {
            mark.put("key", key);
        }
        if (hit.fromCache() && hit.lookup() != null && hit.lookup().similarity() != null) {
            mark.put("similarity", hit.lookup().similarity());
        }
        return json.convertValue(root, Message.class);
    }
}
