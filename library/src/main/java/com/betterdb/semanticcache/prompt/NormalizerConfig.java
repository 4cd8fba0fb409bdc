package com.betterdb.semanticcache.prompt;

import reactor.core.publisher.Mono;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Handlers for {@link Normalizers#compose(NormalizerConfig)}: one per source type ({@code base64}, {@code url},
 * {@code fileId}, {@code bytes}) and/or one per {@link BinaryKind} ({@code byKind}, which takes precedence and
 * receives the whole {@link BinaryRef}). Unset handlers fall back to {@link Normalizers#passthrough()}.
 */
public final class NormalizerConfig {

    private final Function<String, Mono<String>> base64;
    private final Function<String, Mono<String>> url;
    private final BiFunction<String, String, Mono<String>> fileId;
    private final Function<byte[], Mono<String>> bytes;
    private final Map<BinaryKind, BinaryNormalizer> byKind;

    private NormalizerConfig(Builder b) {
        this.base64 = b.base64;
        this.url = b.url;
        this.fileId = b.fileId;
        this.bytes = b.bytes;
        this.byKind = b.byKind.isEmpty() ? Map.of() : Map.copyOf(b.byKind);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** No handlers: every source goes to the passthrough fallback. */
    public static NormalizerConfig empty() {
        return builder().build();
    }

    public Optional<Function<String, Mono<String>>> base64() {
        return Optional.ofNullable(base64);
    }

    public Optional<Function<String, Mono<String>>> url() {
        return Optional.ofNullable(url);
    }

    /** Called with {@code (fileId, provider)}. */
    public Optional<BiFunction<String, String, Mono<String>>> fileId() {
        return Optional.ofNullable(fileId);
    }

    public Optional<Function<byte[], Mono<String>>> bytes() {
        return Optional.ofNullable(bytes);
    }

    public Map<BinaryKind, BinaryNormalizer> byKind() {
        return byKind;
    }

    public static final class Builder {
        private Function<String, Mono<String>> base64;
        private Function<String, Mono<String>> url;
        private BiFunction<String, String, Mono<String>> fileId;
        private Function<byte[], Mono<String>> bytes;
        private final Map<BinaryKind, BinaryNormalizer> byKind = new EnumMap<>(BinaryKind.class);

        private Builder() {
        }

        /** Handler for base64 sources, called with the source's {@code data} (data-URL prefix included). */
        public Builder base64(Function<String, Mono<String>> handler) {
            this.base64 = Objects.requireNonNull(handler, "handler");
            return this;
        }

        public Builder url(Function<String, Mono<String>> handler) {
            this.url = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Handler for file-id sources, called with {@code (fileId, provider)}. */
        public Builder fileId(BiFunction<String, String, Mono<String>> handler) {
            this.fileId = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Handler for byte sources; it receives a copy of the bytes. */
        public Builder bytes(Function<byte[], Mono<String>> handler) {
            this.bytes = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Normalizer for every part of this kind, whatever its source; takes precedence over source handlers. */
        public Builder byKind(BinaryKind kind, BinaryNormalizer normalizer) {
            byKind.put(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(normalizer, "normalizer"));
            return this;
        }

        public Builder byKind(Map<BinaryKind, ? extends BinaryNormalizer> normalizers) {
            normalizers.forEach(this::byKind);
            return this;
        }

        public NormalizerConfig build() {
            return new NormalizerConfig(this);
        }
    }
}
