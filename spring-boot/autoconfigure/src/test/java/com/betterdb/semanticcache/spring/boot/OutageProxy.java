package com.betterdb.semanticcache.spring.boot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on a fixed loopback port in front of a real server, that can be {@link #cut()} (listener and every
 * connection closed: the server is unreachable) and {@link #open()}ed again on the same port (the server is back),
 * without touching the server, which other tests share. Test use only.
 */
final class OutageProxy implements AutoCloseable {

    private final InetSocketAddress upstream;
    private final int port;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private ServerSocket listener;

    /** A proxy to {@code host:upstreamPort} on a free port, listening when {@code open}. */
    OutageProxy(String host, int upstreamPort, boolean open) throws IOException {
        this.upstream = new InetSocketAddress(host, upstreamPort);
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            this.port = probe.getLocalPort();
        }
        if (open) {
            open();
        }
    }

    int port() {
        return port;
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    synchronized void open() throws IOException {
        if (listener != null) {
            return;
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        listener = s;
        Thread t = new Thread(() -> accept(s), "outage-proxy-" + port);
        t.setDaemon(true);
        t.start();
    }

    /** Closes the listener and every connection through the proxy. */
    synchronized void cut() {
        if (listener != null) {
            closeQuietly(listener);
            listener = null;
        }
        sockets.forEach(OutageProxy::closeQuietly);
        sockets.clear();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                Socket server = new Socket();
                try {
                    server.connect(upstream, 5000);
                } catch (IOException e) {
                    closeQuietly(client);
                    closeQuietly(server);
                    continue;
                }
                sockets.add(client);
                sockets.add(server);
                pump(client, server);
                pump(server, client);
            } catch (IOException e) {
                return; // listener closed
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // one side closed: close both below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "outage-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        cut();
    }
}
