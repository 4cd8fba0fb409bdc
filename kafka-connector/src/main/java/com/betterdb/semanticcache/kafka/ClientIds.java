package com.betterdb.semanticcache.kafka;

import java.net.InetAddress;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Default {@code client.id} of a processor instance: {@code semantic-cache-<host>-<random>}, so instances on
 * different machines, or several in one JVM, never share one (broker quotas, logs and metrics tell them apart).
 */
final class ClientIds {

    private ClientIds() {
    }

    static String defaultClientId() {
        byte[] suffix = new byte[4];
        ThreadLocalRandom.current().nextBytes(suffix);
        return "semantic-cache-" + hostName() + "-" + HexFormat.of().formatHex(suffix);
    }

    /** This machine's name, reduced to the characters a client id may hold; {@code localhost} when unknown. */
    static String hostName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "localhost";
            }
        }
        String clean = host.replaceAll("[^A-Za-z0-9._-]", "_");
        return clean.isEmpty() ? "localhost" : clean;
    }
}
