package com.betterdb.semanticcache.anthropic;

import com.anthropic.models.messages.Base64ImageSource;
import com.anthropic.models.messages.Base64PdfSource;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.DocumentBlockParam;
import com.anthropic.models.messages.FileDocumentSource;
import com.anthropic.models.messages.FileImageSource;
import com.anthropic.models.messages.ImageBlockParam;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageParam;
import com.anthropic.models.messages.PlainTextSource;
import com.anthropic.models.messages.UrlImageSource;
import com.anthropic.models.messages.UrlPdfSource;
import com.betterdb.semanticcache.adapter.SemanticParams;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.BinaryNormalizer;
import com.betterdb.semanticcache.prompt.BinaryRef;
import com.betterdb.semanticcache.prompt.BinarySource;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Normalizers;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** ADP-14..18: the Anthropic Messages request helper. */
class AnthropicMessagesRequestsTest {

    private static MessageCreateParams.Builder request(String model) {
        return MessageCreateParams.builder().model(model).maxTokens(1024);
    }

    private static ContentBlockParam base64Image(Base64ImageSource.MediaType mediaType, String data) {
        return ContentBlockParam.ofImage(ImageBlockParam.builder()
                .source(Base64ImageSource.builder().mediaType(mediaType).data(data).build()).build());
    }

    private static SemanticParams prepare(MessageCreateParams params) {
        return AnthropicMessagesRequests.prepareSemanticParams(params).block();
    }

    @Test
    void adp14_singleUserMessageGivesItsTextAndTheModel() {
        for (String model : List.of("claude-sonnet-4-6", "claude-opus-4-6")) {
            SemanticParams p = prepare(request(model).system("You are helpful.")
                    .addUserMessage("What is the capital of France?").build());
            assertThat(p.text()).isEqualTo("What is the capital of France?");
            assertThat(p.model()).isEqualTo(model);
            assertThat(p.blocks()).isNull();
        }
    }

    @Test
    void adp15_multiTurnGivesTheLastUserTextAndNoUserMessageGivesEmptyText() {
        assertThat(prepare(request("claude-sonnet-4-6").addUserMessage("First question")
                .addAssistantMessage("First answer").addUserMessage("Second question").build()).text())
                .isEqualTo("Second question");
        SemanticParams none = prepare(request("claude-sonnet-4-6").addAssistantMessage("Hello").build());
        assertThat(none.text()).isEmpty();
        assertThat(none.model()).isEqualTo("claude-sonnet-4-6");
    }

    @Test
    void adp16_textBlocksAreJoinedWithOneSpace() {
        SemanticParams p = prepare(request("claude-sonnet-4-6").addUserMessageOfContentBlockParams(List.of(
                ContentBlockParam.ofText("Hello"), ContentBlockParam.ofText("world"))).build());
        assertThat(p.text()).isEqualTo("Hello world");
        assertThat(p.blocks()).containsExactly(ContentBlock.text("Hello"), ContentBlock.text("world"));
    }

    @Test
    void adp17_base64ImageGetsTheNormalizerRefAndItsMediaType() {
        List<BinaryRef> seen = new CopyOnWriteArrayList<>();
        BinaryNormalizer normalizer = ref -> {
            seen.add(ref);
            return Mono.just("sha256:imagehash");
        };
        MessageCreateParams params = request("claude-sonnet-4-6").addUserMessageOfContentBlockParams(List.of(
                ContentBlockParam.ofText("Describe this image"),
                base64Image(Base64ImageSource.MediaType.IMAGE_PNG, "abc123"))).build();
        SemanticParams p = AnthropicMessagesRequests.prepareSemanticParams(params, normalizer).block();
        assertThat(p.text()).isEqualTo("Describe this image");
        assertThat(p.blocks()).hasSize(2);
        assertThat(p.blocks().get(1)).isEqualTo(ContentBlock.binary(BinaryKind.IMAGE, "image/png", "sha256:imagehash"));
        assertThat(seen).containsExactly(new BinaryRef(BinaryKind.IMAGE, new BinarySource.Base64("abc123", "image/png")));

        // [PY] image/jpeg with the default normalizer: block 2 is binary/image.
        SemanticParams jpeg = prepare(request("claude-sonnet-4-6").addUserMessageOfContentBlockParams(List.of(
                ContentBlockParam.ofText("Describe this image"),
                base64Image(Base64ImageSource.MediaType.IMAGE_JPEG, "/9j/abc"))).build());
        ContentBlock.Binary image = (ContentBlock.Binary) jpeg.blocks().get(1);
        assertThat(image.kind()).isEqualTo(BinaryKind.IMAGE);
        assertThat(image.mediaType()).isEqualTo("image/jpeg");
        assertThat(image.ref()).isEqualTo(Normalizers.hashBase64("/9j/abc"));
    }

    @Test
    void adp18_base64PdfDocumentIsADocumentBlock() {
        SemanticParams p = prepare(request("claude-sonnet-4-6").addUserMessageOfContentBlockParams(List.of(
                ContentBlockParam.ofText("Summarise"),
                ContentBlockParam.ofDocument(DocumentBlockParam.builder().source(Base64PdfSource.of("JVBERi0="))
                        .build()))).build());
        assertThat(p.blocks().get(1)).isEqualTo(
                ContentBlock.binary(BinaryKind.DOCUMENT, "application/pdf", Normalizers.hashBase64("JVBERi0=")));
    }

    @Test
    void urlFileAndPlainTextSourcesFollowTheSpecRules() {
        SemanticParams p = prepare(request("claude-sonnet-4-6").addUserMessageOfContentBlockParams(List.of(
                ContentBlockParam.ofImage(ImageBlockParam.Source.ofUrl(UrlImageSource.of("https://example.com/a.png"))),
                ContentBlockParam.ofImage(ImageBlockParam.Source.ofFile(FileImageSource.of("file_img"))),
                ContentBlockParam.ofDocument(DocumentBlockParam.Source.ofText(PlainTextSource.of("héllo"))),
                ContentBlockParam.ofDocument(DocumentBlockParam.Source.ofUrl(UrlPdfSource.of("https://example.com/b.pdf"))),
                ContentBlockParam.ofDocument(DocumentBlockParam.Source.ofFile(FileDocumentSource.of("file_doc")))))
                .build());
        String utf8 = Base64.getEncoder().encodeToString("héllo".getBytes(StandardCharsets.UTF_8));
        assertThat(p.blocks()).containsExactly(
                ContentBlock.binary(BinaryKind.IMAGE, "image/*", "url:https://example.com/a.png"),
                ContentBlock.binary(BinaryKind.IMAGE, "image/*", "fileid:anthropic:file_img"),
                ContentBlock.binary(BinaryKind.DOCUMENT, "text/plain", Normalizers.hashBase64(utf8)),
                ContentBlock.binary(BinaryKind.DOCUMENT, "application/pdf", "url:https://example.com/b.pdf"),
                ContentBlock.binary(BinaryKind.DOCUMENT, "application/octet-stream", "fileid:anthropic:file_doc"));
        assertThat(p.text()).isEmpty();
    }

    @Test
    void theSystemPromptIsNeverTheTextButIsInTheScope() {
        MessageCreateParams params = request("claude-sonnet-4-6").system("You are a pirate.")
                .addMessage(MessageParam.ofSystem("Answer in French.")).addUserMessage("Hi").build();
        assertThat(prepare(params).text()).isEqualTo("Hi");
        var scope = AnthropicMessagesRequests.scope(params);
        assertThat(scope.model()).isEqualTo("claude-sonnet-4-6");
        assertThat(scope.system()).containsExactly("system:You are a pirate.", "system:Answer in French.");
    }
}
