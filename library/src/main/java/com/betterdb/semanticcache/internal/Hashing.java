package com.betterdb.semanticcache.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 hex of UTF-8 text, as used for embedding-cache keys and miss correlation ids. */
public final class Hashing {

    private static final HexFormat HEX = HexFormat.of();
    /** {@code MessageDigest.getInstance} looks the provider up each time; a digest per thread is reused instead. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JDK", e);
        }
    });

    private Hashing() {
    }

    public static String sha256Hex(String text) {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256Hex(byte[] bytes) {
        return HEX.formatHex(SHA256.get().digest(bytes)); // digest() resets it for the next use
    }

    /** First 16 hex characters of SHA-256 of the text: the miss-pending correlation id (docs/data-format.md §9). */
    public static String correlationId(String text) {
        return sha256Hex(text).substring(0, 16);
    }
}
