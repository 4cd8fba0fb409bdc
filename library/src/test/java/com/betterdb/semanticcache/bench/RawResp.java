package com.betterdb.semanticcache.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fastest client we can write, as a baseline: plain blocking sockets, RESP2 encoded by hand into one buffer per
 * batch, one {@code write} (= one flush) per batch, a reader thread per connection that skips each reply without
 * building anything, and a sliding window of at most {@code window} commands in flight per connection. No library,
 * no futures, no scheduler hops: what the server answers to a pipeline, minus nothing but the bytes on loopback.
 */
final class RawResp {

    private RawResp() {
    }

    /** Encodes command {@code i} into {@code out}. */
    interface Commands {
        void write(int i, Writer out);
    }

    /** Throughput and per-command latency (send of its batch → its reply) of one run. */
    record Result(int commands, long nanos, long[] latencies, int errors, String firstError) {
        double perSecond() {
            return commands / (nanos / 1e9);
        }
    }

    /**
     * Sends commands {@code 0 .. total-1} over {@code connections} sockets, {@code batch} per write, at most
     * {@code window} unanswered per socket, and waits for every reply.
     */
    static Result run(String host, int port, int total, int batch, int window, int connections, Commands commands)
            throws Exception {
        if (window < batch) {
            throw new IllegalArgumentException("window " + window + " < batch " + batch);
        }
        long[] sent = new long[total];
        long[] latencies = new long[total];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[connections * 2];
        Socket[] sockets = new Socket[connections];
        for (int c = 0; c < connections; c++) {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port));
            sockets[c] = s;
        }
        long start = System.nanoTime();
        for (int c = 0; c < connections; c++) {
            Socket s = sockets[c];
            Semaphore permits = new Semaphore(window);
            BlockingQueue<int[]> inFlight = new ArrayBlockingQueue<>(window / batch + total / batch + 2);
            threads[2 * c] = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    Writer w = new Writer();
                    while (true) {
                        int from = next.getAndAdd(batch);
                        if (from >= total) {
                            inFlight.put(new int[]{-1, -1});
                            return;
                        }
                        int to = Math.min(total, from + batch);
                        permits.acquire(to - from);
                        w.reset();
                        for (int i = from; i < to; i++) {
                            commands.write(i, w);
                        }
                        inFlight.put(new int[]{from, to});
                        long now = System.nanoTime();
                        for (int i = from; i < to; i++) {
                            sent[i] = now;
                        }
                        out.write(w.buf, 0, w.len);
                        out.flush();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "raw-writer-" + c);
            threads[2 * c + 1] = new Thread(() -> {
                try {
                    Reader r = new Reader(new BufferedInputStream(s.getInputStream(), 1 << 16));
                    while (true) {
                        int[] range = inFlight.take();
                        if (range[0] < 0) {
                            return;
                        }
                        for (int i = range[0]; i < range[1]; i++) {
                            String err = r.skipReply();
                            latencies[i] = System.nanoTime() - sent[i];
                            if (err != null) {
                                errors.incrementAndGet();
                                firstError.compareAndSet(null, err);
                            }
                            permits.release();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "raw-reader-" + c);
        }
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        long nanos = System.nanoTime() - start;
        for (Socket s : sockets) {
            s.close();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("raw pipeline failed", failure.get());
        }
        return new Result(total, nanos, latencies, errors.get(), firstError.get());
    }

    /** RESP2 request encoder into one growable buffer. */
    static final class Writer {
        byte[] buf = new byte[1 << 16];
        int len;

        void reset() {
            len = 0;
        }

        Writer array(int n) {
            header('*', n);
            return this;
        }

        Writer bulk(byte[] b) {
            header('$', b.length);
            ensure(b.length + 2);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
            buf[len++] = '\r';
            buf[len++] = '\n';
            return this;
        }

        Writer bulk(String ascii) {
            return bulk(ascii.getBytes(StandardCharsets.UTF_8));
        }

        private void header(char type, int n) {
            ensure(16);
            buf[len++] = (byte) type;
            if (n == 0) {
                buf[len++] = '0';
            } else {
                int start = len;
                while (n > 0) {
                    buf[len++] = (byte) ('0' + n % 10);
                    n /= 10;
                }
                for (int i = start, j = len - 1; i < j; i++, j--) {
                    byte t = buf[i];
                    buf[i] = buf[j];
                    buf[j] = t;
                }
            }
            buf[len++] = '\r';
            buf[len++] = '\n';
        }

        private void ensure(int n) {
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }
    }

    /** Skips one RESP2/RESP3 reply of any shape; returns the text of an error reply, else null. */
    static final class Reader {
        private final InputStream in;

        Reader(InputStream in) {
            this.in = in;
        }

        String skipReply() throws IOException {
            int type = read();
            switch (type) {
                case '+', ':', ',', '#', '_', '(' -> {
                    skipLine();
                    return null;
                }
                case '-' -> {
                    return line();
                }
                case '$', '=', '!' -> {
                    long n = number();
                    if (n >= 0) {
                        skip(n + 2);
                    }
                    return null;
                }
                case '*', '~', '>' -> {
                    long n = number();
                    String err = null;
                    for (long i = 0; i < n; i++) {
                        String e = skipReply();
                        err = err == null ? e : err;
                    }
                    return err;
                }
                case '%', '|' -> {
                    long n = number();
                    for (long i = 0; i < 2 * n; i++) {
                        skipReply();
                    }
                    return null;
                }
                default -> throw new IOException("unexpected RESP type byte " + type);
            }
        }

        private int read() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            return b;
        }

        private long number() throws IOException {
            long n = 0;
            boolean neg = false;
            int b = read();
            if (b == '-') {
                neg = true;
                b = read();
            }
            while (b != '\r') {
                n = n * 10 + (b - '0');
                b = read();
            }
            read(); // '\n'
            return neg ? -n : n;
        }

        private void skipLine() throws IOException {
            while (read() != '\n') {
                // skip
            }
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int b;
            while ((b = read()) != '\r') {
                sb.append((char) b);
            }
            read();
            return sb.toString();
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                long k = in.skip(n);
                if (k <= 0) {
                    read();
                    k = 1;
                }
                n -= k;
            }
        }
    }
}
