package com.betterdb.semanticcache.embed.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** Reads vectors out of a provider's JSON reply and checks them. Problems are {@link MalformedReply}s. */
public final class Vectors {

    private Vectors() {
    }

    /** A JSON array of numbers as a vector. */
    public static float[] of(JsonNode array) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new MalformedReply("an embedding is missing or not a non-empty array");
        }
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode n = array.get(i);
            if (!n.isNumber()) {
                throw new MalformedReply("an embedding has a non-numeric component");
            }
            v[i] = (float) n.asDouble();
        }
        return v;
    }

    /** {@code node} as a JSON array of exactly {@code expected} elements. */
    public static JsonNode array(JsonNode node, int expected, String what) {
        if (node == null || !node.isArray()) {
            throw new MalformedReply("reply has no " + what + " array");
        }
        if (node.size() != expected) {
            throw new MalformedReply("reply has " + node.size() + " embeddings for " + expected + " inputs");
        }
        return node;
    }

    /** {@code node} as a JSON array of exactly {@code expected} vectors. */
    public static List<float[]> all(JsonNode node, int expected, String what) {
        List<float[]> out = new java.util.ArrayList<>(expected);
        for (JsonNode v : array(node, expected, what)) {
            out.add(of(v));
        }
        return out;
    }

    /**
     * Checks that one reply's vectors all have the same length and, when {@code dimensions} is set (> 0), that
     * length. Returns {@code vectors}.
     */
    public static List<float[]> sameLength(List<float[]> vectors, int dimensions) {
        int first = vectors.isEmpty() ? 0 : vectors.get(0).length;
        for (float[] v : vectors) {
            if (v.length != first) {
                throw new MalformedReply("reply mixes vectors of " + first + " and " + v.length + " dimensions");
            }
        }
        if (dimensions > 0 && first != dimensions && !vectors.isEmpty()) {
            throw new MalformedReply("reply has " + first + "-dimensional vectors, " + dimensions + " requested");
        }
        return vectors;
    }
}
