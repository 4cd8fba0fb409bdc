package com.betterdb.semanticcache;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-store options (api.md §2.3). {@code null} means "not given" for every optional field.
 *
 * @param ttl          entry TTL; {@code null} = the effective default TTL (none unless configured)
 * @param category     {@code ""} = none
 * @param model        {@code ""} = none; with token counts, selects the price for {@code cost_micros}
 * @param metadata     stored as a JSON object; values are strings or numbers
 * @param inputTokens  prompt tokens of the response being stored
 * @param outputTokens completion tokens of the response being stored
 * @param temperature  stored as a NUMERIC field when given
 * @param topP         stored as {@code top_p} when given
 * @param seed         stored when given
 * @param entryId      the {@code {uuid}} part of the entry key; {@code null} = a random UUIDv4. Give a name-based
 *                     UUID (e.g. {@code UUID.nameUUIDFromBytes(requestId)}) to make a store idempotent: storing
 *                     again with the same id overwrites the entry instead of adding a second one
 */
public record StoreOptions(
        Duration ttl,
        String category,
        String model,
        Map<String, Object> metadata,
        Integer inputTokens,
        Integer outputTokens,
        Double temperature,
        Double topP,
        Long seed,
        java.util.UUID entryId) {

    private static final StoreOptions DEFAULTS = new StoreOptions(null, "", "", Map.of(), null, null, null, null, null,
            null);

    public StoreOptions {
        category = category == null ? "" : category;
        model = model == null ? "" : model;
        metadata = metadata == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        if (temperature != null && !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite, got " + temperature);
        }
        if (topP != null && !Double.isFinite(topP)) {
            throw new IllegalArgumentException("topP must be finite, got " + topP);
        }
        if (ttl != null && (ttl.isNegative() || ttl.getNano() != 0)) {
            // Valkey's EXPIRE takes whole seconds: a fraction would be truncated (500 ms -> EXPIRE 0 deletes the entry).
            throw new IllegalArgumentException("ttl must be a non-negative whole number of seconds, got " + ttl);
        }
        if (inputTokens != null && inputTokens < 0) {
            throw new IllegalArgumentException("inputTokens must be >= 0, got " + inputTokens);
        }
        if (outputTokens != null && outputTokens < 0) {
            throw new IllegalArgumentException("outputTokens must be >= 0, got " + outputTokens);
        }
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            Object v = e.getValue();
            if (!(v instanceof String) && !(v instanceof Number)) {
                throw new IllegalArgumentException("metadata value of '" + e.getKey()
                        + "' must be a String or a Number, got " + (v == null ? "null" : v.getClass().getName()));
            }
        }
    }

    public static StoreOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to derive changed copies. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.ttl = ttl;
        b.category = category;
        b.model = model;
        b.metadata = new LinkedHashMap<>(metadata);
        b.inputTokens = inputTokens;
        b.outputTokens = outputTokens;
        b.temperature = temperature;
        b.topP = topP;
        b.seed = seed;
        b.entryId = entryId;
        return b;
    }

    public static final class Builder {
        private Duration ttl;
        private String category = "";
        private String model = "";
        private Map<String, Object> metadata = new LinkedHashMap<>();
        private Integer inputTokens;
        private Integer outputTokens;
        private Double temperature;
        private Double topP;
        private Long seed;
        private java.util.UUID entryId;

        private Builder() {
        }

        public Builder ttl(Duration ttl) {
            this.ttl = ttl;
            return this;
        }

        public Builder category(String category) {
            this.category = category;
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder metadata(Map<String, ?> metadata) {
            this.metadata = new LinkedHashMap<>(metadata);
            return this;
        }

        public Builder metadata(String key, Object value) {
            this.metadata.put(key, value);
            return this;
        }

        public Builder tokens(int inputTokens, int outputTokens) {
            this.inputTokens = inputTokens;
            this.outputTokens = outputTokens;
            return this;
        }

        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder topP(double topP) {
            this.topP = topP;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Fixed entry id for idempotent stores (see {@link StoreOptions#entryId()}). */
        public Builder entryId(java.util.UUID entryId) {
            this.entryId = entryId;
            return this;
        }

        public StoreOptions build() {
            return new StoreOptions(ttl, category, model, metadata, inputTokens, outputTokens, temperature, topP, seed,
                    entryId);
        }
    }
}
