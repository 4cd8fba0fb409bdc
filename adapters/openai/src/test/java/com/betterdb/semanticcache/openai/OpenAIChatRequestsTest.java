package com.betterdb.semanticcache.openai;

import com.betterdb.semanticcache.adapter.SemanticParams;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.BinaryNormalizer;
import com.betterdb.semanticcache.prompt.BinaryRef;
import com.betterdb.semanticcache.prompt.BinarySource;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Normalizers;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartInputAudio;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** ADP-01..08: the Chat Completions request helper. */
class OpenAIChatRequestsTest {

    private static final BinaryNormalizer IMAGE_HASH = ref -> Mono.just("sha256:imagehash");

    private static ChatCompletionCreateParams.Builder request(String model) {
        return ChatCompletionCreateParams.builder().model(model);
    }

    private static ChatCompletionContentPart text(String text) {
        return ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text(text).build());
    }

    private static ChatCompletionContentPart image(String url) {
        return ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(url).build()).build());
    }

    private static SemanticParams prepare(ChatCompletionCreateParams params) {
        return OpenAIChatRequests.prepareSemanticParams(params).block();
    }

    private static SemanticParams prepare(ChatCompletionCreateParams params, BinaryNormalizer normalizer) {
        return OpenAIChatRequests.prepareSemanticParams(params, normalizer).block();
    }

    @Test
    void adp01_systemAndUserMessagesGiveTheUserText() {
        SemanticParams p = prepare(request("gpt-4o").addSystemMessage("You are helpful.")
                .addUserMessage("What is the capital of France?").build());
        assertThat(p.text()).isEqualTo("What is the capital of France?");
        assertThat(p.model()).isEqualTo("gpt-4o");
        assertThat(p.blocks()).isNull();
    }

    @Test
    void adp02_multiTurnGivesTheLastUserText() {
        SemanticParams p = prepare(request("gpt-4o").addUserMessage("First question")
                .addAssistantMessage("First answer").addUserMessage("Second question").build());
        assertThat(p.text()).isEqualTo("Second question");
    }

    @Test
    void adp03_onlyASystemMessageGivesEmptyText() {
        SemanticParams p = prepare(request("gpt-4o").addSystemMessage("You are helpful.").build());
        assertThat(p.text()).isEmpty();
        assertThat(p.model()).isEqualTo("gpt-4o");
        assertThat(p.blocks()).isNull();
    }

    @Test
    void adp04_textPartsAreJoinedWithOneSpace() {
        SemanticParams p = prepare(request("gpt-4o")
                .addUserMessageOfArrayOfContentParts(List.of(text("First part"), text("Second part"))).build());
        assertThat(p.text()).isEqualTo("First part Second part");
        assertThat(p.blocks()).containsExactly(ContentBlock.text("First part"), ContentBlock.text("Second part"));
    }

    @Test
    void adp05_imageUrlPartGetsTheNormalizerRef() {
        ChatCompletionCreateParams params = request("gpt-4o").addUserMessageOfArrayOfContentParts(
                List.of(text("What is in this image?"), image("https://example.com/img.png"))).build();
        List<BinaryRef> seen = new CopyOnWriteArrayList<>();
        SemanticParams p = prepare(params, ref -> {
            seen.add(ref);
            return Mono.just("sha256:imagehash");
        });
        assertThat(p.text()).isEqualTo("What is in this image?");
        assertThat(p.blocks()).hasSize(2);
        assertThat(p.blocks().get(1)).isEqualTo(ContentBlock.binary(BinaryKind.IMAGE, "image/*", "sha256:imagehash"));
        assertThat(seen).containsExactly(new BinaryRef(BinaryKind.IMAGE,
                new BinarySource.Url("https://example.com/img.png")));

        // [PY] same shape with the default normalizer: [text, binary/image] with the URL ref.
        SemanticParams byDefault = prepare(params);
        assertThat(byDefault.blocks().get(0)).isInstanceOf(ContentBlock.Text.class);
        assertThat(byDefault.blocks().get(1)).isEqualTo(
                ContentBlock.binary(BinaryKind.IMAGE, "image/*", "url:https://example.com/img.png"));
    }

    @Test
    void adp06_dataUrlImageTakesItsMediaType() {
        SemanticParams p = prepare(request("gpt-4o").addUserMessageOfArrayOfContentParts(
                List.of(image("data:image/jpeg;base64,/9j/abc"))).build(), IMAGE_HASH);
        ContentBlock.Binary first = (ContentBlock.Binary) p.blocks().get(0);
        assertThat(first.mediaType()).isEqualTo("image/jpeg");
        assertThat(first.kind()).isEqualTo(BinaryKind.IMAGE);
    }

    @Test
    void adp07_base64DataUrlWithTheDefaultNormalizerIsHashed() {
        String dataUrl = "data:image/png;base64,iVBORw0KGgo=";
        SemanticParams p = prepare(request("gpt-4o").addUserMessageOfArrayOfContentParts(
                List.of(text("Describe"), image(dataUrl))).build());
        ContentBlock.Binary image = (ContentBlock.Binary) p.blocks().get(1);
        assertThat(image.ref()).startsWith("sha256:").isEqualTo(Normalizers.hashBase64(dataUrl));
        assertThat(image.mediaType()).isEqualTo("image/png");
    }

    @Test
    void adp08_modelIsReturnedAsGiven() {
        assertThat(prepare(request("gpt-4o-mini").addUserMessage("hi").build()).model()).isEqualTo("gpt-4o-mini");
    }

    @Test
    void detailAudioAndFilePartsFollowTheSpecRules() {
        ChatCompletionContentPart detailed = ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage
                .builder().imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url("https://x.test/a.png")
                        .detail(ChatCompletionContentPartImage.ImageUrl.Detail.LOW).build()).build());
        ChatCompletionContentPart audio = ChatCompletionContentPart.ofInputAudio(ChatCompletionContentPartInputAudio
                .builder().inputAudio(ChatCompletionContentPartInputAudio.InputAudio.builder().data("UklGRg==")
                        .format(ChatCompletionContentPartInputAudio.InputAudio.Format.MP3).build()).build());
        ChatCompletionContentPart fileId = ChatCompletionContentPart.ofFile(ChatCompletionContentPart.File.builder()
                .file(ChatCompletionContentPart.File.FileObject.builder().fileId("file-abc").filename("a.pdf").build())
                .build());
        ChatCompletionContentPart fileData = ChatCompletionContentPart.ofFile(ChatCompletionContentPart.File.builder()
                .file(ChatCompletionContentPart.File.FileObject.builder().fileData("data:application/pdf;base64,JVBERi0=")
                        .build()).build());
        ChatCompletionContentPart noSource = ChatCompletionContentPart.ofFile(ChatCompletionContentPart.File.builder()
                .file(ChatCompletionContentPart.File.FileObject.builder().filename("nothing.pdf").build()).build());
        SemanticParams p = prepare(request("gpt-4o").addUserMessageOfArrayOfContentParts(
                List.of(detailed, audio, fileId, fileData, noSource)).build());
        assertThat(p.blocks()).containsExactly(
                new ContentBlock.Binary(BinaryKind.IMAGE, "image/*", "url:https://x.test/a.png", "low", null, null),
                ContentBlock.binary(BinaryKind.AUDIO, "audio/mp3", Normalizers.hashBase64("UklGRg==")),
                new ContentBlock.Binary(BinaryKind.DOCUMENT, "application/octet-stream", "fileid:openai:file-abc", null,
                        "a.pdf", null),
                ContentBlock.binary(BinaryKind.DOCUMENT, "application/pdf",
                        Normalizers.hashBase64("data:application/pdf;base64,JVBERi0=")));
        assertThat(p.text()).isEmpty();
    }

    @Test
    void scopeHoldsTheModelAndTheSystemAndDeveloperMessagesInOrder() {
        var scope = OpenAIChatRequests.scope(request("gpt-4o").addSystemMessage("Be terse.")
                .addDeveloperMessage("Answer in French.").addUserMessage("hi").build());
        assertThat(scope.model()).isEqualTo("gpt-4o");
        assertThat(scope.system()).containsExactly("system:Be terse.", "developer:Answer in French.");
    }
}
