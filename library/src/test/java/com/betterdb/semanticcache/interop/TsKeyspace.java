package com.betterdb.semanticcache.interop;

import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.store.Candidate;
import com.betterdb.semanticcache.testing.embed.TestEmbedder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keyspace the TypeScript package 0.12.0 wrote for cache {@code tsfx} ({@code interop/ts-0.12.0-keyspace.json},
 * a copy of {@code shared/fixtures/interop/}; its README describes the scripted run), loadable into a test server
 * under another cache name.
 */
final class TsKeyspace {

    static final String RESOURCE = "/interop/ts-0.12.0-keyspace.json";
    static final String TS_NAME = "tsfx";
    static final int DIM = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    final JsonNode root;

    private TsKeyspace(JsonNode root) {
        this.root = root;
    }

    static TsKeyspace load() {
        try (InputStream in = TsKeyspace.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + RESOURCE);
            }
            TsKeyspace ks = new TsKeyspace(JSON.readTree(in));
            if (!TS_NAME.equals(ks.root.get("name").asText())) {
                throw new IllegalStateException("unexpected cache name in the dump: " + ks.root.get("name"));
            }
            return ks;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    /** {@code tsfx:...} → {@code name:...}. */
    static String rename(String tsKey, String name) {
        if (!tsKey.startsWith(TS_NAME + ":")) {
            throw new IllegalArgumentException("not a key of the dumped cache: " + tsKey);
        }
        return name + tsKey.substring(TS_NAME.length());
    }

    List<JsonNode> keys() {
        List<JsonNode> out = new ArrayList<>();
        root.get("keys").forEach(out::add);
        return out;
    }

    JsonNode key(String tsKey) {
        return keys().stream().filter(k -> k.get("key").asText().equals(tsKey)).findFirst()
                .orElseThrow(() -> new AssertionError("no key " + tsKey + " in the dump"));
    }

    /** The entry hashes ({@code tsfx:entry:*}). */
    List<JsonNode> entries() {
        return keys().stream().filter(k -> k.get("key").asText().startsWith(TS_NAME + ":entry:")).toList();
    }

    JsonNode entryByPrompt(String prompt) {
        return entries().stream().filter(e -> e.get("fields").get("prompt").asText().equals(prompt)).findFirst()
                .orElseThrow(() -> new AssertionError("no entry with prompt " + prompt));
    }

    /** Window members (member string → zset score), in dump (= score) order. */
    Map<String, Double> windowMembers() {
        Map<String, Double> out = new LinkedHashMap<>();
        key(TS_NAME + ":__similarity_window").get("members")
                .forEach(m -> out.put(m.get("member").asText(), Double.parseDouble(m.get("score_raw").asText())));
        return out;
    }

    /** The registry marker the TS package wrote for {@code tsfx}. */
    String registryMarker() {
        return root.get("registry").get("fields").get(TS_NAME).get("raw").asText();
    }

    /** A field value: text as UTF-8, binary ({@code {"base64":...}}) decoded. */
    static byte[] bytesOf(JsonNode value) {
        if (value.isTextual()) {
            return value.asText().getBytes(StandardCharsets.UTF_8);
        }
        if (value.isObject() && value.has("base64")) {
            return Base64.getDecoder().decode(value.get("base64").asText());
        }
        throw new IllegalArgumentException("unexpected value shape: " + value);
    }

    /**
     * Writes every dumped key under {@code name} (hashes field by field with binary values decoded, zsets with
     * their exact members and scores, strings) and restores positive TTLs. Returns the keys written.
     */
    List<String> loadInto(RedisCommands<byte[], byte[]> bin, String name) {
        List<String> written = new ArrayList<>();
        for (JsonNode k : keys()) {
            String key = rename(k.get("key").asText(), name);
            byte[] kb = key.getBytes(StandardCharsets.UTF_8);
            switch (k.get("type").asText()) {
                case "hash" -> {
                    Map<byte[], byte[]> fields = new LinkedHashMap<>();
                    Iterator<Map.Entry<String, JsonNode>> it = k.get("fields").fields();
                    while (it.hasNext()) {
                        Map.Entry<String, JsonNode> f = it.next();
                        fields.put(f.getKey().getBytes(StandardCharsets.UTF_8), bytesOf(f.getValue()));
                    }
                    bin.hset(kb, fields);
                }
                case "zset" -> k.get("members").forEach(m -> bin.zadd(kb,
                        Double.parseDouble(m.get("score_raw").asText()),
                        m.get("member").asText().getBytes(StandardCharsets.UTF_8)));
                case "string" -> bin.set(kb, bytesOf(k.get("value")));
                default -> throw new IllegalArgumentException("unexpected type " + k.get("type") + " of " + key);
            }
            long pttl = k.get("pttl").asLong();
            if (pttl > 0) {
                bin.pexpire(kb, pttl);
            }
            written.add(key);
        }
        return written;
    }

    /**
     * A brute-force KNN over the dumped entries (renamed to {@code name}), standing in for valkey-search on a plain
     * server: cosine distance of each stored {@code embedding} to the query, closest first; the candidate fields are
     * every text field of the hash, as the TS package wrote them.
     */
    List<Candidate> nearest(float[] query, String name) {
        List<Candidate> out = new ArrayList<>();
        for (JsonNode e : entries()) {
            Map<String, String> fields = new LinkedHashMap<>();
            float[] v = null;
            Iterator<Map.Entry<String, JsonNode>> it = e.get("fields").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("embedding")) {
                    v = Float32.decode(bytesOf(f.getValue()));
                } else {
                    fields.put(f.getKey(), f.getValue().asText());
                }
            }
            double d = TestEmbedder.cosineDistance(query, v);
            out.add(new Candidate(rename(e.get("key").asText(), name), Math.max(0, d), fields));
        }
        out.sort(Comparator.comparingDouble(Candidate::score));
        return out;
    }
}
