package com.betterdb.semanticcache.prompt;

import java.util.Arrays;
import java.util.Objects;

/**
 * Where the bytes of a binary prompt part come from (docs/data-format.md §12.3): inline base64 (optionally a
 * {@code data:<mime>;base64,} URL), a URL, a provider file id, or raw bytes.
 */
public sealed interface BinarySource {

    /** Base64 text, possibly a whole {@code data:<mime>;base64,...} URL; {@code mediaType} may be {@code null}. */
    record Base64(String data, String mediaType) implements BinarySource {
        public Base64 {
            Objects.requireNonNull(data, "data");
        }

        public Base64(String data) {
            this(data, null);
        }

        @Override
        public String toString() {
            return "Base64[chars=" + data.length() + ", mediaType=" + mediaType + "]";
        }
    }

    record Url(String url) implements BinarySource {
        public Url {
            Objects.requireNonNull(url, "url");
        }
    }

    /** A file uploaded to a provider, e.g. provider {@code openai} or {@code anthropic}. */
    record FileId(String fileId, String provider) implements BinarySource {
        public FileId {
            Objects.requireNonNull(fileId, "fileId");
            Objects.requireNonNull(provider, "provider");
        }
    }

    /** Raw bytes; the array is copied on construction and on access. */
    record Bytes(byte[] data) implements BinarySource {
        public Bytes {
            data = Objects.requireNonNull(data, "data").clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(data, b.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Bytes[length=" + data.length + "]";
        }
    }
}
