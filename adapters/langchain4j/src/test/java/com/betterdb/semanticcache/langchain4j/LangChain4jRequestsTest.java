package com.betterdb.semanticcache.langchain4j;

import com.betterdb.semanticcache.adapter.SemanticParams;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.BinaryNormalizer;
import com.betterdb.semanticcache.prompt.BinarySource;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Normalizers;
import dev.langchain4j.data.audio.Audio;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.PdfFileContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.message.VideoContent;
import dev.langchain4j.model.chat.request.ChatRequest;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request helper: the reference adapters' rules (docs/adapters.md; the OpenAI scenarios ADP-01..07 transposed to
 * LangChain4j's message types) for the last user message, its parts and the model.
 */
class LangChain4jRequestsTest {

    private static final BinaryNormalizer FIXED = ref -> Mono.just("sha256:imagehash");

    private static SemanticParams params(List<ChatMessage> messages, String model) {
        return LangChain4jRequests.prepareSemanticParams(messages, model).block();
    }

    private static ContentBlock.Binary binary(SemanticParams p, int i) {
        return (ContentBlock.Binary) p.blocks().get(i);
    }

    @Test
    void systemAndUserGiveTheUserTextAndModelWithoutBlocks() { // ADP-01
        ChatRequest request = ChatRequest.builder()
                .messages(SystemMessage.from("You are helpful."), UserMessage.from("What is the capital of France?"))
                .modelName("gpt-4o")
                .build();
        SemanticParams p = LangChain4jRequests.prepareSemanticParams(request).block();
        assertThat(p.text()).isEqualTo("What is the capital of France?");
        assertThat(p.model()).isEqualTo("gpt-4o");
        assertThat(p.blocks()).isNull();
    }

    @Test
    void theLastUserMessageIsSelected() { // ADP-02
        SemanticParams p = params(List.of(UserMessage.from("First question"), AiMessage.from("First answer"),
                UserMessage.from("Second question")), null);
        assertThat(p.text()).isEqualTo("Second question");
        assertThat(p.model()).isNull();
    }

    @Test
    void noUserMessageGivesEmptyTextAndTheModel() { // ADP-03
        SemanticParams p = params(List.of(SystemMessage.from("You are helpful.")), "gpt-4o");
        assertThat(p.text()).isEmpty();
        assertThat(p.model()).isEqualTo("gpt-4o");
        assertThat(p.blocks()).isNull();
    }

    @Test
    void severalTextPartsAreJoinedWithOneSpaceAsBlocks() { // ADP-04
        SemanticParams p = params(List.of(UserMessage.from(TextContent.from("First part"),
                TextContent.from("Second part"))), "gpt-4o");
        assertThat(p.text()).isEqualTo("First part Second part");
        assertThat(p.blocks()).hasSize(2).allMatch(b -> b instanceof ContentBlock.Text);
    }

    @Test
    void anImageUrlGoesThroughTheNormalizer() { // ADP-05
        SemanticParams p = LangChain4jRequests.prepareSemanticParams(List.of(UserMessage.from(
                TextContent.from("What is in this image?"), ImageContent.from("https://example.com/img.png"))),
                "gpt-4o", FIXED).block();
        assertThat(p.text()).isEqualTo("What is in this image?");
        assertThat(p.blocks()).hasSize(2);
        assertThat(binary(p, 1).ref()).isEqualTo("sha256:imagehash");
        assertThat(binary(p, 1).kind()).isEqualTo(BinaryKind.IMAGE);
        assertThat(binary(p, 1).mediaType()).isEqualTo("image/*");
        // With the default normalizer a URL is kept as given.
        assertThat(binary(params(List.of(UserMessage.from(TextContent.from("x"),
                ImageContent.from("https://example.com/img.png"))), null), 1).ref())
                .isEqualTo("url:https://example.com/img.png");
    }

    @Test
    void aDataUrlImageTakesItsMediaTypeFromTheUrl() { // ADP-06, ADP-07
        String jpeg = Base64.getEncoder().encodeToString("jpeg-bytes".getBytes(StandardCharsets.UTF_8));
        SemanticParams p = params(List.of(UserMessage.from(ImageContent.from("data:image/jpeg;base64," + jpeg))), null);
        assertThat(binary(p, 0).mediaType()).isEqualTo("image/jpeg");
        assertThat(binary(p, 0).ref()).isEqualTo(Normalizers.hashBase64(jpeg)).startsWith("sha256:");
    }

    @Test
    void inlineBase64ImagesKeepTheirMimeTypeAndDetail() {
        String png = Base64.getEncoder().encodeToString(new byte[]{1, 2, 3});
        SemanticParams p = params(List.of(UserMessage.from(TextContent.from("Describe"),
                ImageContent.from(png, "image/png", ImageContent.DetailLevel.HIGH))), "gpt-4o");
        ContentBlock.Binary b = binary(p, 1);
        assertThat(b.mediaType()).isEqualTo("image/png");
        assertThat(b.detail()).isEqualTo("high");
        assertThat(b.ref()).isEqualTo(Normalizers.hashBytes(new byte[]{1, 2, 3}));
        assertThat(p.prompt().binaryRefs()).containsExactly(b.ref());
        // a detail level without a block equivalent is left out
        assertThat(binary(params(List.of(UserMessage.from(
                ImageContent.from(png, "image/png", ImageContent.DetailLevel.MEDIUM))), null), 0).detail()).isNull();
    }

    @Test
    void pdfsAreDocumentsAndAudioIsAudio() { // ADP-18 transposed
        String pdf = Base64.getEncoder().encodeToString("%PDF-1.7".getBytes(StandardCharsets.UTF_8));
        List<BinarySource> seen = new CopyOnWriteArrayList<>();
        BinaryNormalizer recording = ref -> {
            seen.add(ref.source());
            return Normalizers.defaultNormalizer().normalize(ref);
        };
        SemanticParams p = LangChain4jRequests.prepareSemanticParams(List.of(UserMessage.from(
                TextContent.from("Summarise"), PdfFileContent.from(pdf, "application/pdf"),
                AudioContent.from(Audio.builder().binaryData(new byte[]{9, 9}).mimeType("audio/wav").build()),
                PdfFileContent.from("https://example.com/a.pdf"))), null, recording).block();
        assertThat(binary(p, 1).kind()).isEqualTo(BinaryKind.DOCUMENT);
        assertThat(binary(p, 1).mediaType()).isEqualTo("application/pdf");
        assertThat(binary(p, 1).ref()).isEqualTo(Normalizers.hashBase64(pdf));
        assertThat(binary(p, 2).kind()).isEqualTo(BinaryKind.AUDIO);
        assertThat(binary(p, 2).mediaType()).isEqualTo("audio/wav");
        assertThat(binary(p, 2).ref()).isEqualTo(Normalizers.hashBytes(new byte[]{9, 9}));
        assertThat(binary(p, 3).ref()).isEqualTo("url:https://example.com/a.pdf");
        assertThat(binary(p, 3).mediaType()).isEqualTo("application/pdf");
        assertThat(seen).hasSize(3);
        assertThat(seen.get(2)).isInstanceOf(BinarySource.Url.class);
    }

    @Test
    void videoHasNoBlockFormAndIsSkipped() {
        UserMessage m = UserMessage.from(TextContent.from("What happens?"), VideoContent.from("https://example.com/v.mp4"));
        SemanticParams p = params(List.of(m), null);
        assertThat(p.text()).isEqualTo("What happens?");
        assertThat(p.blocks()).hasSize(1);
        assertThat(LangChain4jRequests.representable(m)).isFalse();
        assertThat(LangChain4jRequests.representable(UserMessage.from("x"))).isTrue();
    }

    @Test
    void theScopeHoldsTheModelAndTheSystemMessagesInOrder() {
        var scope = LangChain4jRequests.scope(ChatRequest.builder().messages(SystemMessage.from("a"),
                UserMessage.from("q"), SystemMessage.from("b")).modelName("gpt-4o").build());
        assertThat(scope.model()).isEqualTo("gpt-4o");
        assertThat(scope.system()).containsExactly("system:a", "system:b");
        assertThat(LangChain4jRequests.scope(List.of(UserMessage.from("q")), null).system()).isEmpty();
        assertThat(LangChain4jRequests.scope(List.of(UserMessage.from("q")), null).model()).isEmpty();
    }
}
