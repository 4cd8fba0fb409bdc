package com.betterdb.semanticcache;

import com.betterdb.semanticcache.prompt.Prompt;

import java.util.Objects;

/** One element of {@code storeAll}. */
public record StoreRequest(Prompt prompt, String response, StoreOptions options) {
    public StoreRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(response, "response");
        options = options == null ? StoreOptions.defaults() : options;
    }

    public static StoreRequest of(String prompt, String response) {
        return new StoreRequest(Prompt.of(prompt), response, null);
    }

    public static StoreRequest of(String prompt, String response, StoreOptions options) {
        return new StoreRequest(Prompt.of(prompt), response, options);
    }
}
