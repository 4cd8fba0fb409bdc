package com.betterdb.semanticcache.store.valkey.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.protocol.RedisStateMachine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The recorded valkey-search 1.2.1 replies (copied from /work/shared/fixtures/valkey-search into
 * src/test/resources/protocol/valkey-search) and helpers that run them through Lettuce's real RESP decoder.
 */
final class Fixtures {

    static final String DIR = "/protocol/valkey-search/";

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final JsonNode MANIFEST = load();

    /** Decoded query vector Q = [1, 0.05, 0, 0]. */
    static final float[] Q = {1f, 0.05f, 0f, 0f};

    private Fixtures() {
    }

    private static JsonNode load() {
        try (InputStream in = Fixtures.class.getResourceAsStream(DIR + "manifest.json")) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One fixture from manifest.json. */
    record Fixture(int n, String name, JsonNode node) {

        String file(String protocol) {
            return String.format("%02d-%s.%s", n, name, protocol);
        }

        JsonNode view(String protocol) {
            return node.get(protocol + "_view");
        }

        String command() {
            return node.get("argv").get(0).asText();
        }

        /** The argv after the command name, binary arguments decoded from {@code base64:}. */
        List<byte[]> argsAfterCommand() {
            List<byte[]> out = new ArrayList<>();
            JsonNode argv = node.get("argv");
            for (int i = 1; i < argv.size(); i++) {
                out.add(argBytes(argv.get(i).asText()));
            }
            return out;
        }

        boolean isError() {
            JsonNode v = view("resp2");
            return v.isTextual() && v.asText().startsWith("-");
        }

        /** The error text without the leading {@code -}. */
        String errorText() {
            return view("resp2").asText().substring(1);
        }

        @Override
        public String toString() {
            return String.format("%02d-%s", n, name);
        }
    }

    static List<Fixture> all() {
        List<Fixture> out = new ArrayList<>();
        for (JsonNode f : MANIFEST.get("fixtures")) {
            out.add(new Fixture(f.get("n").asInt(), f.get("name").asText(), f));
        }
        return out;
    }

    static Fixture get(int n) {
        return all().stream().filter(f -> f.n() == n).findFirst().orElseThrow();
    }

    static byte[] argBytes(String manifestArg) {
        return manifestArg.startsWith("base64:")
                ? Base64.getDecoder().decode(manifestArg.substring("base64:".length()))
                : manifestArg.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(String file) {
        try (InputStream in = Fixtures.class.getResourceAsStream(DIR + file)) {
            if (in == null) {
                throw new IllegalArgumentException("missing fixture " + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Feeds the recorded reply bytes through Lettuce's {@link RedisStateMachine} into {@code output}, wrapped in an
     * {@link AsyncCommand} exactly as {@code dispatch} does, and completes it. Asserts the whole reply was consumed.
     */
    static <T> AsyncCommand<byte[], byte[], T> decode(ProtocolKeyword keyword, CommandOutput<byte[], byte[], T> output,
                                                      byte[] reply, String protocol) {
        RedisStateMachine rsm = new RedisStateMachine();
        rsm.setProtocolVersion("resp3".equals(protocol) ? ProtocolVersion.RESP3 : ProtocolVersion.RESP2);
        AsyncCommand<byte[], byte[], T> cmd = new AsyncCommand<>(new Command<>(keyword, output,
                new CommandArgs<>(ByteArrayCodec.INSTANCE)));
        ByteBuf buf = Unpooled.wrappedBuffer(reply);
        boolean done = rsm.decode(buf, cmd.getOutput(), ex -> {
            throw new AssertionError("output threw during decode", ex);
        });
        if (!done || buf.isReadable()) {
            throw new AssertionError("reply not fully decoded: done=" + done + " left=" + buf.readableBytes());
        }
        cmd.complete();
        return cmd;
    }

    /** Encodes a command as Lettuce writes it to the socket and reads the RESP array back into its argv. */
    static List<byte[]> wireArgv(ProtocolKeyword keyword, CommandArgs<byte[], byte[]> args) {
        ByteBuf buf = Unpooled.buffer();
        new Command<>(keyword, null, args).encode(buf);
        List<byte[]> out = new ArrayList<>();
        int count = Integer.parseInt(readLine(buf).substring(1));
        for (int i = 0; i < count; i++) {
            String header = readLine(buf);
            if (header.charAt(0) != '$') {
                throw new AssertionError("expected bulk string, got " + header);
            }
            byte[] b = new byte[Integer.parseInt(header.substring(1))];
            buf.readBytes(b);
            if (buf.readByte() != '\r' || buf.readByte() != '\n') {
                throw new AssertionError("bad terminator");
            }
            out.add(b);
        }
        if (buf.isReadable()) {
            throw new AssertionError("trailing bytes after command");
        }
        return out;
    }

    private static String readLine(ByteBuf buf) {
        StringBuilder sb = new StringBuilder();
        while (true) {
            byte b = buf.readByte();
            if (b == '\r') {
                buf.readByte();
                return sb.toString();
            }
            sb.append((char) b);
        }
    }

    /** Readable form of an argv for assertion messages and equality. */
    static List<String> show(List<byte[]> argv) {
        List<String> out = new ArrayList<>(argv.size());
        for (byte[] b : argv) {
            String s = ReplyValues.utf8(java.nio.ByteBuffer.wrap(b));
            out.add(s != null && !isBinaryLooking(b) ? s : "base64:" + Base64.getEncoder().encodeToString(b));
        }
        return out;
    }

    private static boolean isBinaryLooking(byte[] b) {
        for (byte x : b) {
            if (x >= 0 && x < 0x20) {
                return true;
            }
        }
        return false;
    }

    /**
     * The manifest's decoded view in the comparable form produced by {@link #normalize(Object)}: simple strings
     * lose their {@code +} (the decoder cannot tell them from bulk strings), integers stay {@code :n}.
     */
    static Object viewNormalized(JsonNode view) {
        if (view.isArray()) {
            List<Object> out = new ArrayList<>();
            view.forEach(v -> out.add(viewNormalized(v)));
            return out;
        }
        if (view.isObject()) {
            Map<String, Object> out = new TreeMap<>();
            view.fields().forEachRemaining(e -> out.put(e.getKey(), viewNormalized(e.getValue())));
            return out;
        }
        String s = view.asText();
        return s.startsWith("+") ? s.substring(1) : s;
    }

    /** A {@link GenericReplyOutput} tree in the manifest's view notation (bulk/simple text, :int, ,double). */
    static Object normalize(Object tree) {
        if (tree instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(normalize(v)));
            return out;
        }
        if (tree instanceof byte[] b) {
            String s = ReplyValues.utf8(java.nio.ByteBuffer.wrap(b));
            return s != null && !isBinaryLooking(b) ? s : "base64:" + Base64.getEncoder().encodeToString(b);
        }
        if (tree instanceof Long n) {
            return ":" + n;
        }
        if (tree instanceof Double d) {
            return "," + d;
        }
        return String.valueOf(tree);
    }
}
