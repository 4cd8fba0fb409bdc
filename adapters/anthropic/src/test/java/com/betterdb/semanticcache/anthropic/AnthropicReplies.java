package com.betterdb.semanticcache.anthropic;

/** Bodies in the shapes the Anthropic Messages API returns them. */
final class AnthropicReplies {

    static final String MODEL = "claude-sonnet-4-5-20250929";

    private AnthropicReplies() {
    }

    static String message(String text, int inputTokens, int outputTokens) {
        return """
                {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"%s",
                 "content":[{"type":"text","text":%s}],
                 "stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":%d,"output_tokens":%d,"cache_creation_input_tokens":0,
                          "cache_read_input_tokens":0,"service_tier":"standard"}}
                """.formatted(MODEL, quote(text), inputTokens, outputTokens);
    }

    static final String TOOL_USE = """
            {"id":"msg_tool","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
             "content":[{"type":"text","text":"Let me check the weather."},
                        {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather",
                         "input":{"location":"Paris"}}],
             "stop_reason":"tool_use","stop_sequence":null,
             "usage":{"input_tokens":300,"output_tokens":60}}
            """;

    static final String SERVER_ERROR = """
            {"type":"error","error":{"type":"api_error","message":"Internal server error"},
             "request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}
            """;

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
