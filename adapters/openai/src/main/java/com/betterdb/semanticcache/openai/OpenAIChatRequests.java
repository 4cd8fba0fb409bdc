package com.betterdb.semanticcache.openai;

import com.betterdb.semanticcache.adapter.ContentParts;
import com.betterdb.semanticcache.adapter.RequestScope;
import com.betterdb.semanticcache.adapter.SemanticParams;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.BinaryNormalizer;
import com.betterdb.semanticcache.prompt.BinarySource;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Normalizers;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartInputAudio;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageParam;
import com.openai.models.chat.completions.ChatCompletionUserMessageParam;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads an OpenAI Chat Completions request the way the reference {@code prepare_semantic_params} does: the last
 * {@code user} message is what is looked up; its parts become content blocks, binary parts (images, audio, files)
 * carry the normalizer's ref. Pure functions: nothing is sent anywhere.
 */
public final class OpenAIChatRequests {

    static final String PROVIDER = "openai";
    private static final String ANY_IMAGE = "image/*";
    private static final String OCTET_STREAM = "application/octet-stream";

    private OpenAIChatRequests() {
    }

    /** {@link #prepareSemanticParams(ChatCompletionCreateParams, BinaryNormalizer)} with the default normalizer. */
    public static Mono<SemanticParams> prepareSemanticParams(ChatCompletionCreateParams params) {
        return prepareSemanticParams(params, Normalizers.defaultNormalizer());
    }

    /**
     * The text, blocks and model to look the request up by. No user message, or content that is neither a string
     * nor a list of parts, gives text {@code ""}. Part rules: {@code text} → text block; {@code image_url} → image
     * (a {@code data:} URL is inline base64 with its media type, else a URL; {@code detail} kept); {@code input_audio}
     * → audio {@code audio/<format>}; {@code file} → document from {@code file_id} (provider {@code openai}) else
     * {@code file_data}, {@code filename} kept; other parts are skipped.
     */
    public static Mono<SemanticParams> prepareSemanticParams(ChatCompletionCreateParams params,
                                                             BinaryNormalizer normalizer) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(normalizer, "normalizer");
        String model = params.model().asString();
        ChatCompletionUserMessageParam last = null;
        for (ChatCompletionMessageParam m : params.messages()) {
            if (m.isUser()) {
                last = m.asUser();
            }
        }
        if (last == null) {
            return Mono.just(SemanticParams.text("", model));
        }
        ChatCompletionUserMessageParam.Content content = last.content();
        if (content.isText()) {
            return Mono.just(SemanticParams.text(content.asText(), model));
        }
        if (content.isArrayOfContentParts()) {
            return ContentParts.params(ContentParts.each(content.asArrayOfContentParts(), p -> block(p, normalizer)),
                    model);
        }
        return Mono.just(SemanticParams.text("", model));
    }

    /** What besides the user's text must be equal to share an answer: the model and the system/developer messages. */
    public static RequestScope scope(ChatCompletionCreateParams params) {
        List<String> system = new ArrayList<>();
        for (ChatCompletionMessageParam m : params.messages()) {
            if (m.isSystem()) {
                var c = m.asSystem().content();
                if (c.isText()) {
                    system.add(RequestScope.part("system", c.asText()));
                } else if (c.isArrayOfContentParts()) {
                    c.asArrayOfContentParts().forEach(p -> system.add(RequestScope.part("system", p.text())));
                }
            } else if (m.isDeveloper()) {
                var c = m.asDeveloper().content();
                if (c.isText()) {
                    system.add(RequestScope.part("developer", c.asText()));
                } else if (c.isArrayOfContentParts()) {
                    c.asArrayOfContentParts().forEach(p -> system.add(RequestScope.part("developer", p.text())));
                }
            }
        }
        return RequestScope.of(params.model().asString(), system);
    }

    /**
     * Whether the caching client may look the request up (docs/adapters.md, "What is never cached"): it offers no
     * tools, its conversation ends with a user message, and every part of that message has a block form.
     */
    static boolean cacheable(ChatCompletionCreateParams params) {
        List<ChatCompletionMessageParam> messages = params.messages();
        if (params.tools().map(t -> !t.isEmpty()).orElse(false) || messages.isEmpty()
                || !messages.get(messages.size() - 1).isUser()) {
            return false;
        }
        ChatCompletionUserMessageParam.Content content = messages.get(messages.size() - 1).asUser().content();
        return !content.isArrayOfContentParts() || ContentParts.representable(
                ContentParts.each(content.asArrayOfContentParts(), p -> block(p, Normalizers.defaultNormalizer())));
    }

    private static Mono<ContentBlock> block(ChatCompletionContentPart part, BinaryNormalizer normalizer) {
        if (part.isText()) {
            ChatCompletionContentPartText t = part.asText();
            return ContentParts.text(t.text());
        }
        if (part.isImageUrl()) {
            ChatCompletionContentPartImage.ImageUrl image = part.asImageUrl().imageUrl();
            String detail = image.detail().map(ChatCompletionContentPartImage.ImageUrl.Detail::asString).orElse(null);
            return ContentParts.url(BinaryKind.IMAGE, image.url(), ANY_IMAGE, detail, null, normalizer);
        }
        if (part.isInputAudio()) {
            ChatCompletionContentPartInputAudio.InputAudio audio = part.asInputAudio().inputAudio();
            return ContentParts.base64(BinaryKind.AUDIO, audio.data(), "audio/" + audio.format().asString(), null,
                    null, null, normalizer);
        }
        if (part.isFile()) {
            ChatCompletionContentPart.File.FileObject file = part.asFile().file();
            String filename = file.filename().orElse(null);
            if (file.fileId().isPresent()) {
                return ContentParts.binary(BinaryKind.DOCUMENT, new BinarySource.FileId(file.fileId().get(), PROVIDER),
                        OCTET_STREAM, null, filename, normalizer);
            }
            if (file.fileData().isPresent()) {
                String data = file.fileData().get();
                return ContentParts.base64(BinaryKind.DOCUMENT, data, ContentParts.dataUrlMediaType(data, null),
                        OCTET_STREAM, null, filename, normalizer);
            }
        }
        return null;
    }
}
