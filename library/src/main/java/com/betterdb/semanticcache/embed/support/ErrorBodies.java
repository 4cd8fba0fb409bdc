package com.betterdb.semanticcache.embed.support;

import com.betterdb.semanticcache.internal.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** Reads the human-readable message out of a provider's error body. */
public final class ErrorBodies {

    private ErrorBodies() {
    }

    /**
     * The message of an error body in the shapes the providers use: {@code {"error":{"message":..}}} (OpenAI, Google,
     * Vertex), {@code {"error":".."}} (Ollama), {@code {"message":..}} (Cohere, Bedrock), {@code {"detail":..}}
     * (Voyage; a list of {@code {"msg":..}} from request validation). Anything else: the body itself, trimmed.
     * Returns null for an empty body. Not redacted: pass the result through a {@link Redactor}.
     */
    public static String message(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        JsonNode json = Json.tryParse(body);
        if (json == null || !json.isObject()) {
            return body.strip();
        }
        JsonNode error = json.get("error");
        if (error != null && error.isObject() && error.path("message").isTextual()) {
            return error.get("message").asText();
        }
        if (error != null && error.isTextual()) {
            return error.asText();
        }
        for (String field : new String[]{"message", "Message", "detail"}) {
            JsonNode m = json.get(field);
            if (m != null && m.isTextual()) {
                return m.asText();
            }
        }
        JsonNode detail = json.get("detail");
        if (detail != null && detail.isArray()) {
            List<String> msgs = new ArrayList<>();
            detail.forEach(d -> {
                if (d.path("msg").isTextual()) {
                    msgs.add(d.get("msg").asText());
                }
            });
            if (!msgs.isEmpty()) {
                return String.join("; ", msgs);
            }
        }
        return body.strip();
    }
}
