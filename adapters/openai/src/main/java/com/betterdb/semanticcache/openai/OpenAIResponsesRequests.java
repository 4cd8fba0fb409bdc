package com.betterdb.semanticcache.openai;

import com.betterdb.semanticcache.adapter.ContentParts;
import com.betterdb.semanticcache.adapter.RequestScope;
import com.betterdb.semanticcache.adapter.SemanticParams;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.BinaryNormalizer;
import com.betterdb.semanticcache.prompt.BinarySource;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Normalizers;
import com.openai.models.ResponsesModel;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseInputContent;
import com.openai.models.responses.ResponseInputFile;
import com.openai.models.responses.ResponseInputImage;
import com.openai.models.responses.ResponseInputItem;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads an OpenAI Responses request the way the reference {@code prepare_semantic_params} does (TypeScript rules): a
 * string {@code input} is the text; a list {@code input} gives its last {@code user} message; when that yields
 * nothing, {@code instructions} (if any) is the text. Pure functions: nothing is sent anywhere.
 */
public final class OpenAIResponsesRequests {

    private static final String USER = "user";
    private static final String ANY_IMAGE = "image/*";
    private static final String OCTET_STREAM = "application/octet-stream";

    private OpenAIResponsesRequests() {
    }

    /** {@link #prepareSemanticParams(ResponseCreateParams, BinaryNormalizer)} with the default normalizer. */
    public static Mono<SemanticParams> prepareSemanticParams(ResponseCreateParams params) {
        return prepareSemanticParams(params, Normalizers.defaultNormalizer());
    }

    /**
     * The text, blocks and model to look the request up by. Part rules: {@code input_text} → text block;
     * {@code input_image} → image from {@code file_id} (provider {@code openai}) else {@code image_url} (a
     * {@code data:} URL is inline base64 with its media type), {@code detail} kept; {@code input_file} → document
     * from {@code file_id}, else {@code file_data}, else {@code file_url}, {@code filename} kept; other parts are
     * skipped.
     */
    public static Mono<SemanticParams> prepareSemanticParams(ResponseCreateParams params, BinaryNormalizer normalizer) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(normalizer, "normalizer");
        String model = model(params);
        Optional<ResponseCreateParams.Input> input = params.input();
        if (input.isPresent() && input.get().isText()) {
            return Mono.just(SemanticParams.text(input.get().asText(), model));
        }
        if (input.isPresent() && input.get().isResponse()) {
            Mono<SemanticParams> fromUser = lastUserMessage(input.get().asResponse(), model, normalizer);
            if (fromUser != null) {
                return fromUser;
            }
        }
        String instructions = params.instructions().orElse("");
        return Mono.just(SemanticParams.text(instructions, model));
    }

    /**
     * What besides the user's text must be equal to share an answer: the model, {@code instructions} and the
     * system/developer messages of {@code input}.
     */
    public static RequestScope scope(ResponseCreateParams params) {
        List<String> system = new ArrayList<>();
        params.instructions().ifPresent(i -> system.add(RequestScope.part("instructions", i)));
        params.input().filter(ResponseCreateParams.Input::isResponse).ifPresent(in -> {
            for (ResponseInputItem item : in.asResponse()) {
                if (item.isEasyInputMessage() && !USER.equals(item.asEasyInputMessage().role().asString())) {
                    EasyInputMessage m = item.asEasyInputMessage();
                    String role = m.role().asString();
                    if (m.content().isTextInput()) {
                        system.add(RequestScope.part(role, m.content().asTextInput()));
                    } else if (m.content().isResponseInputMessageContentList()) {
                        texts(m.content().asResponseInputMessageContentList())
                                .forEach(t -> system.add(RequestScope.part(role, t)));
                    }
                } else if (item.isMessage() && !USER.equals(item.asMessage().role().asString())) {
                    String role = item.asMessage().role().asString();
                    texts(item.asMessage().content()).forEach(t -> system.add(RequestScope.part(role, t)));
                }
            }
        });
        return RequestScope.of(model(params), system);
    }

    static String model(ResponseCreateParams params) {
        return params.model().map(OpenAIResponsesRequests::modelName).orElse(null);
    }

    static String modelName(ResponsesModel m) {
        if (m.isString()) {
            return m.asString();
        }
        return m.isChat() ? m.asChat().asString() : m.asOnly().asString();
    }

    /** The last user message's params, or {@code null} when there is none or its content has no known shape. */
    private static Mono<SemanticParams> lastUserMessage(List<ResponseInputItem> items, String model,
                                                        BinaryNormalizer normalizer) {
        ResponseInputItem last = null;
        for (ResponseInputItem item : items) {
            if (isUser(item)) {
                last = item;
            }
        }
        if (last == null) {
            return null;
        }
        if (last.isEasyInputMessage() && last.asEasyInputMessage().content().isTextInput()) {
            return Mono.just(SemanticParams.text(last.asEasyInputMessage().content().asTextInput(), model));
        }
        List<ResponseInputContent> content = contentList(last);
        return content == null ? null
                : ContentParts.params(ContentParts.each(content, p -> block(p, normalizer)), model);
    }

    private static boolean isUser(ResponseInputItem item) {
        return item.isEasyInputMessage() && USER.equals(item.asEasyInputMessage().role().asString())
                || item.isMessage() && USER.equals(item.asMessage().role().asString());
    }

    private static List<String> texts(List<ResponseInputContent> parts) {
        List<String> out = new ArrayList<>();
        for (ResponseInputContent p : parts) {
            if (p.isInputText()) {
                out.add(p.asInputText().text());
            }
        }
        return out;
    }

    /**
     * Whether the caching client may look the request up (docs/adapters.md, "What is never cached"): it offers no
     * tools, its input is a string or ends with a user message, and every part of that message has a block form.
     */
    static boolean cacheable(ResponseCreateParams params) {
        if (params.tools().map(t -> !t.isEmpty()).orElse(false) || params.input().isEmpty()) {
            return false;
        }
        ResponseCreateParams.Input input = params.input().get();
        if (input.isText()) {
            return true;
        }
        List<ResponseInputItem> items = input.isResponse() ? input.asResponse() : List.of();
        if (items.isEmpty() || !isUser(items.get(items.size() - 1))) {
            return false;
        }
        List<ResponseInputContent> content = contentList(items.get(items.size() - 1));
        return content == null
                || ContentParts.representable(ContentParts.each(content,
                        p -> block(p, Normalizers.defaultNormalizer())));
    }

    /** A user item's content parts, or {@code null} when its content is a string (or has no known shape). */
    private static List<ResponseInputContent> contentList(ResponseInputItem item) {
        if (item.isMessage()) {
            return item.asMessage().content();
        }
        EasyInputMessage.Content content = item.asEasyInputMessage().content();
        return content.isResponseInputMessageContentList() ? content.asResponseInputMessageContentList() : null;
    }

    private static Mono<ContentBlock> block(ResponseInputContent part, BinaryNormalizer normalizer) {
        if (part.isInputText()) {
            return ContentParts.text(part.asInputText().text());
        }
        if (part.isInputImage()) {
            ResponseInputImage image = part.asInputImage();
            String detail = image._detail().asKnown().map(ResponseInputImage.Detail::asString).orElse(null);
            if (image.fileId().isPresent()) {
                return ContentParts.binary(BinaryKind.IMAGE,
                        new BinarySource.FileId(image.fileId().get(), OpenAIChatRequests.PROVIDER), ANY_IMAGE, detail,
                        null, normalizer);
            }
            if (image.imageUrl().isPresent()) {
                return ContentParts.url(BinaryKind.IMAGE, image.imageUrl().get(), ANY_IMAGE, detail, null, normalizer);
            }
            return null;
        }
        if (part.isInputFile()) {
            ResponseInputFile file = part.asInputFile();
            String filename = file.filename().orElse(null);
            if (file.fileId().isPresent()) {
                return ContentParts.binary(BinaryKind.DOCUMENT,
                        new BinarySource.FileId(file.fileId().get(), OpenAIChatRequests.PROVIDER), OCTET_STREAM, null,
                        filename, normalizer);
            }
            if (file.fileData().isPresent()) {
                String data = file.fileData().get();
                return ContentParts.base64(BinaryKind.DOCUMENT, data, ContentParts.dataUrlMediaType(data, null),
                        OCTET_STREAM, null, filename, normalizer);
            }
            if (file.fileUrl().isPresent()) {
                return ContentParts.binary(BinaryKind.DOCUMENT, new BinarySource.Url(file.fileUrl().get()),
                        OCTET_STREAM, null, filename, normalizer);
            }
        }
        return null;
    }
}
