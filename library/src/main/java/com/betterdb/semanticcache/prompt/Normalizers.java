package com.betterdb.semanticcache.prompt;

import com.betterdb.semanticcache.internal.Hashing;
import reactor.core.publisher.Mono;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.IDN;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The built-in binary normalizers and hash helpers of docs/data-format.md §12.3, following the TypeScript package.
 *
 * <p>With {@link #defaultNormalizer()} (identical refs in TypeScript and Python, docs/data-format.md §12.3):
 * base64 → {@code sha256:<hex of decoded bytes>}, bytes → {@code sha256:<hex>}, URL → {@code url:<url as given>},
 * file id → {@code fileid:<provider>:<fileId>}.
 */
public final class Normalizers {

    private static final String SHA256 = "sha256:";
    private static final String BASE64_MARK = ";base64,";

    private static final BinaryNormalizer PASSTHROUGH = ref -> Mono.fromCallable(() -> passthroughRef(ref));
    private static final BinaryNormalizer DEFAULT = compose(NormalizerConfig.builder()
            .base64(data -> Mono.fromCallable(() -> hashBase64(data)))
            .bytes(data -> Mono.fromCallable(() -> hashBytes(data)))
            .build());

    private static volatile HttpClient httpClient;

    private Normalizers() {
    }

    // ------------------------------------------------------------------------------------------ hashes

    /**
     * {@code sha256:} + hex SHA-256 of the bytes that {@code data} encodes in base64.
     *
     * <p>If {@code data} contains {@code ;base64,} (a data URL), only the text after the first occurrence is decoded,
     * up to a second occurrence if there is one (as TypeScript's {@code data.split(";base64,")[1]}). Decoding is
     * lenient, like Node's {@code Buffer.from(s, "base64")}: both the standard and the URL-safe alphabet are accepted,
     * padding is optional, whitespace and other characters outside both alphabets are skipped, and decoding stops at
     * the first {@code =}. A trailing single sextet (an incomplete byte) is dropped.
     */
    public static String hashBase64(String data) {
        Objects.requireNonNull(data, "data");
        String raw = data;
        int mark = data.indexOf(BASE64_MARK);
        if (mark >= 0) {
            int from = mark + BASE64_MARK.length();
            int next = data.indexOf(BASE64_MARK, from);
            raw = next >= 0 ? data.substring(from, next) : data.substring(from);
        }
        return hashBytes(decodeBase64Lenient(raw));
    }

    /** {@code sha256:} + hex SHA-256 of the bytes. */
    public static String hashBytes(byte[] data) {
        return SHA256 + Hashing.sha256Hex(Objects.requireNonNull(data, "data"));
    }

    /**
     * {@code url:} + the URL normalised as TypeScript's {@code new URL(u)} followed by
     * {@code url.searchParams.sort()} does it (the Python package normalises differently; docs/compatibility.md §2):
     * <ul>
     *   <li>leading/trailing spaces and controls are trimmed, tabs and newlines removed;</li>
     *   <li>the scheme is lower-cased; for the special schemes (http, https, ws, wss, ftp, file) the host is
     *       lower-cased (non-ASCII hosts converted with IDNA), a default port (80, 443, 80, 443, 21) or an empty port
     *       is dropped, and an empty path becomes {@code /}; dot segments are removed from hierarchical paths;</li>
     *   <li>in the path, space, {@code " # < > ? ` { }}, controls and non-ASCII characters are percent-encoded as
     *       UTF-8; in the fragment space, {@code " < > `}, controls and non-ASCII;</li>
     *   <li>the query is parsed as {@code application/x-www-form-urlencoded}, its pairs sorted stably by name
     *       (UTF-16 code-unit order) and re-serialised in that encoding ({@code +} for spaces, only
     *       {@code * - . _} and ASCII alphanumerics left unencoded); an empty query (also a lone {@code ?}) is
     *       dropped;</li>
     *   <li>user info and non-special hosts are kept as given.</li>
     * </ul>
     * The authority is validated with {@link URI}. Not reproduced from WHATWG: backslashes as path separators,
     * IPv4 number-form and IPv6 canonicalisation, and {@code %2e} dot segments.
     *
     * @throws IllegalArgumentException if the URL is not absolute or its authority cannot be parsed
     */
    public static String hashUrl(String url) {
        return "url:" + normalizeUrl(url);
    }

    /**
     * HTTP GET {@code url} with a shared default {@link HttpClient}, then {@code sha256:} + hex of the body. A
     * non-2xx status fails with an {@link IOException} {@code fetchAndHash: HTTP <status> for <url>}.
     */
    public static Mono<String> fetchAndHash(String url) {
        return fetchAndHash(sharedClient(), url);
    }

    /** {@link #fetchAndHash(String)} with the given client. */
    public static Mono<String> fetchAndHash(HttpClient client, String url) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(url, "url");
        return Mono.defer(() -> {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url)).GET().build();
            return Mono.fromFuture(() -> client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()));
        }).flatMap(res -> {
            int status = res.statusCode();
            if (status < 200 || status > 299) {
                return Mono.error(new IOException("fetchAndHash: HTTP " + status + " for " + url));
            }
            return Mono.just(hashBytes(res.body()));
        });
    }

    // ------------------------------------------------------------------------------------------ normalizers

    /**
     * Refs without normalisation: base64 → {@code base64:<data>}, url → {@code url:<url>}, file id →
     * {@code fileid:<provider>:<fileId>}, bytes → {@link #hashBytes(byte[])}.
     */
    public static BinaryNormalizer passthrough() {
        return PASSTHROUGH;
    }

    /** The synchronous form of {@link #passthrough()}. */
    public static String passthroughRef(BinaryRef ref) {
        BinarySource s = ref.source();
        if (s instanceof BinarySource.Base64 b) {
            return "base64:" + b.data();
        } else if (s instanceof BinarySource.Url u) {
            return "url:" + u.url();
        } else if (s instanceof BinarySource.FileId f) {
            return "fileid:" + f.provider() + ":" + f.fileId();
        } else if (s instanceof BinarySource.Bytes by) {
            return hashBytes(by.data());
        }
        throw new IllegalArgumentException("unknown binary source " + s);
    }

    /**
     * A normalizer that dispatches: first {@code byKind[ref.kind]} (called with the whole ref), else the handler for
     * the source type, else {@link #passthrough()} (the TypeScript fallback; the Python package hashes base64 and
     * bytes instead, docs/compatibility.md §2). Handlers run on subscription; one that throws fails the Mono.
     */
    public static BinaryNormalizer compose(NormalizerConfig cfg) {
        Objects.requireNonNull(cfg, "cfg");
        return ref -> {
            Objects.requireNonNull(ref, "ref");
            return Mono.defer(() -> dispatch(cfg, ref));
        };
    }

    /** {@code compose} with {@code base64 = hashBase64} and {@code bytes = hashBytes}. */
    public static BinaryNormalizer defaultNormalizer() {
        return DEFAULT;
    }

    private static Mono<String> dispatch(NormalizerConfig cfg, BinaryRef ref) {
        BinaryNormalizer kindFn = cfg.byKind().get(ref.kind());
        if (kindFn != null) {
            return nonNull(() -> kindFn.normalize(ref));
        }
        BinarySource s = ref.source();
        if (s instanceof BinarySource.Base64 b && cfg.base64().isPresent()) {
            return nonNull(() -> cfg.base64().get().apply(b.data()));
        } else if (s instanceof BinarySource.Url u && cfg.url().isPresent()) {
            return nonNull(() -> cfg.url().get().apply(u.url()));
        } else if (s instanceof BinarySource.FileId f && cfg.fileId().isPresent()) {
            return nonNull(() -> cfg.fileId().get().apply(f.fileId(), f.provider()));
        } else if (s instanceof BinarySource.Bytes by && cfg.bytes().isPresent()) {
            return nonNull(() -> cfg.bytes().get().apply(by.data()));
        }
        return Mono.just(passthroughRef(ref));
    }

    private static Mono<String> nonNull(Supplier<Mono<String>> call) {
        return Objects.requireNonNull(call.get(), "normalizer handler returned null instead of a Mono");
    }

    private static HttpClient sharedClient() {
        HttpClient c = httpClient;
        if (c == null) {
            synchronized (Normalizers.class) {
                c = httpClient;
                if (c == null) {
                    c = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
                    httpClient = c;
                }
            }
        }
        return c;
    }

    // ------------------------------------------------------------------------------------------ base64

    static byte[] decodeBase64Lenient(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() * 3 / 4 + 3);
        int acc = 0;
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '=') {
                break;
            }
            int v = sextet(c);
            if (v < 0) {
                continue;
            }
            acc = (acc << 6) | v;
            n++;
            if (n == 4) {
                out.write(acc >> 16);
                out.write(acc >> 8);
                out.write(acc);
                acc = 0;
                n = 0;
            }
        }
        if (n == 2) {
            out.write(acc >> 4);
        } else if (n == 3) {
            out.write(acc >> 10);
            out.write(acc >> 2);
        }
        return out.toByteArray();
    }

    private static int sextet(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        } else if (c == '+' || c == '-') {
            return 62;
        } else if (c == '/' || c == '_') {
            return 63;
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------------ URL

    private static final Map<String, Integer> SPECIAL_SCHEMES = Map.of(
            "http", 80, "https", 443, "ws", 80, "wss", 443, "ftp", 21, "file", -1);

    private static final java.util.regex.Pattern SCHEME =
            java.util.regex.Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):(.*)", java.util.regex.Pattern.DOTALL);

    static String normalizeUrl(String input) {
        Objects.requireNonNull(input, "url");
        String s = stripControls(input);
        int hash = s.indexOf('#');
        String beforeFragment = hash >= 0 ? s.substring(0, hash) : s;
        String fragment = hash >= 0 ? s.substring(hash + 1) : null;
        int q = beforeFragment.indexOf('?');
        String head = q >= 0 ? beforeFragment.substring(0, q) : beforeFragment;
        String query = q >= 0 ? beforeFragment.substring(q + 1) : null;

        java.util.regex.Matcher m = SCHEME.matcher(head);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid URL (not absolute): " + input);
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        String rest = m.group(2);
        Integer defaultPort = SPECIAL_SCHEMES.get(scheme);
        boolean special = defaultPort != null;
        StringBuilder sb = new StringBuilder(input.length() + 8).append(scheme).append(':');
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            String authority = slash >= 0 ? rest.substring(2, slash) : rest.substring(2);
            String path = slash >= 0 ? rest.substring(slash) : "";
            sb.append("//");
            if (special) {
                if (authority.isEmpty() && !scheme.equals("file")) {
                    throw new IllegalArgumentException("invalid URL (empty host): " + input);
                }
                sb.append(normalizeAuthority(authority, defaultPort, input));
            } else {
                sb.append(encode(authority, ""));
            }
            if (path.isEmpty() && special) {
                path = "/";
            }
            sb.append(removeDotSegments(encode(path, PATH_SET)));
        } else if (special) {
            throw new IllegalArgumentException("invalid URL (special scheme without '//'): " + input);
        } else {
            // opaque path (mailto:, data:, urn:...): only controls and non-ASCII are encoded
            sb.append(rest.startsWith("/") ? removeDotSegments(encode(rest, PATH_SET)) : encode(rest, ""));
        }
        if (query != null) {
            String sorted = sortQuery(query);
            if (!sorted.isEmpty()) {
                sb.append('?').append(sorted);
            }
        }
        if (fragment != null) {
            sb.append('#').append(encode(fragment, FRAGMENT_SET));
        }
        return sb.toString();
    }

    private static final String FRAGMENT_SET = " \"<>`";
    private static final String PATH_SET = " \"<>`#?{}";

    /** WHATWG: strip leading/trailing C0 controls and spaces; remove ASCII tab and newlines anywhere. */
    private static String stripControls(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && s.charAt(from) <= 0x20) {
            from++;
        }
        while (to > from && s.charAt(to - 1) <= 0x20) {
            to--;
        }
        StringBuilder sb = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c != '\t' && c != '\n' && c != '\r') {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Percent-encode (UTF-8) the listed ASCII characters, C0 controls and every non-ASCII character. */
    private static String encode(String s, String asciiSet) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean enc = c < 0x20 || c > 0x7E || asciiSet.indexOf(c) >= 0;
            if (enc && sb == null) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (enc) {
                int cp = s.codePointAt(i);
                if (Character.isSupplementaryCodePoint(cp)) {
                    i++;
                }
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    appendPct(sb, b);
                }
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static String normalizeAuthority(String rawAuthority, int defaultPort, String input) {
        String authority;
        try {
            // java.net.URI validates the authority syntax (user info, host, port) for us.
            authority = new URI("x://" + encode(rawAuthority, "") + "/").getRawAuthority();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid URL authority in " + input + ": " + e.getMessage(), e);
        }
        if (authority == null) {
            throw new IllegalArgumentException("invalid URL authority in " + input);
        }
        int at = authority.lastIndexOf('@');
        String userInfo = at >= 0 ? authority.substring(0, at + 1) : "";
        String hostPort = authority.substring(at + 1);
        String host = hostPort;
        String port = null;
        int colon = hostPort.lastIndexOf(':');
        int bracket = hostPort.lastIndexOf(']');
        if (colon > bracket) {
            host = hostPort.substring(0, colon);
            port = hostPort.substring(colon + 1);
        }
        host = percentDecodeHost(host);
        if (!host.startsWith("[")) {
            try {
                host = IDN.toASCII(host, IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid URL host: " + host, e);
            }
        }
        host = host.toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(authority.length()).append(userInfo).append(host);
        if (port != null && !port.isEmpty()) {
            int p;
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid URL port: " + port, e);
            }
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("invalid URL port: " + port);
            }
            if (p != defaultPort) {
                sb.append(':').append(p);
            }
        }
        return sb.toString();
    }

    private static String percentDecodeHost(String host) {
        if (host.indexOf('%') < 0) {
            return host;
        }
        return new String(percentDecode(host, false), StandardCharsets.UTF_8);
    }

    /** RFC 3986 §5.2.4 dot-segment removal for an absolute path; a relative or empty path is returned as is. */
    private static String removeDotSegments(String path) {
        if (!path.startsWith("/") || !path.contains("/.")) {
            return path;
        }
        String[] segs = path.substring(1).split("/", -1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < segs.length; i++) {
            String seg = segs[i];
            boolean last = i == segs.length - 1;
            if (seg.equals(".")) {
                if (last) {
                    out.add("");
                }
            } else if (seg.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
                if (last) {
                    out.add("");
                }
            } else {
                out.add(seg);
            }
        }
        return "/" + String.join("/", out);
    }

    // application/x-www-form-urlencoded parse + stable sort by name + serialise (URLSearchParams.sort()).
    static String sortQuery(String query) {
        List<String[]> pairs = new ArrayList<>();
        for (String part : query.split("&", -1)) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = eq >= 0 ? part.substring(0, eq) : part;
            String value = eq >= 0 ? part.substring(eq + 1) : "";
            pairs.add(new String[] {formDecode(name), formDecode(value)});
        }
        pairs.sort((a, b) -> a[0].compareTo(b[0]));
        StringBuilder sb = new StringBuilder(query.length() + 8);
        for (String[] p : pairs) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            formEncode(sb, p[0]);
            sb.append('=');
            formEncode(sb, p[1]);
        }
        return sb.toString();
    }

    private static String formDecode(String s) {
        return new String(percentDecode(s, true), StandardCharsets.UTF_8);
    }

    private static byte[] percentDecode(String s, boolean plusIsSpace) {
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '+' && plusIsSpace) {
                out.write(' ');
            } else if (b == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
                out.write(hex(in[i + 1]) * 16 + hex(in[i + 2]));
                i += 2;
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        } else if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        } else if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    private static void formEncode(StringBuilder sb, String s) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == ' ') {
                sb.append('+');
            } else if (c == '*' || c == '-' || c == '.' || c == '_' || (c >= '0' && c <= '9')
                    || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
                sb.append((char) c);
            } else {
                appendPct(sb, b);
            }
        }
    }

    private static void appendPct(StringBuilder sb, byte b) {
        sb.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
    }
}
