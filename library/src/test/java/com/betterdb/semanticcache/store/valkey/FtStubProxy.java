package com.betterdb.semanticcache.store.valkey;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny RESP2 proxy in front of a plain Valkey server that answers chosen commands itself (e.g. {@code FT.DROPINDEX}
 * with valkey-search's "index missing" error) and forwards every other command, one at a time, to the real server.
 * Lets the parts of the store that follow an FT.* command run against real keys where the module is absent.
 * Clients must speak RESP2 (no {@code HELLO 3}). Test use only.
 */
final class FtStubProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final String upstreamHost;
    private final int upstreamPort;
    /** Upper-case command name → raw RESP reply to send instead of forwarding. */
    private final Map<String, byte[]> stubs = new ConcurrentHashMap<>();
    private final Map<String, java.util.Deque<byte[]>> sequences = new ConcurrentHashMap<>();
    /** Every stubbed command received, as its arguments. */
    final List<List<String>> stubbed = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    FtStubProxy(String upstreamHost, int upstreamPort) throws IOException {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "ft-stub-proxy");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Answers {@code command} with {@code rawReply} (e.g. {@code "-Unknown index name\r\n"}). */
    void stub(String command, String rawReply) {
        stubBytes(command, rawReply.getBytes(StandardCharsets.UTF_8));
    }

    /** Answers {@code command} with exactly these bytes (e.g. a recorded valkey-search reply with binary fields). */
    void stubBytes(String command, byte[] rawReply) {
        sequences.remove(command.toUpperCase(java.util.Locale.ROOT));
        stubs.put(command.toUpperCase(java.util.Locale.ROOT), rawReply.clone());
    }

    /** Answers the n-th {@code command} with the n-th reply, and every later one with the last. */
    void stubSequence(String command, String... rawReplies) {
        String c = command.toUpperCase(java.util.Locale.ROOT);
        java.util.Deque<byte[]> q = new java.util.concurrent.ConcurrentLinkedDeque<>();
        for (String r : rawReplies) {
            q.add(r.getBytes(StandardCharsets.UTF_8));
        }
        stubs.put(c, q.getLast());
        sequences.put(c, q);
    }

    /** The next reply of a sequence, or the fixed stub. */
    private byte[] reply(String command) {
        java.util.Deque<byte[]> q = sequences.get(command);
        if (q != null) {
            byte[] next = q.size() > 1 ? q.pollFirst() : q.peekFirst();
            if (next != null) {
                return next;
            }
        }
        return stubs.get(command);
    }

    /** A keys-only {@code FT.SEARCH} reply ({@code RETURN 0}) listing {@code keys}. */
    static String keysReply(String... keys) {
        StringBuilder sb = new StringBuilder("*").append(keys.length + 1).append("\r\n:").append(keys.length)
                .append("\r\n");
        for (String k : keys) {
            sb.append('$').append(k.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(k).append("\r\n");
        }
        return sb.toString();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket upstream = new Socket(upstreamHost, upstreamPort);
                sockets.add(client);
                sockets.add(upstream);
                Thread t = new Thread(() -> serve(client, upstream), "ft-stub-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client, Socket upstream) {
        try (client; upstream) {
            InputStream cin = new BufferedInputStream(client.getInputStream());
            OutputStream cout = client.getOutputStream();
            InputStream uin = new BufferedInputStream(upstream.getInputStream());
            OutputStream uout = upstream.getOutputStream();
            while (true) {
                ByteArrayOutputStream raw = new ByteArrayOutputStream();
                List<String> args = readCommand(cin, raw);
                if (args == null) {
                    return;
                }
                byte[] stub = args.isEmpty() ? null : reply(args.get(0).toUpperCase(java.util.Locale.ROOT));
                if (stub != null) {
                    stubbed.add(args);
                    cout.write(stub);
                } else {
                    uout.write(raw.toByteArray());
                    uout.flush();
                    ByteArrayOutputStream reply = new ByteArrayOutputStream();
                    copyReply(uin, reply);
                    cout.write(reply.toByteArray());
                }
                cout.flush();
            }
        } catch (IOException e) {
            // connection closed
        }
    }

    /** One command (an array of bulk strings), copied raw into {@code raw}; {@code null} at end of stream. */
    private static List<String> readCommand(InputStream in, ByteArrayOutputStream raw) throws IOException {
        String header = readLine(in, raw);
        if (header == null) {
            return null;
        }
        if (header.charAt(0) != '*') {
            throw new IOException("expected a RESP array, got " + header);
        }
        int n = Integer.parseInt(header.substring(1));
        List<String> args = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String len = readLine(in, raw);
            byte[] data = in.readNBytes(Integer.parseInt(len.substring(1)) + 2);
            raw.write(data);
            args.add(new String(data, 0, data.length - 2, StandardCharsets.UTF_8));
        }
        return args;
    }

    /** Copies exactly one RESP2 reply. */
    private static void copyReply(InputStream in, ByteArrayOutputStream out) throws IOException {
        String line = readLine(in, out);
        if (line == null) {
            throw new IOException("upstream closed");
        }
        switch (line.charAt(0)) {
            case '+', '-', ':' -> {
            }
            case '$' -> {
                int len = Integer.parseInt(line.substring(1));
                if (len >= 0) {
                    out.write(in.readNBytes(len + 2));
                }
            }
            case '*' -> {
                int n = Integer.parseInt(line.substring(1));
                for (int i = 0; i < n; i++) {
                    copyReply(in, out);
                }
            }
            default -> throw new IOException("unexpected RESP2 reply: " + line);
        }
    }

    /** A CRLF-terminated line (without CRLF), also copied into {@code raw}; {@code null} at end of stream. */
    private static String readLine(InputStream in, ByteArrayOutputStream raw) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            raw.write(c);
            if (prev == '\r' && c == '\n') {
                byte[] b = line.toByteArray();
                return new String(b, 0, b.length - 1, StandardCharsets.UTF_8);
            }
            line.write(c);
            prev = c;
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
