package com.betterdb.semanticcache.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An immutable map from model id to {@link ModelCost} (docs/decision-rules.md §9). Model ids are matched exactly and
 * case-sensitively.
 *
 * <p>{@link #bundled()} is the default table shipped with the library: the same 1,971 LiteLLM prices (commit
 * {@code 26fcbc9}, retrieved 2026-04-21) that the TypeScript and Python packages bundle, bit for bit. The data and
 * its provenance live in the resources {@code model-prices.json} and {@code PROVENANCE.md} beside this class.
 */
public final class CostTable {

    static final String RESOURCE = "model-prices.json";

    private static final CostTable NONE = new CostTable(Map.of());

    private final Map<String, ModelCost> entries;

    private CostTable(Map<String, ModelCost> entries) {
        this.entries = entries;
    }

    /** The bundled default table (loaded once, on first use). */
    public static CostTable bundled() {
        return Bundled.TABLE;
    }

    /** A table of exactly these entries (copied). */
    public static CostTable of(Map<String, ModelCost> entries) {
        Objects.requireNonNull(entries, "entries");
        if (entries.isEmpty()) {
            return NONE;
        }
        Map<String, ModelCost> copy = new HashMap<>(entries.size() * 2);
        entries.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "model id"),
                Objects.requireNonNull(v, "cost of " + k)));
        return new CostTable(Collections.unmodifiableMap(copy));
    }

    /** The empty table: cost tracking disabled. */
    public static CostTable none() {
        return NONE;
    }

    /**
     * The effective table for the options {@code useDefaultCostTable} and {@code costTable} (docs/decision-rules.md §9).
     *
     * <table>
     *   <caption>merge rules</caption>
     *   <tr><th>useDefault</th><th>overrides</th><th>result</th></tr>
     *   <tr><td>true</td><td>null / empty</td><td>the bundled table</td></tr>
     *   <tr><td>true</td><td>non-empty</td><td>bundled, then every override replaces/extends by key</td></tr>
     *   <tr><td>false</td><td>null / empty</td><td>{@link #none()}: cost tracking disabled</td></tr>
     *   <tr><td>false</td><td>non-empty</td><td>only the overrides</td></tr>
     * </table>
     */
    public static CostTable effective(boolean useDefault, Map<String, ModelCost> overrides) {
        boolean noOverrides = overrides == null || overrides.isEmpty();
        if (useDefault) {
            if (noOverrides) {
                return bundled();
            }
            Map<String, ModelCost> merged = new HashMap<>(bundled().entries);
            overrides.forEach((k, v) -> merged.put(Objects.requireNonNull(k, "model id"),
                    Objects.requireNonNull(v, "cost of " + k)));
            return new CostTable(Collections.unmodifiableMap(merged));
        }
        return noOverrides ? NONE : of(overrides);
    }

    /** The price entry for exactly this model id (case-sensitive), if any. */
    public Optional<ModelCost> find(String model) {
        return model == null ? Optional.empty() : Optional.ofNullable(entries.get(model));
    }

    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** An unmodifiable view of the entries. */
    public Map<String, ModelCost> asMap() {
        return entries;
    }

    /**
     * The cost of a response in micro-dollars (docs/decision-rules.md §9), or empty when no cost is computed: the model is
     * null or empty, a token count is missing, or the table has no entry for the model.
     *
     * <p>Evaluated in IEEE double exactly as the reference packages do:
     * {@code (in * inputPer1k) / 1000 + (out * outputPer1k) / 1000}, then {@code * 1_000_000}, then rounded with
     * {@link Math#round(double)}, which rounds halves up like TypeScript's {@code Math.round} (e.g. 112.5 → 113).
     * The Python package uses banker's rounding instead (112.5 → 112, 0.5 → 0), so for exact halves the two
     * reference implementations store different values; this port follows TypeScript. The result may be 0; callers
     * write {@code cost_micros} only when it is greater than 0.
     */
    public OptionalLong costMicros(String model, Integer inputTokens, Integer outputTokens) {
        if (model == null || model.isEmpty() || inputTokens == null || outputTokens == null) {
            return OptionalLong.empty();
        }
        ModelCost cost = entries.get(model);
        if (cost == null) {
            return OptionalLong.empty();
        }
        double dollars = (inputTokens * cost.inputPer1k()) / 1000 + (outputTokens * cost.outputPer1k()) / 1000;
        return OptionalLong.of(Math.round(dollars * 1_000_000));
    }

    @Override
    public String toString() {
        return "CostTable[" + entries.size() + " models]";
    }

    static CostTable load(InputStream in) throws IOException {
        JsonNode root = new ObjectMapper().readTree(in);
        JsonNode models = root == null ? null : root.get("models");
        if (models == null || !models.isObject()) {
            throw new IOException("price table has no 'models' object");
        }
        Map<String, ModelCost> map = new LinkedHashMap<>(models.size() * 2);
        for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode in1k = e.getValue().get("input_per_1k");
            JsonNode out1k = e.getValue().get("output_per_1k");
            if (in1k == null || !in1k.isNumber() || out1k == null || !out1k.isNumber()) {
                throw new IOException("price entry '" + e.getKey() + "' lacks numeric input_per_1k/output_per_1k");
            }
            map.put(e.getKey(), new ModelCost(in1k.doubleValue(), out1k.doubleValue()));
        }
        return new CostTable(Collections.unmodifiableMap(map));
    }

    /** Lazy holder: the bundled table is parsed on first access only. */
    private static final class Bundled {
        static final CostTable TABLE = loadBundled();

        private static CostTable loadBundled() {
            try (InputStream in = CostTable.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("bundled price table resource " + RESOURCE + " is missing");
                }
                return load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read bundled price table " + RESOURCE, e);
            }
        }
    }
}
