package com.betterdb.semanticcache.openai;

import com.betterdb.semanticcache.adapter.BinaryParts;
import com.betterdb.semanticcache.adapter.DataUrls;
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
public final class OpenAIChatAdapter {

    static final String PROVIDER = "openai";
    private static final String ANY_IMAGE = "image/*";
    private static final String OCTET_STREAM = "application/octet-stream";

    private OpenAIChatAdapter() {
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
            return BinaryParts.toParams(content.asArrayOfContentParts(), part -> block(part, normalizer), model);
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
                    system.add("system:" + c.asText());
                } else if (c.isArrayOfContentParts()) {
                    c.asArrayOfContentParts().forEach(p -> system.add("system:" + p.text()));
                }
            } else if (m.isDeveloper()) {
                var c = m.asDeveloper().content();
                if (c.isText()) {
                    system.add("developer:" + c.asText());
                } else if (c.isArrayOfContentParts()) {
                    c.asArrayOfContentParts().forEach(p -> system.add("developer:" + p.text()));
                }
            }
        }
        return RequestScope.of(params.model().asString(), system);
    }

    private static Mono<ContentBlock> block(ChatCompletionContentPart part, BinaryNormalizer normalizer) {
        if (part.isText()) {
            ChatCompletionContentPartText t = part.asText();
            return Mono.just(ContentBlock.text(t.text()));
        }
        if (part.isImageUrl()) {
            ChatCompletionContentPartImage.ImageUrl image = part.asImageUrl().imageUrl();
            String url = image.url();
            String mediaType = DataUrls.mediaType(url, ANY_IMAGE);
            String detail = image.detail().map(ChatCompletionContentPartImage.ImageUrl.Detail::asString).orElse(null);
            return BinaryParts.binary(normalizer, BinaryKind.IMAGE, BinaryParts.urlOrData(url, mediaType), mediaType,
                    detail, null);
        }
        if (part.isInputAudio()) {
            ChatCompletionContentPartInputAudio.InputAudio audio = part.asInputAudio().inputAudio();
            String mediaType = "audio/" + audio.format().asString();
            return BinaryParts.binary(normalizer, BinaryKind.AUDIO, new BinarySource.Base64(audio.data(), mediaType),
                    mediaType, null, null);
        }
        if (part.isFile()) {
            ChatCompletionContentPart.File.FileObject file = part.asFile().file();
            String filename = file.filename().orElse(null);
            if (file.fileId().isPresent()) {
                return BinaryParts.binary(normalizer, BinaryKind.DOCUMENT,
                        new BinarySource.FileId(file.fileId().get(), PROVIDER), OCTET_STREAM, null, filename);
            }
            if (file.fileData().isPresent()) {
                String data = file.fileData().get();
                String mediaType = DataUrls.mediaType(data, OCTET_STREAM);
                return BinaryParts.binary(normalizer, BinaryKind.DOCUMENT, new BinarySource.Base64(data, mediaType),
                        mediaType, null, filename);
            }
        }
        return Mono.empty();
    }
}
