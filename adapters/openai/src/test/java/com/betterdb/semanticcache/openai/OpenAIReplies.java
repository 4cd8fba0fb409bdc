package com.betterdb.semanticcache.openai;

/** Bodies in the shapes the OpenAI API returns them (Chat Completions, Responses, errors). */
final class OpenAIReplies {

    static final String MODEL = "gpt-4o-2024-08-06";

    private OpenAIReplies() {
    }

    static String chat(String content, int promptTokens, int completionTokens) {
        return """
                {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,
                 "model":"%s",
                 "choices":[{"index":0,"message":{"role":"assistant","content":%s,"refusal":null,"annotations":[]},
                             "logprobs":null,"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d,
                          "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
                          "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,
                                                       "accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},
                 "service_tier":"default","system_fingerprint":"fp_fc9f1d7035"}
                """.formatted(MODEL, quote(content), promptTokens, completionTokens, promptTokens + completionTokens);
    }

    static final String CHAT_TOOL_CALL = """
            {"id":"chatcmpl-tool","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-08-06",
             "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,"annotations":[],
                         "tool_calls":[{"id":"call_abc","type":"function",
                                        "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                         "logprobs":null,"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":50,"completion_tokens":15,"total_tokens":65}}
            """;

    static String response(String text, int inputTokens, int outputTokens) {
        return """
                {"id":"resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b","object":"response",
                 "created_at":1741476542,"status":"completed","error":null,"incomplete_details":null,
                 "instructions":null,"max_output_tokens":null,"model":"gpt-4.1-2025-04-14",
                 "output":[{"type":"message","id":"msg_67ccd2bf17f0819081ff3bb2cf6508e6","status":"completed",
                            "role":"assistant",
                            "content":[{"type":"output_text","text":%s,"annotations":[]}]}],
                 "parallel_tool_calls":true,"previous_response_id":null,
                 "reasoning":{"effort":null,"summary":null},"store":true,"temperature":1.0,
                 "text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,
                 "truncation":"disabled",
                 "usage":{"input_tokens":%d,"input_tokens_details":{"cached_tokens":0},"output_tokens":%d,
                          "output_tokens_details":{"reasoning_tokens":0},"total_tokens":%d},
                 "user":null,"metadata":{}}
                """.formatted(quote(text), inputTokens, outputTokens, inputTokens + outputTokens);
    }

    static final String RESPONSE_FUNCTION_CALL = """
            {"id":"resp_fc","object":"response","created_at":1741476542,"status":"completed","error":null,
             "incomplete_details":null,"instructions":null,"model":"gpt-4.1-2025-04-14",
             "output":[{"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather",
                        "arguments":"{\\"city\\":\\"Paris\\"}","status":"completed"}],
             "parallel_tool_calls":true,"temperature":1.0,"tool_choice":"auto","tools":[],"top_p":1.0,
             "usage":{"input_tokens":40,"input_tokens_details":{"cached_tokens":0},"output_tokens":12,
                      "output_tokens_details":{"reasoning_tokens":0},"total_tokens":52},"metadata":{}}
            """;

    static final String SERVER_ERROR = """
            {"error":{"message":"The server had an error while processing your request.","type":"server_error",
                      "param":null,"code":null}}
            """;

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
