package com.betterdb.semanticcache.prompt;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NormalizersTest {

    private static final String HELLO_LOWER = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    private static final String HELLO_UPPER = "sha256:185f8db32271fe25f561a6fc938b2e264306ec304eda518007d1764826381969";

    private static String normalize(BinaryNormalizer n, BinaryKind kind, BinarySource source) {
        return n.normalize(new BinaryRef(kind, source)).block();
    }

    // ---------------------------------------------------------------- hashBase64

    // Expected values produced by Node 20's Buffer.from(raw, "base64") + sha256 (the TS implementation).
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "aGVsbG8=                      | " + HELLO_LOWER,
            "aGVsbG8                       | " + HELLO_LOWER,              // missing padding
            "'aGVs bG8=\n'                 | " + HELLO_LOWER,              // whitespace ignored
            "aGVsbG8=aGVsbG8=              | " + HELLO_LOWER,              // decoding stops at '='
            "aGV*sbG8                      | " + HELLO_LOWER,              // characters outside the alphabets skipped
            "a;base64,aGVsbG8=;base64,xxxx | " + HELLO_LOWER,              // TS: text between 1st and 2nd marker
            "data:image/png;base64,SGVsbG8=| " + HELLO_UPPER,
            "_-8=                          | sha256:b6e2c63144f1cd8b806ef4206dea177ec4e756614d9ee5b6521dac2136a67ba7", // URL-safe
            "/+8=                          | sha256:b6e2c63144f1cd8b806ef4206dea177ec4e756614d9ee5b6521dac2136a67ba7",
            "YQ                            | sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb", // "a"
            "YWI                           | sha256:fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603", // "ab"
            "Y                             | sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // lone sextet dropped
            "''                            | sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    })
    void hashBase64MatchesNode(String data, String expected) {
        assertThat(Normalizers.hashBase64(data)).isEqualTo(expected);
    }

    // MM-04: deterministic, abc != def, data URL == plain base64, format
    @Test
    void mm04HashBase64Properties() {
        assertThat(Normalizers.hashBase64("abc")).isEqualTo(Normalizers.hashBase64("abc"))
                .isNotEqualTo(Normalizers.hashBase64("def"));
        assertThat(Normalizers.hashBase64("data:image/png;base64,SGVsbG8=")).isEqualTo(Normalizers.hashBase64("SGVsbG8="));
        assertThat(Normalizers.hashBase64("abc")).matches("^sha256:[a-f0-9]{64}$");
    }

    // MM-05: data URL of "hello world" and plain base64 of "raw bytes"
    @Test
    void mm05HashBase64OfKnownBytes() {
        assertThat(Normalizers.hashBase64("data:text/plain;base64,aGVsbG8gd29ybGQ="))
                .isEqualTo("sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
        assertThat(Normalizers.hashBase64("cmF3IGJ5dGVz"))
                .isEqualTo("sha256:9ab366ad455508d5f47b0128d7d243a2c0e4f5ce399b5f85cd10b343e745a4dc");
    }

    @Test
    void lenientDecoderBytes() {
        assertThat(Normalizers.decodeBase64Lenient("_-8=")).containsExactly(0xff, 0xef);
        assertThat(Normalizers.decodeBase64Lenient("AAEC/w==")).containsExactly(0, 1, 2, 0xff);
        assertThat(Normalizers.decodeBase64Lenient("AAEC_w")).containsExactly(0, 1, 2, 0xff);
    }

    // ---------------------------------------------------------------- hashBytes

    // MM-06
    @Test
    void mm06HashBytes() {
        assertThat(Normalizers.hashBytes("test data".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("sha256:916f0027a575074ce72a331777c3478d6513f786a591bd892da1a577bf2335f9");
        assertThat(Normalizers.hashBytes(new byte[] {0, 1, 2, (byte) 0xff}))
                .isEqualTo("sha256:3d1f57c984978ef98a18378c8166c1cb8ede02c03eeb6aee7e2f121dfeee3e56");
    }

    // ---------------------------------------------------------------- hashUrl

    // Expected values produced by Node 20: new URL(s); url.searchParams.sort(); "url:" + url.toString()
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "https://example.com                              | url:https://example.com/",
            "HTTPS://Example.COM:443/Path?b=2&a=1             | url:https://example.com/Path?a=1&b=2",
            "http://example.com:80/a/./b/../c                 | url:http://example.com/a/c",
            "http://example.com:8080                          | url:http://example.com:8080/",
            "https://example.com/?b=1&a=2&b=0&a=1             | url:https://example.com/?a=2&a=1&b=1&b=0",
            "https://example.com/p?q=hello world&x=%20y+z     | url:https://example.com/p?q=hello+world&x=+y+z",
            "https://example.com/p?                           | url:https://example.com/p",
            "https://example.com/p?&&                         | url:https://example.com/p",
            "https://example.com/p?x                          | url:https://example.com/p?x=",
            "https://example.com/p?x=a~b'c!                   | url:https://example.com/p?x=a%7Eb%27c%21",
            "https://example.com/p#Frag?x=1&a=2               | url:https://example.com/p#Frag?x=1&a=2",
            "https://user:Pw@Example.com/                     | url:https://user:Pw@example.com/",
            "https://example.com/é path/{x}^                  | url:https://example.com/%C3%A9%20path/%7Bx%7D^",
            "https://bücher.de/                               | url:https://xn--bcher-kva.de/",
            "ftp://Host:21/                                   | url:ftp://host/",
            "ws://h:80                                        | url:ws://h/",
            "wss://h:443/x                                    | url:wss://h/x",
            "mailto:Someone@Example.com?subject=hi&body=x     | url:mailto:Someone@Example.com?body=x&subject=hi",
            "foo://Host/Path?b=1&a=2                          | url:foo://Host/Path?a=2&b=1",
            "https://example.com:/x                           | url:https://example.com/x",
            "https://example.com/p?é=ü                        | url:https://example.com/p?%C3%A9=%C3%BC",
            "https://example.com/../a                         | url:https://example.com/a",
            "https://example.com/a/..                         | url:https://example.com/",
            "https://example.com/a/.                          | url:https://example.com/a/",
            "https://example.com/p?a=%zz                      | url:https://example.com/p?a=%25zz",
    })
    void hashUrlMatchesNode(String url, String expected) {
        assertThat(Normalizers.hashUrl(url)).isEqualTo(expected);
    }

    @Test
    void hashUrlTrimsAndDropsTabsAndNewlines() {
        assertThat(Normalizers.hashUrl("  https://example.com/\t\n  ")).isEqualTo("url:https://example.com/");
        // Node keeps '|' in the path (java.net.URI alone would reject it)
        assertThat(Normalizers.hashUrl("https://example.com/a|b")).isEqualTo("url:https://example.com/a|b");
    }

    // MM-07: parameter order does not matter
    @Test
    void mm07QueryOrderIndependent() {
        String a = Normalizers.hashUrl("https://example.com/path?b=2&a=1");
        assertThat(a).isEqualTo(Normalizers.hashUrl("https://example.com/path?a=1&b=2")).startsWith("url:");
    }

    @Test
    void hashUrlRejectsWhatNodeRejects() {
        assertThatThrownBy(() -> Normalizers.hashUrl("not a url")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Normalizers.hashUrl("/relative")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Normalizers.hashUrl("https://example.com:99999/"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- passthrough

    // MM-08
    @Test
    void mm08Passthrough() {
        BinaryNormalizer p = Normalizers.passthrough();
        assertThat(normalize(p, BinaryKind.IMAGE, new BinarySource.Base64("abc123", "image/png"))).isEqualTo("base64:abc123");
        assertThat(normalize(p, BinaryKind.IMAGE, new BinarySource.Url("https://example.com"))).isEqualTo("url:https://example.com");
        assertThat(normalize(p, BinaryKind.DOCUMENT, new BinarySource.FileId("f123", "openai"))).isEqualTo("fileid:openai:f123");
        assertThat(normalize(p, BinaryKind.AUDIO, new BinarySource.Bytes("raw".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("sha256:d7439bee24773bcbfa2d0a97947ee36227b10d1022b1a55847e928965bb6bfde");
    }

    // ---------------------------------------------------------------- default normalizer (data-format §14.3)

    // MM-09 and data-format.md §14.3 table
    @Test
    void mm09DefaultNormalizer() {
        BinaryNormalizer d = Normalizers.defaultNormalizer();
        assertThat(normalize(d, BinaryKind.IMAGE, new BinarySource.Url("https://example.com"))).isEqualTo("url:https://example.com");
        // URL is kept exactly as given (not hashUrl-normalised)
        assertThat(normalize(d, BinaryKind.IMAGE, new BinarySource.Url("HTTPS://Example.com?b=1&a=2")))
                .isEqualTo("url:HTTPS://Example.com?b=1&a=2");
        assertThat(normalize(d, BinaryKind.IMAGE, new BinarySource.Base64("data:image/png;base64,aGVsbG8=", "image/png")))
                .isEqualTo(HELLO_LOWER);
        assertThat(normalize(d, BinaryKind.DOCUMENT, new BinarySource.Bytes("hello".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(HELLO_LOWER);
        assertThat(normalize(d, BinaryKind.DOCUMENT, new BinarySource.FileId("file-abc", "anthropic")))
                .isEqualTo("fileid:anthropic:file-abc");
    }

    // ---------------------------------------------------------------- compose

    // MM-10: base64 handler gets the data
    @Test
    void mm10ComposeBase64Handler() {
        List<String> calls = new ArrayList<>();
        BinaryNormalizer n = Normalizers.compose(NormalizerConfig.builder()
                .base64(data -> {
                    calls.add(data);
                    return Mono.just("custom:" + data);
                }).build());
        assertThat(normalize(n, BinaryKind.IMAGE, new BinarySource.Base64("SGVsbG8=", null))).isEqualTo("custom:SGVsbG8=");
        assertThat(calls).containsExactly("SGVsbG8=");
    }

    // MM-11: empty config falls back to passthrough (TS), not hashing (PY)
    @Test
    void mm11EmptyConfigIsPassthrough() {
        BinaryNormalizer n = Normalizers.compose(NormalizerConfig.empty());
        assertThat(normalize(n, BinaryKind.IMAGE, new BinarySource.Base64("SGVsbG8=", null))).isEqualTo("base64:SGVsbG8=");
        assertThat(normalize(n, BinaryKind.IMAGE, new BinarySource.Url("u"))).isEqualTo("url:u");
        assertThat(normalize(n, BinaryKind.IMAGE, new BinarySource.FileId("id", "p"))).isEqualTo("fileid:p:id");
        assertThat(normalize(n, BinaryKind.IMAGE, new BinarySource.Bytes("hello".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(HELLO_LOWER);
    }

    // MM-12: byKind takes precedence over the source handler
    @Test
    void mm12ByKindWins() {
        AtomicInteger base64Calls = new AtomicInteger();
        BinaryNormalizer n = Normalizers.compose(NormalizerConfig.builder()
                .base64(d -> {
                    base64Calls.incrementAndGet();
                    return Mono.just("base64-handler");
                })
                .byKind(BinaryKind.IMAGE, ref -> Mono.just("image-specific"))
                .build());
        assertThat(normalize(n, BinaryKind.IMAGE, new BinarySource.Base64("SGVsbG8=", null))).isEqualTo("image-specific");
        assertThat(base64Calls).hasValue(0);
        // other kinds still use the source handler
        assertThat(normalize(n, BinaryKind.AUDIO, new BinarySource.Base64("SGVsbG8=", null))).isEqualTo("base64-handler");
        assertThat(base64Calls).hasValue(1);
    }

    // MM-13: url and fileId handlers
    @Test
    void mm13UrlAndFileIdHandlers() {
        BinaryNormalizer n = Normalizers.compose(NormalizerConfig.builder()
                .url(u -> Mono.just("hashed:" + u))
                .fileId((id, provider) -> Mono.just(provider + ":" + id))
                .bytes(b -> Mono.just("len:" + b.length))
                .build());
        assertThat(normalize(n, BinaryKind.IMAGE, new BinarySource.Url("https://example.com/img.png")))
                .isEqualTo("hashed:https://example.com/img.png");
        assertThat(normalize(n, BinaryKind.DOCUMENT, new BinarySource.FileId("file-123", "openai"))).isEqualTo("openai:file-123");
        assertThat(normalize(n, BinaryKind.AUDIO, new BinarySource.Bytes(new byte[3]))).isEqualTo("len:3");
    }

    @Test
    void composeIsLazyAndSurfacesHandlerErrors() {
        AtomicInteger calls = new AtomicInteger();
        BinaryNormalizer n = Normalizers.compose(NormalizerConfig.builder()
                .url(u -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("boom");
                }).build());
        Mono<String> m = n.normalize(new BinaryRef(BinaryKind.IMAGE, new BinarySource.Url("x")));
        assertThat(calls).hasValue(0);
        StepVerifier.create(m).expectErrorMessage("boom").verify();
        assertThat(calls).hasValue(1);
    }

    @Test
    void bytesSourceIsImmutable() {
        byte[] data = {1, 2, 3};
        BinarySource.Bytes b = new BinarySource.Bytes(data);
        data[0] = 9;
        assertThat(b.data()).containsExactly(1, 2, 3);
        b.data()[1] = 9;
        assertThat(b.data()).containsExactly(1, 2, 3);
        assertThat(b).isEqualTo(new BinarySource.Bytes(new byte[] {1, 2, 3}));
    }

    // ---------------------------------------------------------------- fetchAndHash (loopback only)

    @Test
    void fetchAndHashOverLoopback() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ok", ex -> {
            byte[] body = "body-bytes".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.createContext("/missing", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.start();
        try {
            String base = "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
            assertThat(Normalizers.fetchAndHash(base + "/ok").block())
                    .isEqualTo("sha256:3717cba429bb2e1d238a89e2cfba7c2c1ebfeeb81d404bb1a588190a8523673d");
            StepVerifier.create(Normalizers.fetchAndHash(base + "/missing"))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IOException.class)
                            .hasMessage("fetchAndHash: HTTP 404 for " + base + "/missing"))
                    .verify();
        } finally {
            server.stop(0);
        }
    }
}
