package com.betterdb.semanticcache.store.valkey.protocol;

import com.betterdb.semanticcache.store.Candidate;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FtRepliesTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------- parseSearch

    @Test
    void emptyReplies() {
        // PARSE-01
        assertThat(FtReplies.parseSearch(null)).isEmpty();
        assertThat(FtReplies.parseSearch(List.of())).isEmpty();
        assertThat(FtReplies.parseSearch(List.of("0"))).isEmpty();
    }

    @Test
    void nonListReplies() {
        // PARSE-02
        assertThat(FtReplies.parseSearch("1")).isEmpty();
        assertThat(FtReplies.parseSearch("garbage")).isEmpty();
        assertThat(FtReplies.parseSearch(123)).isEmpty();
        assertThat(FtReplies.parseSearch(Map.of("total", 1))).isEmpty();
        assertThat(FtReplies.parseSearch(new Object())).isEmpty();
    }

    @Test
    void oneHit() {
        // PARSE-03
        List<Candidate> hits = FtReplies.parseSearch(List.of("1", "cache:entry:abc",
                List.of("prompt", "hello", "response", "world", "__score", "0.05")));
        assertThat(hits).hasSize(1);
        Candidate c = hits.get(0);
        assertThat(c.key()).isEqualTo("cache:entry:abc");
        assertThat(c.fields()).containsExactlyInAnyOrderEntriesOf(
                Map.of("prompt", "hello", "response", "world", "__score", "0.05"));
        assertThat(c.score()).isEqualTo(0.05);
    }

    @Test
    void twoHitsWithScores() {
        // PARSE-04
        List<Candidate> hits = FtReplies.parseSearch(List.of("2", "k:a", List.of("__score", "0.0234"),
                "k:b", List.of("__score", "0.1500")));
        assertThat(hits).extracting(Candidate::score).containsExactly(0.0234, 0.15);
        assertThat(hits.get(0).score()).isCloseTo(0.0234, within(1e-4));
    }

    @Test
    void orphanFieldDropped() {
        // PARSE-05
        List<Candidate> hits = FtReplies.parseSearch(List.of("1", "k", List.of("field1", "val1", "orphan")));
        assertThat(hits.get(0).fields()).containsExactly(Map.entry("field1", "val1"));
        assertThat(hits.get(0).score()).isNaN();
    }

    @Test
    void twoRowsInOrder() {
        // PARSE-06
        List<Candidate> hits = FtReplies.parseSearch(List.of("2", "key:a", List.of("f1", "v1"), "key:b",
                List.of("f2", "v2")));
        assertThat(hits).extracting(Candidate::key).containsExactly("key:a", "key:b");
        assertThat(hits.get(0).fields()).containsExactly(Map.entry("f1", "v1"));
        assertThat(hits.get(1).fields()).containsExactly(Map.entry("f2", "v2"));
    }

    @Test
    void numericTotal() {
        // PARSE-07
        assertThat(FtReplies.parseSearch(List.of(1L, "key:a", List.of("f", "v")))).hasSize(1);
        assertThat(FtReplies.parseSearch(List.of(1, "key:a", List.of("f", "v")))).hasSize(1);
        assertThat(FtReplies.parseSearch(List.of(1.0, "key:a", List.of("f", "v")))).hasSize(1);
    }

    @Test
    void badTotals() {
        // PARSE-08
        assertThat(FtReplies.parseSearch(List.of("abc", "key:a", List.of("f", "v")))).isEmpty();
        assertThat(FtReplies.parseSearch(List.of("-1"))).isEmpty();
        assertThat(FtReplies.parseSearch(List.of("-1", "key:a", List.of("f", "v")))).isEmpty();
        assertThat(FtReplies.parseSearch(List.of(Double.NaN, "key:a"))).isEmpty();
        assertThat(FtReplies.parseSearch(List.of(List.of(), "key:a"))).isEmpty();
    }

    @Test
    void returnZeroShape() {
        // PARSE-09
        List<Candidate> hits = FtReplies.parseSearch(List.of("2", "key:a", "key:b"));
        assertThat(hits).extracting(Candidate::key).containsExactly("key:a", "key:b");
        assertThat(hits).allSatisfy(c -> assertThat(c.fields()).isEmpty());
    }

    @Test
    void nonStringKeySkippedWithItsFields() {
        // PARSE-10
        assertThat(FtReplies.parseSearch(List.of("1", 42, List.of("f", "v")))).isEmpty();
        assertThat(FtReplies.parseSearch(List.of("2", 42L, List.of("f", "v"), "k", List.of("a", "b"))))
                .extracting(Candidate::key).containsExactly("k");
    }

    @Test
    void declaredTotalNotTrusted() {
        // PARSE-11
        assertThat(FtReplies.parseSearch(List.of("5", "key:a", List.of("f", "v")))).hasSize(1);
    }

    @Test
    void floatFormattedTotal() {
        // PARSE-12
        assertThat(FtReplies.parseSearch(List.of("2.0", "a", List.of("f", "v"), "b", List.of("f", "v")))).hasSize(2);
        assertThat(FtReplies.parseSearch(List.of(b("1.0"), b("a"), List.of(b("f"), b("v"))))).hasSize(1);
    }

    @Test
    void byteStringsAndInvalidUtf8() {
        // PARSE-13
        byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, 0x00, 0x01};
        List<Candidate> hits = FtReplies.parseSearch(List.of(b("1"), b("mykey"),
                List.of(b("response"), b("hello"), b("blob"), notUtf8, b("model"), b("m"))));
        assertThat(hits).hasSize(1);
        assertThat(hits.get(0).key()).isEqualTo("mykey");
        assertThat(hits.get(0).fields()).containsOnly(Map.entry("response", "hello"), Map.entry("model", "m"));
        // ByteBuffer elements too
        List<Candidate> bb = FtReplies.parseSearch(List.of(ByteBuffer.wrap(b("1")), ByteBuffer.wrap(b("k")),
                List.of(ByteBuffer.wrap(b("prompt")), ByteBuffer.wrap(b("héllo")))));
        assertThat(bb.get(0).fields()).containsExactly(Map.entry("prompt", "héllo"));
    }

    @Test
    void embeddingNeverCopiedAndScoreParsed() {
        List<Candidate> hits = FtReplies.parseSearch(List.of(1L, b("k"),
                List.of(b("embedding"), new byte[] {0, 0, (byte) 0x80, 0x3f}, b("__score"), b("0.25"),
                        b("cost_micros"), 113L, b("x"), List.of("nested"))));
        assertThat(hits.get(0).fields()).containsOnly(Map.entry("__score", "0.25"), Map.entry("cost_micros", "113"));
        assertThat(hits.get(0).score()).isEqualTo(0.25);
        assertThat(FtReplies.parseSearch(List.of(1L, "k", List.of("__score", "nope"))).get(0).score()).isNaN();
    }

    @Test
    void resp3MapRowIsReadAsPairs() {
        Map<Object, Object> row = new LinkedHashMap<>();
        row.put("prompt", "p");
        row.put("__score", "0.5");
        List<Candidate> hits = FtReplies.parseSearch(List.of(1L, "k", row));
        assertThat(hits.get(0).fields()).containsOnly(Map.entry("prompt", "p"), Map.entry("__score", "0.5"));
    }

    @Test
    void nullKeySkipped() {
        java.util.ArrayList<Object> reply = new java.util.ArrayList<>();
        reply.add(2L);
        reply.add(null);
        reply.add(List.of("f", "v"));
        reply.add("k");
        assertThat(FtReplies.parseSearch(reply)).extracting(Candidate::key).containsExactly("k");
    }

    // ------------------------------------------------------------------------------------------- parseInfo

    @Test
    void flatDim() {
        // INFO-01
        FtInfo info = FtReplies.parseInfo(List.of("index_name", "sc:idx", "attributes",
                List.of(List.of("identifier", "embedding", "type", "VECTOR", "DIM", "1536"))));
        assertThat(info.dimension()).isEqualTo(1536);
        assertThat(info.hasBinaryRefs()).isFalse();
    }

    @Test
    void nestedDimensions() {
        // INFO-02
        FtInfo info = FtReplies.parseInfo(List.of("index_name", "sc:idx", "attributes",
                List.of(List.of("identifier", "embedding", "type", "VECTOR", "index", List.of("dimensions", "768")),
                        List.of("identifier", "binary_refs"))));
        assertThat(info.dimension()).isEqualTo(768);
        assertThat(info.hasBinaryRefs()).isTrue();
        // data-format.md §4.3 characterised examples
        assertThat(FtReplies.parseInfo(List.of("attributes", List.of(List.of("identifier", "embedding", "type",
                "VECTOR", "index", List.of("dimensions", "3")), List.of("identifier", "binary_refs")))))
                .isEqualTo(new FtInfo(3, true, 0, "unknown"));
        assertThat(FtReplies.parseInfo(List.of("attributes", List.of(List.of("identifier", "embedding", "type",
                "VECTOR", "DIM", "3"))))).isEqualTo(new FtInfo(3, false, 0, "unknown"));
        assertThat(FtReplies.parseInfo(List.of("attributes", List.of(List.of("identifier", "embedding", "type",
                "VECTOR")))).dimension()).isZero();
        assertThat(FtReplies.parseInfo(List.of("num_docs", "42", "indexing", "1", "attributes", List.of())))
                .isEqualTo(new FtInfo(0, false, 42, "1"));
    }

    @Test
    void legacyFieldsKeyLowercaseDim() {
        // INFO-03
        assertThat(FtReplies.parseInfo(List.of("fields",
                List.of(List.of("identifier", "embedding", "type", "VECTOR", "dim", "384")))).dimension())
                .isEqualTo(384);
    }

    @Test
    void onlyVectorAttributesCount() {
        // INFO-04
        assertThat(FtReplies.parseInfo(List.of("attributes",
                List.of(List.of("identifier", "prompt", "type", "TEXT", "DIM", "99")))).dimension()).isZero();
        assertThat(FtReplies.parseInfo(List.of("index_name", "sc:idx")).dimension()).isZero();
        // first vector attribute with a dimension > 0 wins
        assertThat(FtReplies.parseInfo(List.of("attributes", List.of(
                List.of("identifier", "v0", "type", "VECTOR"),
                List.of("identifier", "v1", "type", "VECTOR", "DIM", 8L),
                List.of("identifier", "v2", "type", "VECTOR", "DIM", 16L)))).dimension()).isEqualTo(8);
    }

    @Test
    void byteStringsAndFloatNumbers() {
        // INFO-05
        assertThat(FtReplies.parseInfo(List.of(b("attributes"),
                List.of(List.of(b("identifier"), b("embedding"), b("type"), b("VECTOR"), b("DIM"), b("1536"))))).dimension())
                .isEqualTo(1536);
        assertThat(FtReplies.parseInfo(List.of("attributes",
                List.of(List.of("identifier", "embedding", "type", "VECTOR", "DIM", "1536.0")))).dimension())
                .isEqualTo(1536);
        assertThat(FtReplies.parseInfo(List.of("num_docs", "42.0")).numDocs()).isEqualTo(42);
        assertThat(FtReplies.parseInfo(List.of("num_docs", 42L)).numDocs()).isEqualTo(42);
        assertThat(FtReplies.parseInfo(List.of("num_docs", b("7"))).numDocs()).isEqualTo(7);
    }

    @Test
    void stats() {
        // INFO-06
        FtInfo info = FtReplies.parseInfo(List.of("index_name", "sc:idx", "num_docs", "42", "indexing", "0"));
        assertThat(info.numDocs()).isEqualTo(42);
        assertThat(info.indexingState()).isEqualTo("0");
        assertThat(info.isReady()).isTrue();
        FtInfo missing = FtReplies.parseInfo(List.of("index_name", "sc:idx"));
        assertThat(missing.numDocs()).isZero();
        assertThat(missing.indexingState()).isEqualTo("unknown");
        assertThat(FtReplies.parseInfo(List.of("num_docs", "garbage")).numDocs()).isZero();
        assertThat(FtReplies.parseInfo(null)).isEqualTo(new FtInfo(0, false, 0, "unknown"));
        assertThat(FtReplies.parseInfo("OK")).isEqualTo(new FtInfo(0, false, 0, "unknown"));
    }

    @Test
    void valkeySearchIndexingState() {
        // valkey-search 1.2 has no `indexing` key: `state` (ready / backfill_in_progress / backfill_paused_by_oom)
        assertThat(FtReplies.parseInfo(List.of("state", "ready", "backfill_in_progress", "0")).indexingState())
                .isEqualTo("ready");
        assertThat(FtReplies.parseInfo(List.of("state", "ready")).isReady()).isTrue();
        assertThat(FtReplies.parseInfo(List.of("state", "backfill_paused_by_oom")).isReady()).isFalse();
        // without `state`, backfill_in_progress decides
        assertThat(FtReplies.parseInfo(List.of("backfill_in_progress", "0")).indexingState()).isEqualTo("ready");
        assertThat(FtReplies.parseInfo(List.of("backfill_in_progress", b("1"))).indexingState())
                .isEqualTo("backfill_in_progress");
        // the spec's raw `indexing` wins when present
        assertThat(FtReplies.parseInfo(List.of("indexing", "1", "state", "ready")).indexingState()).isEqualTo("1");
        assertThat(new FtInfo(1, false, 0, "1").isReady()).isFalse();
        assertThat(new FtInfo(1, false, 0, "unknown").isReady()).isTrue();
        assertThat(new FtInfo(1, false, 0, null).indexingState()).isEqualTo("unknown");
    }

    @Test
    void resp3MapInfo() {
        Map<Object, Object> top = new LinkedHashMap<>();
        top.put("num_docs", 5L);
        top.put("attributes", List.of(Map.of("identifier", "embedding", "type", "VECTOR", "DIM", 12L)));
        FtInfo info = FtReplies.parseInfo(top);
        assertThat(info.numDocs()).isEqualTo(5);
        assertThat(info.dimension()).isEqualTo(12);
    }

    // ------------------------------------------------------------------------------------------- misc

    @Test
    void listAndOk() {
        assertThat(FtReplies.parseStringList(List.of(b("a:idx"), "b:idx", 3L))).containsExactly("a:idx", "b:idx");
        assertThat(FtReplies.parseStringList("x")).isEmpty();
        assertThat(FtReplies.isOk(b("OK"))).isTrue();
        assertThat(FtReplies.isOk("OK")).isTrue();
        assertThat(FtReplies.isOk("QUEUED")).isFalse();
        assertThat(FtReplies.isOk(null)).isFalse();
    }
}
