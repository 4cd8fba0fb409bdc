package com.betterdb.semanticcache.springai;

import com.betterdb.semanticcache.adapter.ContentParts;
import com.betterdb.semanticcache.adapter.RequestScope;
import com.betterdb.semanticcache.adapter.SemanticParams;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.BinaryNormalizer;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Normalizers;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.content.Media;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The cache lookup parameters of a Spring AI {@link Prompt} (the reference packages' {@code prepare_semantic_params},
 * docs/adapters.md "Reading a request", applied to Spring AI's message types). Pure: no I/O besides what the
 * normalizer does.
 *
 * <ol>
 *   <li>The <b>last {@link UserMessage}</b> is selected; none gives text {@code ""}. System, assistant and tool
 *       messages are never part of the text.</li>
 *   <li>A user message without media is plain text: {@code text} = its text, no blocks.</li>
 *   <li>With media it becomes content blocks: its text first (when not empty), then each {@link Media} in order, by
 *       its MIME type: {@code image/*} → {@code binary/image}, {@code audio/*} → {@code binary/audio}, any other type
 *       except video (PDF, text, ...) → {@code binary/document}, with the media's name as the filename. Bytes and
 *       base64 {@code data:} URLs are hashed by the normalizer; any other URL is a URL source. The block's media type
 *       is the one a {@code data:} URL names, else the media's MIME type. Video has no block form and is skipped
 *       (the advisor does not cache such requests).</li>
 *   <li>The model is the prompt's {@link ChatOptions#getModel()}, which may be {@code null}.</li>
 * </ol>
 * The {@link #scope} (what must be equal besides the text) is the model and the system messages.
 */
public final class SpringAiRequests {

    private SpringAiRequests() {
    }

    /** {@link #prepareSemanticParams(Prompt, BinaryNormalizer)} with {@link Normalizers#defaultNormalizer()}. */
    public static Mono<SemanticParams> prepareSemanticParams(Prompt prompt) {
        return prepareSemanticParams(prompt, Normalizers.defaultNormalizer());
    }

    /** The lookup parameters of a prompt: its last user message and its model. */
    public static Mono<SemanticParams> prepareSemanticParams(Prompt prompt, BinaryNormalizer normalizer) {
        Objects.requireNonNull(prompt, "prompt");
        return prepareSemanticParams(prompt.getInstructions(), model(prompt), normalizer);
    }

    /** The lookup parameters of a message list; {@code model} is passed through (may be {@code null}). */
    public static Mono<SemanticParams> prepareSemanticParams(List<Message> messages, String model,
                                                             BinaryNormalizer normalizer) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(normalizer, "normalizer");
        UserMessage last = lastUserMessage(messages);
        if (last == null) {
            return Mono.just(SemanticParams.text("", model));
        }
        String text = last.getText() == null ? "" : last.getText();
        if (last.getMedia().isEmpty()) {
            return Mono.just(SemanticParams.text(text, model));
        }
        List<Mono<ContentBlock>> parts = new ArrayList<>();
        if (!text.isEmpty()) {
            parts.add(ContentParts.text(text));
        }
        parts.addAll(ContentParts.each(last.getMedia(), m -> part(m, normalizer)));
        return ContentParts.params(parts, model);
    }

    /** The prompt's model, or {@code null}. */
    public static String model(Prompt prompt) {
        ChatOptions o = prompt.getOptions();
        return o == null ? null : o.getModel();
    }

    /** What besides the user's text must be equal to share an answer: the prompt's model and system messages. */
    public static RequestScope scope(Prompt prompt) {
        Objects.requireNonNull(prompt, "prompt");
        return scope(prompt.getInstructions(), model(prompt));
    }

    /** The scope of a message list sent to {@code model} ({@code null}: the prompt names none). */
    public static RequestScope scope(List<Message> messages, String model) {
        List<String> system = new ArrayList<>();
        for (Message m : messages) {
            if (m instanceof SystemMessage s) {
                system.add(RequestScope.part("system", s.getText()));
            }
        }
        return RequestScope.of(model, system);
    }

    static UserMessage lastUserMessage(List<Message> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof UserMessage u) {
                return u;
            }
        }
        return null;
    }

    /** Whether every medium of the message has a content-block form (video has none). */
    static boolean representable(UserMessage message) {
        return ContentParts.representable(ContentParts.each(message.getMedia(),
                m -> part(m, Normalizers.defaultNormalizer())));
    }

    private static Mono<ContentBlock> part(Media m, BinaryNormalizer n) {
        BinaryKind kind = kind(m);
        if (kind == null) {
            return null;
        }
        String mime = m.getMimeType().toString();
        String filename = kind == BinaryKind.DOCUMENT ? m.getName() : null;
        Object data = m.getData();
        if (data instanceof byte[] bytes) {
            return ContentParts.bytes(kind, bytes, mime, mime, null, filename, n);
        } else if (data instanceof String || data instanceof URI || data instanceof URL) {
            return ContentParts.url(kind, data.toString(), mime, null, filename, n);
        }
        return null;
    }

    private static BinaryKind kind(Media m) {
        String type = m.getMimeType().getType().toLowerCase(Locale.ROOT);
        return switch (type) {
            case "image" -> BinaryKind.IMAGE;
            case "audio" -> BinaryKind.AUDIO;
            case "video" -> null;
            default -> BinaryKind.DOCUMENT;
        };
    }
}
