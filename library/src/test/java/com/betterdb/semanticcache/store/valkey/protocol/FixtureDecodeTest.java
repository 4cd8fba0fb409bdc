package com.betterdb.semanticcache.store.valkey.protocol;

import com.betterdb.semanticcache.store.Candidate;
import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.ProtocolKeyword;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Every recorded valkey-search reply (RESP2 and RESP3) fed through Lettuce's real decoder into the outputs, as in
 * production, and compared with manifest.json's decoded view.
 */
class FixtureDecodeTest {

    static Stream<Arguments> everyFixture() {
        List<Arguments> out = new ArrayList<>();
        for (Fixtures.Fixture f : Fixtures.all()) {
            out.add(Arguments.of(f, "resp2"));
            out.add(Arguments.of(f, "resp3"));
        }
        return out.stream();
    }

    static Stream<Arguments> searchFixtures() {
        return everyFixture().filter(a -> {
            Fixtures.Fixture f = (Fixtures.Fixture) a.get()[0];
            return f.command().equals("FT.SEARCH") && !f.isError();
        });
    }

    static Stream<Arguments> errorFixtures() {
        return everyFixture().filter(a -> ((Fixtures.Fixture) a.get()[0]).isError());
    }

    private static ProtocolKeyword keyword(Fixtures.Fixture f) {
        for (FtKeywords k : FtKeywords.values()) {
            if (k.command().equals(f.command())) {
                return k;
            }
        }
        throw new AssertionError("no keyword for " + f.command());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyFixture")
    void genericOutputReproducesTheDecodedView(Fixtures.Fixture f, String protocol) throws Exception {
        AsyncCommand<byte[], byte[], Object> cmd = Fixtures.decode(keyword(f), new GenericReplyOutput(),
                Fixtures.bytes(f.file(protocol)), protocol);
        JsonNode view = f.view(protocol);
        if (f.isError()) {
            assertThat(cmd.getOutput().getError()).isEqualTo(view.asText().substring(1));
            return;
        }
        assertThat(Fixtures.normalize(cmd.get())).isEqualTo(Fixtures.viewNormalized(view));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("errorFixtures")
    void errorRepliesCompleteExceptionallyWithTheServerText(Fixtures.Fixture f, String protocol) {
        // fixtures 01,02,03,05,15,16,17,19,21,28: dispatch surfaces -ERR replies as RedisCommandExecutionException
        for (var output : List.of(new GenericReplyOutput(), new FtSearchOutput())) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            AsyncCommand<byte[], byte[], ?> cmd = Fixtures.decode(keyword(f), (io.lettuce.core.output.CommandOutput) output,
                    Fixtures.bytes(f.file(protocol)), protocol);
            assertThat(cmd.toCompletableFuture()).isCompletedExceptionally();
            assertThatThrownBy(cmd::get).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(RedisCommandExecutionException.class)
                    .hasMessage(f.errorText());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("errorFixtures")
    void indexMissingClassificationOfRealErrors(Fixtures.Fixture f, String protocol) {
        AsyncCommand<byte[], byte[], Object> cmd = Fixtures.decode(keyword(f), new GenericReplyOutput(),
                Fixtures.bytes(f.file(protocol)), protocol);
        Throwable error = cmd.toCompletableFuture().handle((v, e) -> e).join();
        boolean expected = f.n() <= 3; // 01 FT.INFO, 02 FT.SEARCH, 03 FT.DROPINDEX on a missing index
        assertThat(IndexErrors.isIndexMissing(error)).as("%s", f).isEqualTo(expected);
        assertThat(IndexErrors.isIndexMissing(f.errorText())).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("searchFixtures")
    void searchOutputMatchesTheView(Fixtures.Fixture f, String protocol) throws Exception {
        byte[] reply = Fixtures.bytes(f.file(protocol));
        List<Candidate> streamed = Fixtures.decode(FtKeywords.SEARCH, new FtSearchOutput(), reply, protocol).get();
        List<Candidate> expected = expectedFromView(f.view(protocol));
        assertThat(streamed).containsExactlyElementsOf(expected);
        // the generic path (GenericReplyOutput + FtReplies.parseSearch) agrees with the streaming one
        Object tree = Fixtures.decode(FtKeywords.SEARCH, new GenericReplyOutput(), reply, protocol).get();
        assertThat(FtReplies.parseSearch(tree)).containsExactlyElementsOf(expected);
        for (Candidate c : streamed) {
            assertThat(c.fields()).doesNotContainKey("embedding");
        }
    }

    /** An independent reading of the manifest view: [total, key, [f, v, ...] | key, ...], embedding dropped. */
    private static List<Candidate> expectedFromView(JsonNode view) {
        List<Candidate> out = new ArrayList<>();
        for (int i = 1; i < view.size(); i++) {
            String key = view.get(i).asText();
            Map<String, String> fields = new HashMap<>();
            if (i + 1 < view.size() && view.get(i + 1).isArray()) {
                JsonNode pairs = view.get(++i);
                for (int j = 0; j + 1 < pairs.size(); j += 2) {
                    if (!pairs.get(j).asText().equals("embedding")) {
                        fields.put(pairs.get(j).asText(), pairs.get(j + 1).asText());
                    }
                }
            }
            String s = fields.get("__score");
            out.add(new Candidate(key, s == null ? Double.NaN : Double.parseDouble(s), fields));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"resp2", "resp3"})
    void knn1Fixture10(String protocol) throws Exception {
        List<Candidate> rows = Fixtures.decode(FtKeywords.SEARCH, new FtSearchOutput(),
                Fixtures.bytes(Fixtures.get(10).file(protocol)), protocol).get();
        assertThat(rows).hasSize(1);
        Candidate a = rows.get(0);
        assertThat(a.key()).isEqualTo("fx:entry:a");
        assertThat(a.score()).isCloseTo(0.00124764442444, within(1e-15));
        assertThat(a.field("cost_micros")).isEqualTo("113");
        assertThat(a.field("response")).isEqualTo("Paris");
        assertThat(a.field("prompt")).isEqualTo("What is the capital of France?");
        assertThat(a.field("model")).isEqualTo("gpt-4o");
        assertThat(a.field("__score")).isEqualTo("0.00124764442444");
        assertThat(a.fields()).doesNotContainKey("embedding").hasSize(11);
    }

    @ParameterizedTest
    @ValueSource(strings = {"resp2", "resp3"})
    void knn3Fixture11(String protocol) throws Exception {
        List<Candidate> rows = Fixtures.decode(FtKeywords.SEARCH, new FtSearchOutput(),
                Fixtures.bytes(Fixtures.get(11).file(protocol)), protocol).get();
        assertThat(rows).extracting(Candidate::key).containsExactly("fx:entry:a", "fx:entry:b", "fx:entry:c");
        assertThat(rows).extracting(Candidate::score).containsExactly(0.00124764442444, 0.00184160470963, 1.0);
        assertThat(rows.get(1).field("content_blocks")).isEqualTo("[{\"type\":\"text\",\"text\":\"Paris, France\"}]");
        assertThat(rows.get(1).field("binary_refs")).isEqualTo("sha256:ab12,sha256:cd34");
        assertThat(rows.get(2).field("category")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"resp2", "resp3"})
    void returnZeroAndReturnFields(String protocol) throws Exception {
        // fixture 18: RETURN 0 → keys only
        List<Candidate> keys = Fixtures.decode(FtKeywords.SEARCH, new FtSearchOutput(),
                Fixtures.bytes(Fixtures.get(18).file(protocol)), protocol).get();
        assertThat(keys).extracting(Candidate::key).containsExactly("fx:entry:a");
        assertThat(keys.get(0).fields()).isEmpty();
        assertThat(keys.get(0).score()).isNaN();
        // fixture 20: two keys, last one at the end of the reply
        assertThat(Fixtures.decode(FtKeywords.SEARCH, new FtSearchOutput(),
                Fixtures.bytes(Fixtures.get(20).file(protocol)), protocol).get())
                .extracting(Candidate::key).containsExactly("fx:entry:b", "fx:entry:c");
        // fixture 24: RETURN response model __score
        List<Candidate> rows = Fixtures.decode(FtKeywords.SEARCH, new FtSearchOutput(),
                Fixtures.bytes(Fixtures.get(24).file(protocol)), protocol).get();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).fields()).containsOnlyKeys("response", "model", "__score");
        assertThat(rows.get(1).score()).isEqualTo(0.00184160470963);
        // fixture 23: RETURN prompt without KNN → no score
        List<Candidate> text = Fixtures.decode(FtKeywords.SEARCH, new FtSearchOutput(),
                Fixtures.bytes(Fixtures.get(23).file(protocol)), protocol).get();
        assertThat(text).extracting(Candidate::key).containsExactly("fx:entry:a", "fx:entry:b");
        assertThat(text.get(0).score()).isNaN();
    }

    @ParameterizedTest
    @ValueSource(strings = {"resp2", "resp3"})
    void emptyResults(String protocol) throws Exception {
        // fixtures 07 (empty index) and 14 (filter matches nothing): [0]
        for (int n : new int[] {7, 14}) {
            assertThat(Fixtures.decode(FtKeywords.SEARCH, new FtSearchOutput(),
                    Fixtures.bytes(Fixtures.get(n).file(protocol)), protocol).get()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"resp2", "resp3"})
    void infoFixtures06And08(String protocol) throws Exception {
        FtInfo empty = FtReplies.parseInfo(Fixtures.decode(FtKeywords.INFO, new GenericReplyOutput(),
                Fixtures.bytes(Fixtures.get(6).file(protocol)), protocol).get());
        assertThat(empty).isEqualTo(new FtInfo(4, true, 0, "backfill_in_progress"));
        assertThat(empty.isReady()).isFalse();

        FtInfo three = FtReplies.parseInfo(Fixtures.decode(FtKeywords.INFO, new GenericReplyOutput(),
                Fixtures.bytes(Fixtures.get(8).file(protocol)), protocol).get());
        assertThat(three.dimension()).isEqualTo(4);
        assertThat(three.hasBinaryRefs()).isTrue();
        assertThat(three.numDocs()).isEqualTo(3);
        assertThat(three.indexingState()).isEqualTo("backfill_in_progress");
        assertThat(three.descriptor().dimension()).isEqualTo(4);
        assertThat(three.stats().numDocs()).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"resp2", "resp3"})
    void statusAndListFixtures(String protocol) throws Exception {
        // 04 FT.CREATE and 27 FT.DROPINDEX → +OK; 09 FT._LIST → [fx:idx]
        for (int n : new int[] {4, 27}) {
            assertThat(FtReplies.isOk(Fixtures.decode(FtKeywords.CREATE, new GenericReplyOutput(),
                    Fixtures.bytes(Fixtures.get(n).file(protocol)), protocol).get())).isTrue();
        }
        assertThat(FtReplies.parseStringList(Fixtures.decode(FtKeywords.LIST, new GenericReplyOutput(),
                Fixtures.bytes(Fixtures.get(9).file(protocol)), protocol).get())).containsExactly("fx:idx");
    }
}
