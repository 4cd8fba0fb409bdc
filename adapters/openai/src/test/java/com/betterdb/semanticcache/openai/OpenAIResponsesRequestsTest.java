package com.betterdb.semanticcache.openai;

import com.betterdb.semanticcache.adapter.SemanticParams;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Normalizers;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseInputContent;
import com.openai.models.responses.ResponseInputFile;
import com.openai.models.responses.ResponseInputImage;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseInputText;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** ADP-09..13: the Responses request helper. */
class OpenAIResponsesRequestsTest {

    private static ResponseInputItem message(EasyInputMessage.Role role, String text) {
        return ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(role).content(text).build());
    }

    private static ResponseInputItem userParts(ResponseInputContent... parts) {
        return ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER)
                .contentOfResponseInputMessageContentList(List.of(parts)).build());
    }

    private static ResponseInputContent inputText(String text) {
        return ResponseInputContent.ofInputText(ResponseInputText.builder().text(text).build());
    }

    private static SemanticParams prepare(ResponseCreateParams params) {
        return OpenAIResponsesRequests.prepareSemanticParams(params).block();
    }

    @Test
    void adp09_stringInputIsTheText() {
        SemanticParams p = prepare(ResponseCreateParams.builder().model("gpt-4o").input("What is AI?").build());
        assertThat(p.text()).isEqualTo("What is AI?");
        assertThat(p.model()).isEqualTo("gpt-4o");
        assertThat(p.blocks()).isNull();
    }

    @Test
    void adp10_noInputFallsBackToInstructions() {
        SemanticParams p = prepare(ResponseCreateParams.builder().model("gpt-4o")
                .instructions("You are a helpful assistant").build());
        assertThat(p.text()).isEqualTo("You are a helpful assistant");
    }

    @Test
    void adp11_messageItemsGiveTheLastUserText() {
        SemanticParams p = prepare(ResponseCreateParams.builder().model("gpt-4o").inputOfResponse(List.of(
                message(EasyInputMessage.Role.USER, "First question"),
                message(EasyInputMessage.Role.ASSISTANT, "First answer"),
                message(EasyInputMessage.Role.USER, "Second question"))).build());
        assertThat(p.text()).isEqualTo("Second question");
        assertThat(p.model()).isEqualTo("gpt-4o");
        // [PY] a single user item.
        assertThat(prepare(ResponseCreateParams.builder().model("gpt-4o").inputOfResponse(List.of(
                message(EasyInputMessage.Role.USER, "What is Python?"))).build()).text()).isEqualTo("What is Python?");
    }

    @Test
    void adp12_inputTextAndInputImageGiveTwoBlocks() {
        SemanticParams p = prepare(ResponseCreateParams.builder().model("gpt-4o").inputOfResponse(List.of(userParts(
                inputText("Describe this"),
                ResponseInputContent.ofInputImage(ResponseInputImage.builder().detail(ResponseInputImage.Detail.HIGH)
                        .imageUrl("https://example.com/img.png").build())))).build());
        assertThat(p.text()).isEqualTo("Describe this");
        assertThat(p.blocks()).containsExactly(ContentBlock.text("Describe this"),
                new ContentBlock.Binary(BinaryKind.IMAGE, "image/*", "url:https://example.com/img.png", "high", null,
                        null));
    }

    @Test
    void adp13_neitherInputNorInstructionsGivesEmptyText() {
        assertThat(prepare(ResponseCreateParams.builder().model("gpt-4o").build()).text()).isEmpty();
    }

    @Test
    void aListWithoutAUserItemFallsBackToInstructionsAsTheTypeScriptPackageDoes() {
        SemanticParams p = prepare(ResponseCreateParams.builder().model("gpt-4o").instructions("Be brief")
                .inputOfResponse(List.of(message(EasyInputMessage.Role.ASSISTANT, "Hello"))).build());
        assertThat(p.text()).isEqualTo("Be brief");
    }

    @Test
    void messageItemsAndFileAndImageSourcesFollowTheSpecRules() {
        ResponseInputItem item = ResponseInputItem.ofMessage(ResponseInputItem.Message.builder()
                .role(ResponseInputItem.Message.Role.USER)
                .addContent(ResponseInputText.builder().text("Read these").build())
                .addContent(ResponseInputImage.builder().detail(ResponseInputImage.Detail.AUTO).fileId("file-img")
                        .build())
                .addContent(ResponseInputImage.builder().detail(ResponseInputImage.Detail.AUTO)
                        .imageUrl("data:image/webp;base64,UklGRg==").build())
                .addContent(ResponseInputFile.builder().fileId("file-doc").filename("a.pdf").build())
                .addContent(ResponseInputFile.builder().fileData("data:application/pdf;base64,JVBERi0=").build())
                .addContent(ResponseInputFile.builder().fileUrl("https://example.com/b.pdf").build())
                .addContent(ResponseInputFile.builder().filename("no-source.pdf").build())
                .build());
        SemanticParams p = prepare(ResponseCreateParams.builder().model("gpt-4o").inputOfResponse(List.of(item))
                .build());
        assertThat(p.text()).isEqualTo("Read these");
        assertThat(p.blocks()).containsExactly(
                ContentBlock.text("Read these"),
                new ContentBlock.Binary(BinaryKind.IMAGE, "image/*", "fileid:openai:file-img", "auto", null, null),
                new ContentBlock.Binary(BinaryKind.IMAGE, "image/webp",
                        Normalizers.hashBase64("data:image/webp;base64,UklGRg=="), "auto", null, null),
                new ContentBlock.Binary(BinaryKind.DOCUMENT, "application/octet-stream", "fileid:openai:file-doc",
                        null, "a.pdf", null),
                ContentBlock.binary(BinaryKind.DOCUMENT, "application/pdf",
                        Normalizers.hashBase64("data:application/pdf;base64,JVBERi0=")),
                ContentBlock.binary(BinaryKind.DOCUMENT, "application/octet-stream", "url:https://example.com/b.pdf"));
    }

    @Test
    void scopeHoldsInstructionsAndSystemItems() {
        var scope = OpenAIResponsesRequests.scope(ResponseCreateParams.builder().model("gpt-4o")
                .instructions("Be brief").inputOfResponse(List.of(
                        message(EasyInputMessage.Role.DEVELOPER, "Answer in French."),
                        message(EasyInputMessage.Role.USER, "hi"))).build());
        assertThat(scope.model()).isEqualTo("gpt-4o");
        assertThat(scope.system()).containsExactly("instructions:Be brief", "developer:Answer in French.");
    }
}
