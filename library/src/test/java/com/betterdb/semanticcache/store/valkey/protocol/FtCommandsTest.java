package com.betterdb.semanticcache.store.valkey.protocol;

import com.betterdb.semanticcache.filter.TagEscaper;
import com.betterdb.semanticcache.internal.Float32;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FtCommandsTest {

    private static final byte[] Q = Float32.encode(Fixtures.Q);

    /** Asserts the argv list and the bytes Lettuce actually writes both equal the manifest's argv. */
    private static void assertMatchesFixture(int n, ProtocolKeyword keyword, List<byte[]> argv) {
        Fixtures.Fixture f = Fixtures.get(n);
        List<String> expected = Fixtures.show(f.argsAfterCommand());
        assertThat(Fixtures.show(argv)).as("argv of %s", f).containsExactlyElementsOf(expected);

        List<String> wire = Fixtures.show(Fixtures.wireArgv(keyword, FtCommands.toCommandArgs(argv)));
        List<String> expectedWire = new ArrayList<>();
        expectedWire.add(f.command());
        expectedWire.addAll(expected);
        assertThat(wire).as("wire argv of %s", f).containsExactlyElementsOf(expectedWire);
        assertThat(keyword.toString()).isEqualTo(f.command());
    }

    @Test
    void queryVectorBytesMatchTheFixtures() {
        assertThat(Q).isEqualTo(Fixtures.argBytes("base64:AACAP83MTD0AAAAAAAAAAA=="));
    }

    @Test
    void createIndexMatchesFixture04() {
        assertMatchesFixture(4, FtKeywords.CREATE, FtCommands.createIndexArgv("fx:idx", "fx:entry:", 4));
        assertMatchesFixture(5, FtKeywords.CREATE, FtCommands.createIndexArgv("fx:idx", "fx:entry:", 4));
    }

    @Test
    void createIndexExactArgvForInit05() {
        // INIT-05: the exact FT.CREATE for cache "ftchar", dimension 3
        List<byte[]> wire = Fixtures.wireArgv(FtKeywords.CREATE, FtCommands.createIndex("ftchar:idx", "ftchar:entry:", 3));
        assertThat(String.join(" ", Fixtures.show(wire))).isEqualTo("FT.CREATE ftchar:idx ON HASH PREFIX 1 ftchar:entry: "
                + "SCHEMA prompt TEXT NOSTEM response TEXT NOSTEM model TAG category TAG binary_refs TAG "
                + "inserted_at NUMERIC SORTABLE temperature NUMERIC top_p NUMERIC seed NUMERIC "
                + "embedding VECTOR HNSW 6 TYPE FLOAT32 DIM 3 DISTANCE_METRIC COSINE");
    }

    @Test
    void createIndexDimension1536AndConstantsAreShared() {
        List<byte[]> a = FtCommands.createIndexArgv("betterdb_scache:idx", "betterdb_scache:entry:", 1536);
        List<byte[]> b = FtCommands.createIndexArgv("other:idx", "other:entry:", 1536);
        assertThat(Fixtures.show(a)).contains("1536").startsWith("betterdb_scache:idx", "ON", "HASH", "PREFIX", "1",
                "betterdb_scache:entry:", "SCHEMA");
        assertThat(a).hasSize(38);
        // constant tokens are pre-encoded once, not re-encoded per call
        assertThat(a.get(1)).isSameAs(b.get(1));
        assertThat(a.get(10)).isSameAs(b.get(10));
        assertThatThrownBy(() -> FtCommands.createIndexArgv("x:idx", "x:entry:", 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void knnSearchWithoutReturnMatchesFixtures10And11() {
        // CHECK-01 shape: no RETURN clause
        assertMatchesFixture(10, FtKeywords.SEARCH,
                FtCommands.knnSearchArgv("fx:idx", FtCommands.knnQuery(null, 1), Q, 1, null));
        assertMatchesFixture(2, FtKeywords.SEARCH,
                FtCommands.knnSearchArgv("fx:idx", FtCommands.knnQuery("", 1), Q, 1, null));
        assertMatchesFixture(7, FtKeywords.SEARCH,
                FtCommands.knnSearchArgv("fx:idx", FtCommands.knnQuery(null, 1), Q, 1, null));
        assertMatchesFixture(11, FtKeywords.SEARCH,
                FtCommands.knnSearchArgv("fx:idx", FtCommands.knnQuery(null, 3), Q, 3, null));
        assertMatchesFixture(15, FtKeywords.SEARCH, FtCommands.knnSearchArgv("fx:idx", FtCommands.knnQuery(null, 1),
                Float32.encode(new float[] {1f, 0f, 0f}), 1, null));
    }

    @Test
    void knnSearchWithFiltersMatchesFixtures12To14And26() {
        assertMatchesFixture(12, FtKeywords.SEARCH, FtCommands.knnSearchArgv("fx:idx",
                FtCommands.knnQuery(FtCommands.filterExpression("@category:{geo}", List.of(), true), 2), Q, 2, null));
        // refs given unsorted: the builder sorts and escapes them
        assertMatchesFixture(13, FtKeywords.SEARCH, FtCommands.knnSearchArgv("fx:idx",
                FtCommands.knnQuery(FtCommands.filterExpression(null, List.of("sha256:cd34", "sha256:ab12"), true), 2),
                Q, 2, null));
        assertMatchesFixture(14, FtKeywords.SEARCH, FtCommands.knnSearchArgv("fx:idx",
                FtCommands.knnQuery("@model:{nothing}", 1), Q, 1, null));
        assertMatchesFixture(26, FtKeywords.SEARCH, FtCommands.knnSearchArgv("fx:idx",
                FtCommands.knnQuery("@inserted_at:[1764400000001 +inf]", 3), Q, 3, null));
    }

    @Test
    void knnSearchWithReturnFieldsMatchesFixture24() {
        assertMatchesFixture(24, FtKeywords.SEARCH, FtCommands.knnSearchArgv("fx:idx",
                FtCommands.knnQuery(null, 2), Q, 2, List.of("response", "model", "__score")));
    }

    /** The cluster form of the KNN query (explicit EF_RUNTIME) is the syntax valkey-search accepted in fixture 25. */
    @Test
    void knnQueryWithEfRuntimeMatchesFixture25() {
        assertMatchesFixture(25, FtKeywords.SEARCH, FtCommands.knnSearchArgv("fx:idx",
                FtCommands.knnQuery(null, 1, 100), Q, 1, null));
        assertThat(FtCommands.knnQuery("@model:{x}", 5, FtCommands.DEFAULT_EF_RUNTIME))
                .isEqualTo("(@model:{x})=>[KNN 5 @embedding $vec EF_RUNTIME 10 AS __score]");
        assertThat(FtCommands.knnQuery(null, 3, 0)).isEqualTo(FtCommands.knnQuery(null, 3));
    }

    @Test
    void knnSearchWithTheStoreReturnList() {
        List<String> argv = Fixtures.show(FtCommands.knnSearchArgv("c:idx", FtCommands.knnQuery(null, 1), Q, 1,
                FtCommands.KNN_RETURN_FIELDS));
        assertThat(argv).containsExactly("c:idx", "*=>[KNN 1 @embedding $vec AS __score]", "PARAMS", "2", "vec",
                "base64:AACAP83MTD0AAAAAAAAAAA==", "RETURN", "7", "prompt", "response", "model", "category",
                "cost_micros", "content_blocks", "__score", "LIMIT", "0", "1", "DIALECT", "2");
        assertThat(FtCommands.KNN_RETURN_FIELDS).doesNotContain("embedding").contains("__score");
        // an equal list (not the constant itself) gives the same argv
        assertThat(Fixtures.show(FtCommands.knnSearchArgv("c:idx", FtCommands.knnQuery(null, 1), Q, 1,
                new ArrayList<>(FtCommands.KNN_RETURN_FIELDS)))).isEqualTo(argv);
    }

    @Test
    void searchKeysMatchesFixture18() {
        String filter = "@model:{" + TagEscaper.escape("gpt-4o") + "}";
        assertMatchesFixture(18, FtKeywords.SEARCH, FtCommands.searchKeysArgv("fx:idx", filter, 1000));
        assertThat(FtCommands.INVALIDATE_LIMIT).isEqualTo(1000);
    }

    @Test
    void searchEntriesMatchesFixtures19And22() {
        assertMatchesFixture(22, FtKeywords.SEARCH, FtCommands.searchEntriesArgv("fx:idx", "@category:{geo}", 0, 10));
        // fixture 19 records the bare-* form valkey-search 1.2.1 rejects: same argv shape
        assertMatchesFixture(19, FtKeywords.SEARCH, FtCommands.searchEntriesArgv("fx:idx", "*", 0, 10));
        assertThat(Fixtures.show(FtCommands.searchEntriesArgv("c:idx", "@category:{x}", 100, 100)))
                .containsExactly("c:idx", "@category:{x}", "SORTBY", "inserted_at", "ASC", "LIMIT", "100", "100",
                        "DIALECT", "2");
        assertThatThrownBy(() -> FtCommands.searchEntriesArgv("c:idx", "@category:{x}", -1, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FtCommands.searchEntriesArgv("c:idx", "@category:{x}", 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void adminCommandsMatchFixtures() {
        assertMatchesFixture(1, FtKeywords.INFO, FtCommands.infoArgv("fx:idx"));
        assertMatchesFixture(6, FtKeywords.INFO, FtCommands.infoArgv("fx:idx"));
        assertMatchesFixture(8, FtKeywords.INFO, FtCommands.infoArgv("fx:idx"));
        assertMatchesFixture(3, FtKeywords.DROPINDEX, FtCommands.dropIndexArgv("fx:idx"));
        assertMatchesFixture(27, FtKeywords.DROPINDEX, FtCommands.dropIndexArgv("fx:idx"));
        assertMatchesFixture(9, FtKeywords.LIST, List.of());
        assertThat(Fixtures.show(Fixtures.wireArgv(FtKeywords.LIST, FtCommands.list()))).containsExactly("FT._LIST");
        assertThat(Fixtures.show(Fixtures.wireArgv(FtKeywords.INFO, FtCommands.info("a:idx"))))
                .containsExactly("FT.INFO", "a:idx");
        // cluster-wide counts (valkey-search's coordinator; ValkeySearchClusterStoreTest runs them for real)
        assertThat(Fixtures.show(Fixtures.wireArgv(FtKeywords.INFO, FtCommands.info("a:idx",
                FtCommands.InfoScope.PRIMARY)))).containsExactly("FT.INFO", "a:idx", "PRIMARY");
        assertThat(Fixtures.show(Fixtures.wireArgv(FtKeywords.INFO, FtCommands.info("a:idx",
                FtCommands.InfoScope.CLUSTER)))).containsExactly("FT.INFO", "a:idx", "CLUSTER");
        // never DD (fixture 28 shows valkey-search rejects it)
        assertThat(Fixtures.show(Fixtures.wireArgv(FtKeywords.DROPINDEX, FtCommands.dropIndex("a:idx"))))
                .containsExactly("FT.DROPINDEX", "a:idx");
    }

    @Test
    void keywordsCarryTheirBytes() {
        assertThat(FtKeywords.CREATE.getBytes()).isEqualTo("FT.CREATE".getBytes(StandardCharsets.US_ASCII));
        assertThat(FtKeywords.INFO.getBytes()).isEqualTo("FT.INFO".getBytes(StandardCharsets.US_ASCII));
        assertThat(FtKeywords.SEARCH.getBytes()).isEqualTo("FT.SEARCH".getBytes(StandardCharsets.US_ASCII));
        assertThat(FtKeywords.DROPINDEX.getBytes()).isEqualTo("FT.DROPINDEX".getBytes(StandardCharsets.US_ASCII));
        assertThat(FtKeywords.LIST.getBytes()).isEqualTo("FT._LIST".getBytes(StandardCharsets.US_ASCII));
        assertThat(FtKeywords.SEARCH.command()).isEqualTo("FT.SEARCH");
        assertThat(FtKeywords.LIST).hasToString("FT._LIST");
    }

    @Test
    void knnQueryStrings() {
        // CHECK-01
        assertThat(FtCommands.knnQuery(null, 1)).isEqualTo("*=>[KNN 1 @embedding $vec AS __score]");
        // CHECK-02
        assertThat(FtCommands.knnQuery(FtCommands.filterExpression("@category:{faq}", null, true), 3))
                .isEqualTo("(@category:{faq})=>[KNN 3 @embedding $vec AS __score]");
        List<String> args = Fixtures.show(FtCommands.knnSearchArgv("ftchar:idx",
                FtCommands.knnQuery("@category:{faq}", 3), Q, 3, null));
        assertThat(args.subList(args.size() - 5, args.size())).containsExactly("LIMIT", "0", "3", "DIALECT", "2");
    }

    @Test
    void check01ExactCommand() {
        // CHECK-01: index dim 3, embedding [0.1,0.2,0.3], check("hello")
        byte[] vec = Float32.encode(new float[] {0.1f, 0.2f, 0.3f});
        CommandArgs<byte[], byte[]> args = FtCommands.knnSearch("ftchar:idx",
                FtCommands.knnQuery(FtCommands.filterExpression(null, List.of(), true), 1), vec, 1, null);
        List<byte[]> wire = Fixtures.wireArgv(FtKeywords.SEARCH, args);
        assertThat(Fixtures.show(wire.subList(0, 6))).containsExactly("FT.SEARCH", "ftchar:idx",
                "*=>[KNN 1 @embedding $vec AS __score]", "PARAMS", "2", "vec");
        assertThat(wire.get(6)).isEqualTo(vec);
        assertThat(Fixtures.show(wire.subList(7, wire.size()))).containsExactly("LIMIT", "0", "1", "DIALECT", "2");
    }

    @Test
    void filterExpressionWithOneRef() {
        // CHECK-03
        assertThat(FtCommands.knnQuery(FtCommands.filterExpression(null, List.of("img-1"), true), 1))
                .isEqualTo("(@binary_refs:{img\\-1})=>[KNN 1 @embedding $vec AS __score]");
    }

    @Test
    void filterExpressionRefsSortedAfterUserFilter() {
        // CHECK-04
        assertThat(FtCommands.knnQuery(
                FtCommands.filterExpression("@category:{faq}", List.of("b.png", "a.png"), true), 1))
                .isEqualTo("(@category:{faq} @binary_refs:{a\\.png} @binary_refs:{b\\.png})"
                        + "=>[KNN 1 @embedding $vec AS __score]");
    }

    @Test
    void filterExpressionIgnoresRefsWithoutBinaryRefsAttribute() {
        // CHECK-05
        assertThat(FtCommands.filterExpression(null, List.of("img-1"), false)).isNull();
        assertThat(FtCommands.knnQuery(FtCommands.filterExpression(null, List.of("img-1"), false), 1))
                .isEqualTo("*=>[KNN 1 @embedding $vec AS __score]");
        assertThat(FtCommands.filterExpression("@category:{faq}", List.of("img-1"), false)).isEqualTo("@category:{faq}");
        assertThat(FtCommands.filterExpression("", null, true)).isNull();
        assertThat(FtCommands.filterExpression(null, null, true)).isNull();
    }
}
