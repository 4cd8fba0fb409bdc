package com.betterdb.semanticcache.core;

import com.betterdb.semanticcache.CacheResult;
import com.betterdb.semanticcache.CheckOptions;
import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.StoreOptions;
import com.betterdb.semanticcache.cost.ModelCost;
import com.betterdb.semanticcache.internal.Float32;
import com.betterdb.semanticcache.internal.Hashing;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Prompt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.betterdb.semanticcache.core.RecordingStore.row;
import static org.assertj.core.api.Assertions.assertThat;

class StoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void storeWritesEveryFieldOfTheEntryHash() { // STORE-01, STORE-02, STORE-13
        CacheFixture f = CacheFixture.create().initialized();
        String key = f.cache.store("question", "answer").block();
        assertThat(key).startsWith("ftchar:entry:");
        UUID.fromString(key.substring("ftchar:entry:".length()));
        RecordingStore.Put put = f.store.puts.get(0);
        assertThat(put.key()).isEqualTo(key);
        assertThat(put.entry().fields()).containsExactly(
                Map.entry("prompt", "question"),
                Map.entry("response", "answer"),
                Map.entry("model", ""),
                Map.entry("category", ""),
                Map.entry("inserted_at", Long.toString(CacheFixture.NOW)),
                Map.entry("metadata", "{}"));
        assertThat(put.entry().embedding()).isEqualTo(Float32.encode(CacheFixture.VECTOR));
        assertThat(put.ttl()).isNull();
    }

    @Test
    void optionalNumericFieldsAreWrittenOnlyWhenGiven() { // STORE-04, STORE-05
        CacheFixture f = CacheFixture.create().initialized();
        f.cache.store("q", "a", StoreOptions.builder().temperature(0.7).topP(1.0).seed(42).build()).block();
        Map<String, String> fields = f.store.puts.get(0).entry().fields();
        assertThat(fields).containsEntry("temperature", "0.7").containsEntry("top_p", "1").containsEntry("seed", "42");
        f.cache.store("q", "a").block();
        assertThat(f.store.puts.get(1).entry().fields()).doesNotContainKeys("temperature", "top_p", "seed");
    }

    @Test
    void ttlIsPerCallElseDefault() { // STORE-03
        CacheFixture f = CacheFixture.create(b -> b.defaultTtl(Duration.ofSeconds(3600))).initialized();
        f.cache.store("q", "a").block();
        f.cache.store("q", "a", StoreOptions.builder().ttl(Duration.ofSeconds(60)).build()).block();
        assertThat(f.store.puts.get(0).ttl()).isEqualTo(Duration.ofSeconds(3600));
        assertThat(f.store.puts.get(1).ttl()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void metadataModelAndCategory() throws Exception {
        CacheFixture f = CacheFixture.create().initialized();
        f.cache.store("q", "a", StoreOptions.builder().model("gpt-4o").category("geo")
                .metadata("source", "faq").metadata("n", 1).build()).block();
        Map<String, String> fields = f.store.puts.get(0).entry().fields();
        assertThat(fields).containsEntry("model", "gpt-4o").containsEntry("category", "geo");
        assertThat(fields.get("metadata")).isEqualTo("{\"source\":\"faq\",\"n\":1}");
    }

    @Test
    void binaryRefsAreSortedAndJoined() { // STORE-07, STORE-08, STORE-09
        CacheFixture f = CacheFixture.create().initialized();
        f.cache.store(Prompt.of(ContentBlock.text("Look at this image"),
                ContentBlock.binary(BinaryKind.IMAGE, "image/png", "sha256:def"),
                ContentBlock.binary(BinaryKind.IMAGE, "image/png", "sha256:abc123")), "a", null).block();
        f.cache.store(Prompt.of(ContentBlock.text("Hello world")), "a", null).block();
        f.cache.store("Hello world", "a").block();
        assertThat(f.store.puts.get(0).entry().fields()).containsEntry("binary_refs", "sha256:abc123,sha256:def")
                .containsEntry("prompt", "Look at this image");
        assertThat(f.store.puts.get(1).entry().fields()).doesNotContainKey("binary_refs")
                .containsEntry("prompt", "Hello world");
        assertThat(f.store.puts.get(2).entry().fields()).doesNotContainKey("binary_refs");
    }

    @Test
    void storeMultipartKeepsBlocks() throws Exception { // STORE-10, STORE-11
        CacheFixture f = CacheFixture.create().initialized();
        List<ContentBlock> blocks = List.of(ContentBlock.text("The answer is 42"),
                ContentBlock.reasoning("I calculated this carefully"));
        f.cache.storeMultipart("What is the answer?", blocks, null).block();
        Map<String, String> fields = f.store.puts.get(0).entry().fields();
        assertThat(fields).containsEntry("response", "The answer is 42");
        JsonNode parsed = JSON.readTree(fields.get("content_blocks"));
        assertThat(parsed).hasSize(2);
        assertThat(parsed.get(0).get("type").asText()).isEqualTo("text");
        assertThat(parsed.get(1).get("type").asText()).isEqualTo("reasoning");
        assertThat(parsed.get(1).get("text").asText()).isEqualTo("I calculated this carefully");

        f.cache.storeMultipart("hello", List.of(ContentBlock.text("Hello"), ContentBlock.text("World")), null).block();
        assertThat(f.store.puts.get(1).entry().fields()).containsEntry("response", "Hello World");
    }

    @Test
    void costMicrosFromTheBundledTable() { // COST-05, COST-11 (TS rounding)
        CacheFixture f = CacheFixture.create().initialized();
        f.cache.store("q", "a", StoreOptions.builder().model("gpt-4o").tokens(25, 5).build()).block();
        f.cache.store("q", "a", StoreOptions.builder().model("gpt-4o").tokens(100, 100).build()).block();
        f.cache.store("q", "a", StoreOptions.builder().tokens(100, 100).build()).block(); // COST-03
        f.cache.store("q", "a", StoreOptions.builder().model("no-such-model").tokens(100, 100).build()).block();
        assertThat(f.store.puts.get(0).entry().fields()).containsEntry("cost_micros", "113");
        assertThat(f.store.puts.get(1).entry().fields()).containsEntry("cost_micros", "1250");
        assertThat(f.store.puts.get(2).entry().fields()).doesNotContainKey("cost_micros");
        assertThat(f.store.puts.get(3).entry().fields()).doesNotContainKey("cost_micros");
    }

    @Test
    void customCostTables() { // COST-01, COST-02, COST-04
        CacheFixture only = CacheFixture.create(b -> b.useDefaultCostTable(false)
                .modelCost("gpt-4o", new ModelCost(0.0025, 0.01))).initialized();
        only.cache.store("q", "a", StoreOptions.builder().model("gpt-4o").tokens(10, 5).build()).block();
        assertThat(only.store.puts.get(0).entry().fields()).containsEntry("cost_micros", "75");

        CacheFixture merged = CacheFixture.create(b -> b.modelCost("gpt-4o", new ModelCost(0.005, 0.015))).initialized();
        merged.cache.store("q", "a", StoreOptions.builder().model("gpt-4o").tokens(100, 200).build()).block();
        assertThat(merged.store.puts.get(0).entry().fields()).containsEntry("cost_micros", "3500");

        CacheFixture none = CacheFixture.create(b -> b.useDefaultCostTable(false)).initialized();
        none.cache.store("q", "a", StoreOptions.builder().model("gpt-4o").tokens(100, 100).build()).block();
        assertThat(none.store.puts.get(0).entry().fields()).doesNotContainKey("cost_micros");
    }

    @Test
    void fixedEntryIdMakesTheKeyDeterministic() {
        CacheFixture f = CacheFixture.create().initialized();
        UUID id = UUID.nameUUIDFromBytes("request-1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String k1 = f.cache.store("q", "a", StoreOptions.builder().entryId(id).build()).block();
        String k2 = f.cache.store("q", "b", StoreOptions.builder().entryId(id).build()).block();
        assertThat(k1).isEqualTo(k2).isEqualTo("ftchar:entry:" + id);
    }

    @Test
    void embeddingCacheServesRepeatedTexts() { // EMB-01, EMB-02, EMB-03, EMB-07
        CacheFixture f = CacheFixture.create(b -> b.embeddingCache(
                new SemanticCacheOptions.EmbeddingCache(true, Duration.ofSeconds(3600)))).initialized();
        f.cache.store("Hello world", "a").block();
        assertThat(f.embedded).containsExactly("Hello world");
        assertThat(f.store.embeddings).containsOnlyKeys(Hashing.sha256Hex("Hello world"));
        assertThat(f.store.embeddings.get(Hashing.sha256Hex("Hello world"))).isEqualTo(Float32.encode(CacheFixture.VECTOR));
        f.cache.store("Hello world", "b").block();
        assertThat(f.embedded).containsExactly("Hello world");
        f.cache.store("Other", "c").block();
        assertThat(f.embedded).containsExactly("Hello world", "Other");
        assertThat(f.counter("embedding_cache_total", "result", "hit")).isEqualTo(1);
        assertThat(f.counter("embedding_cache_total", "result", "miss")).isEqualTo(2);
    }

    @Test
    void disabledEmbeddingCacheNeverReadsOrWrites() { // EMB-04
        CacheFixture f = CacheFixture.create().initialized();
        f.cache.store("Hello world", "a").block();
        f.cache.store("Hello world", "a").block();
        assertThat(f.embedded).hasSize(2);
        assertThat(f.store.embeddings).isEmpty();
        assertThat(f.store.embeddingReads).isEmpty();
    }

    @Test
    void corruptOrWrongLengthCachedVectorIsIgnoredAndOverwritten() {
        CacheFixture f = CacheFixture.create(b -> b.embeddingCache(SemanticCacheOptions.EmbeddingCache.DEFAULT)).initialized();
        String sha = Hashing.sha256Hex("q");
        f.store.embeddings.put(sha, new byte[]{1, 2, 3}); // not a multiple of 4
        f.cache.store("q", "a").block();
        assertThat(f.embedded).containsExactly("q");
        assertThat(f.store.embeddings.get(sha)).isEqualTo(Float32.encode(CacheFixture.VECTOR));

        f.store.embeddings.put(sha, Float32.encode(new float[]{1, 2})); // wrong dimension for a 3-dim index
        f.cache.store("q", "a").block();
        assertThat(f.embedded).containsExactly("q", "q");
        assertThat(f.store.puts.get(1).entry().embedding()).isEqualTo(Float32.encode(CacheFixture.VECTOR));
    }

    @Test
    void storeBackFillsTheCostOfARecentMiss() throws Exception { // WIN-03
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("k", 0.18, "response", "x"));
        CacheResult miss = f.cache.check("what is the capital of France").block();
        assertThat(miss.hit()).isFalse();
        assertThat(f.store.pending).hasSize(1);
        f.cache.store("what is the capital of France", "Paris",
                StoreOptions.builder().model("gpt-4o").tokens(200, 200).build()).block();
        assertThat(f.store.window).hasSize(1);
        JsonNode member = JSON.readTree(f.store.window.get(0).member());
        assertThat(member.get("cost_saved_micros").asLong()).isEqualTo(2500);
        assertThat(member.get("result").asText()).isEqualTo("miss");
        assertThat(member.get("score").asDouble()).isEqualTo(0.18);
        assertThat(f.store.window.get(0).timestampMs()).isEqualTo(CacheFixture.NOW);
        assertThat(f.store.pending).isEmpty();
    }

    @Test
    void backFillWithoutPendingEntryIsHarmless() { // WIN-05
        CacheFixture f = CacheFixture.create().initialized();
        String key = f.cache.store("never missed", "a", StoreOptions.builder().model("gpt-4o").tokens(10, 10).build())
                .block();
        assertThat(key).isNotNull();
        assertThat(f.store.window).isEmpty();
    }

    @Test
    void backFillDropsAPendingEntryWhoseWindowMemberIsGone() {
        CacheFixture f = CacheFixture.create().initialized();
        f.store.reply(row("k", 0.5, "response", "x"));
        f.cache.check("trimmed").block();
        f.store.window.clear();
        f.cache.store("trimmed", "a", StoreOptions.builder().model("gpt-4o").tokens(10, 10).build()).block();
        assertThat(f.store.pending).isEmpty();
        assertThat(f.store.window).isEmpty();
    }

    @Test
    void storedEntryIsReturnedOnAHitWithCost() {
        CacheFixture f = CacheFixture.create().initialized();
        f.cache.store("q", "a", StoreOptions.builder().model("gpt-4o").tokens(20, 5).build()).block();
        String cost = f.store.puts.get(0).entry().fields().get("cost_micros");
        f.store.reply(row(f.store.puts.get(0).key(), 0.0, "response", "a", "cost_micros", cost));
        CacheResult hit = f.cache.check("q", CheckOptions.defaults()).block();
        assertThat(hit.costSaved()).isEqualTo(0.0001);
    }
}
