package com.betterdb.semanticcache.anthropic;

import com.anthropic.core.JsonValue;
import com.anthropic.models.messages.Base64ImageSource;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.DocumentBlockParam;
import com.anthropic.models.messages.ImageBlockParam;
import com.anthropic.models.messages.MessageContentParam;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageParam;
import com.betterdb.semanticcache.adapter.ContentParts;
import com.betterdb.semanticcache.adapter.RequestScope;
import com.betterdb.semanticcache.adapter.SemanticParams;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.BinaryNormalizer;
import com.betterdb.semanticcache.prompt.BinarySource;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Normalizers;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Reads an Anthropic Messages request the way the reference {@code prepare_semantic_params} does: the last
 * {@code user} message is what is looked up (the system prompt never is); its content blocks become content blocks,
 * images and documents carry the normalizer's ref. Pure functions: nothing is sent anywhere.
 */
public final class AnthropicMessagesRequests {

    static final String PROVIDER = "anthropic";
    private static final String USER = "user";
    private static final String ANY_IMAGE = "image/*";
    private static final String PDF = "application/pdf";

    private AnthropicMessagesRequests() {
    }

    /** {@link #prepareSemanticParams(MessageCreateParams, BinaryNormalizer)} with the default normalizer. */
    public static Mono<SemanticParams> prepareSemanticParams(MessageCreateParams params) {
        return prepareSemanticParams(params, Normalizers.defaultNormalizer());
    }

    /**
     * The text, blocks and model to look the request up by. No user message gives text {@code ""}. Block rules:
     * {@code text} → text block; {@code image} → image from a base64 ({@code media_type}, default {@code image/*}),
     * URL or file source; {@code document} → document from a base64 ({@code media_type}, default
     * {@code application/pdf}), plain-text ({@code text/plain}, its UTF-8 bytes), URL or file source; other blocks
     * and sources are skipped.
     */
    public static Mono<SemanticParams> prepareSemanticParams(MessageCreateParams params, BinaryNormalizer normalizer) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(normalizer, "normalizer");
        String model = params.model().asString();
        MessageParam last = null;
        for (MessageParam m : params.messages()) {
            if (USER.equals(m.role().asString())) {
                last = m;
            }
        }
        if (last == null) {
            return Mono.just(SemanticParams.text("", model));
        }
        MessageContentParam content = last.content();
        if (content.isString()) {
            return Mono.just(SemanticParams.text(content.asString(), model));
        }
        if (content.isContentBlockParams()) {
            return ContentParts.params(ContentParts.each(content.asContentBlockParams(), b -> block(b, normalizer)),
                    model);
        }
        return Mono.just(SemanticParams.text("", model));
    }

    /**
     * What besides the user's text must be equal to share an answer: the model, the {@code system} parameter and
     * any system messages.
     */
    public static RequestScope scope(MessageCreateParams params) {
        List<String> system = new ArrayList<>();
        params.system().ifPresent(s -> {
            if (s.isString()) {
                system.add(RequestScope.part("system", s.asString()));
            } else if (s.isTextBlockParams()) {
                s.asTextBlockParams().forEach(t -> system.add(RequestScope.part("system", t.text())));
            }
        });
        for (MessageParam m : params.messages()) {
            if (m.isSystem()) {
                MessageContentParam c = m.content();
                if (c.isString()) {
                    system.add(RequestScope.part("system", c.asString()));
                } else if (c.isContentBlockParams()) {
                    c.asContentBlockParams().stream().filter(ContentBlockParam::isText)
                            .forEach(b -> system.add(RequestScope.part("system", b.asText().text())));
                }
            }
        }
        return RequestScope.of(params.model().asString(), system);
    }

    /**
     * Whether the caching client may look the request up (docs/adapters.md, "What is never cached"): it offers no
     * tools, its conversation ends with a user message, and every block of that message has a block form (so no
     * tool results).
     */
    static boolean cacheable(MessageCreateParams params) {
        List<MessageParam> messages = params.messages();
        if (params.tools().map(t -> !t.isEmpty()).orElse(false) || messages.isEmpty()
                || !USER.equals(messages.get(messages.size() - 1).role().asString())) {
            return false;
        }
        MessageContentParam content = messages.get(messages.size() - 1).content();
        return !content.isContentBlockParams()
                || ContentParts.representable(ContentParts.each(content.asContentBlockParams(),
                        b -> block(b, Normalizers.defaultNormalizer())));
    }

    private static Mono<ContentBlock> block(ContentBlockParam block, BinaryNormalizer normalizer) {
        if (block.isText()) {
            return ContentParts.text(block.asText().text());
        }
        if (block.isImage()) {
            ImageBlockParam.Source source = block.asImage().source();
            if (source.isBase64()) {
                String mediaType = source.asBase64()._mediaType().asKnown().map(Base64ImageSource.MediaType::asString)
                        .orElse(null);
                return ContentParts.base64(BinaryKind.IMAGE, source.asBase64().data(), mediaType, ANY_IMAGE, null,
                        null, normalizer);
            }
            if (source.isUrl()) {
                return binary(BinaryKind.IMAGE, new BinarySource.Url(source.asUrl().url()), ANY_IMAGE, normalizer);
            }
            if (source.isFile()) {
                return binary(BinaryKind.IMAGE, new BinarySource.FileId(source.asFile().fileId(), PROVIDER), ANY_IMAGE,
                        normalizer);
            }
            return null;
        }
        if (block.isDocument()) {
            DocumentBlockParam.Source source = block.asDocument().source();
            if (source.isBase64()) {
                JsonValue declared = source.asBase64()._mediaType();
                return ContentParts.base64(BinaryKind.DOCUMENT, source.asBase64().data(),
                        declared.asString().isPresent() ? declared.asStringOrThrow() : null, PDF, null, null,
                        normalizer);
            }
            if (source.isText()) {
                String data = Base64.getEncoder()
                        .encodeToString(source.asText().data().getBytes(StandardCharsets.UTF_8));
                return ContentParts.base64(BinaryKind.DOCUMENT, data, "text/plain", null, null, null, normalizer);
            }
            if (source.isUrl()) {
                return binary(BinaryKind.DOCUMENT, new BinarySource.Url(source.asUrl().url()), PDF, normalizer);
            }
            if (source.isFile()) {
                return binary(BinaryKind.DOCUMENT, new BinarySource.FileId(source.asFile().fileId(), PROVIDER),
                        "application/octet-stream", normalizer);
            }
        }
        return null;
    }

    private static Mono<ContentBlock> binary(BinaryKind kind, BinarySource source, String mediaType,
                                             BinaryNormalizer normalizer) {
        return ContentParts.binary(kind, source, mediaType, null, null, normalizer);
    }
}
