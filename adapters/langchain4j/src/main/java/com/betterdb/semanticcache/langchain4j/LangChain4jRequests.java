package com.betterdb.semanticcache.langchain4j;

import com.betterdb.semanticcache.adapter.ContentParts;
import com.betterdb.semanticcache.adapter.RequestScope;
import com.betterdb.semanticcache.adapter.SemanticParams;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.BinaryNormalizer;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Normalizers;
import dev.langchain4j.data.audio.Audio;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.PdfFileContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.pdf.PdfFile;
import dev.langchain4j.model.chat.request.ChatRequest;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The cache lookup parameters of a LangChain4j request (the reference packages' {@code prepare_semantic_params},
 * docs/adapters.md "Reading a request", applied to LangChain4j's message types). Pure: no I/O besides what the
 * normalizer does.
 *
 * <ol>
 *   <li>The <b>last {@link UserMessage}</b> is selected; none gives text {@code ""} (no blocks). System messages,
 *       assistant messages and tool results are never part of the text.</li>
 *   <li>A user message whose only content is one {@link TextContent} is plain text: {@code text} = that text, no
 *       blocks (LangChain4j's form of a string message).</li>
 *   <li>Any other content list becomes content blocks, in order:
 *     <ul>
 *       <li>{@link TextContent} → a text block;</li>
 *       <li>{@link ImageContent} → {@code binary/image}: base64 data with the image's MIME type (default
 *           {@code image/*}); a {@code data:} URL as base64 with the media type read from the URL; any other URL a
 *           URL source with {@code image/*}. The detail level {@code LOW}/{@code HIGH}/{@code AUTO} is copied as
 *           {@code low}/{@code high}/{@code auto} (others have no block equivalent and are left out);</li>
 *       <li>{@link AudioContent} → {@code binary/audio}: bytes or base64 with the audio's MIME type (default
 *           {@code audio/*}), or its URL as above;</li>
 *       <li>{@link PdfFileContent} → {@code binary/document}: base64 with the file's MIME type (default
 *           {@code application/pdf}), or its URL as above;</li>
 *       <li>anything else (video) is skipped, as the reference adapters skip unknown parts. The caching models do
 *           not cache such requests at all, see {@link SemanticCacheChatModel}.</li>
 *     </ul>
 *     The text is the text blocks' text joined with one space; each binary block's ref is the normalizer's
 *     (default {@link Normalizers#defaultNormalizer()}).</li>
 *   <li>The model is the request's model name ({@link ChatRequest#modelName()}), or the one given for a message
 *       list; it may be {@code null}.</li>
 * </ol>
 * The {@link #scope} (what must be equal besides the text) is the model and the system messages.
 */
public final class LangChain4jRequests {

    static final String IMAGE_DEFAULT = "image/*";
    static final String AUDIO_DEFAULT = "audio/*";
    static final String PDF_DEFAULT = "application/pdf";

    private LangChain4jRequests() {
    }

    /** {@link #prepareSemanticParams(ChatRequest, BinaryNormalizer)} with the default normalizer. */
    public static Mono<SemanticParams> prepareSemanticParams(ChatRequest request) {
        return prepareSemanticParams(request, Normalizers.defaultNormalizer());
    }

    /** The lookup parameters of a request: its messages and its model name. */
    public static Mono<SemanticParams> prepareSemanticParams(ChatRequest request, BinaryNormalizer normalizer) {
        Objects.requireNonNull(request, "request");
        return prepareSemanticParams(request.messages(), request.modelName(), normalizer);
    }

    /** {@link #prepareSemanticParams(List, String, BinaryNormalizer)} with the default normalizer. */
    public static Mono<SemanticParams> prepareSemanticParams(List<ChatMessage> messages, String model) {
        return prepareSemanticParams(messages, model, Normalizers.defaultNormalizer());
    }

    /** The lookup parameters of a message list; {@code model} is passed through (may be {@code null}). */
    public static Mono<SemanticParams> prepareSemanticParams(List<ChatMessage> messages, String model,
                                                             BinaryNormalizer normalizer) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(normalizer, "normalizer");
        UserMessage last = lastUserMessage(messages);
        if (last == null) {
            return Mono.just(SemanticParams.text("", model));
        }
        List<Content> contents = last.contents();
        if (contents.size() == 1 && contents.get(0) instanceof TextContent t) {
            return Mono.just(SemanticParams.text(t.text(), model));
        }
        return ContentParts.params(ContentParts.each(contents, c -> part(c, normalizer)), model);
    }

    /** What besides the user's text must be equal to share an answer: the request's model and system messages. */
    public static RequestScope scope(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        return scope(request.messages(), request.modelName());
    }

    /** The scope of a message list sent to {@code model} ({@code null}: the request names none). */
    public static RequestScope scope(List<ChatMessage> messages, String model) {
        List<String> system = new ArrayList<>();
        for (ChatMessage m : messages) {
            if (m instanceof SystemMessage s) {
                system.add(RequestScope.part("system", s.text()));
            }
        }
        return RequestScope.of(model, system);
    }

    /** The last user message, or {@code null}. */
    static UserMessage lastUserMessage(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof UserMessage u) {
                return u;
            }
        }
        return null;
    }

    /** Whether every part of the message has a content-block form (video has none). */
    static boolean representable(UserMessage message) {
        return ContentParts.representable(ContentParts.each(message.contents(),
                c -> part(c, Normalizers.defaultNormalizer())));
    }

    private static Mono<ContentBlock> part(Content c, BinaryNormalizer n) {
        if (c instanceof TextContent t) {
            return ContentParts.text(t.text());
        } else if (c instanceof ImageContent i) {
            Image img = i.image();
            return binary(BinaryKind.IMAGE, img.base64Data(), null, img.url(), img.mimeType(), IMAGE_DEFAULT,
                    detail(i.detailLevel()), n);
        } else if (c instanceof AudioContent a) {
            Audio audio = a.audio();
            return binary(BinaryKind.AUDIO, audio.base64Data(), audio.binaryData(), audio.url(), audio.mimeType(),
                    AUDIO_DEFAULT, null, n);
        } else if (c instanceof PdfFileContent p) {
            PdfFile pdf = p.pdfFile();
            return binary(BinaryKind.DOCUMENT, pdf.base64Data(), null, pdf.url(), pdf.mimeType(), PDF_DEFAULT, null, n);
        }
        return null;
    }

    private static Mono<ContentBlock> binary(BinaryKind kind, String base64, byte[] bytes, URI url, String mimeType,
                                             String defaultMediaType, String detail, BinaryNormalizer n) {
        if (base64 != null && !base64.isEmpty()) {
            return ContentParts.base64(kind, base64, mimeType, defaultMediaType, detail, null, n);
        }
        if (bytes != null && bytes.length > 0) {
            return ContentParts.bytes(kind, bytes, mimeType, defaultMediaType, detail, null, n);
        }
        if (url != null) {
            return ContentParts.url(kind, url.toString(), defaultMediaType, detail, null, n);
        }
        return null;
    }

    private static String detail(ImageContent.DetailLevel level) {
        if (level == null) {
            return null;
        }
        return switch (level) {
            case LOW -> "low";
            case HIGH -> "high";
            case AUTO -> "auto";
            default -> null;
        };
    }
}
