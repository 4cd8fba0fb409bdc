package com.betterdb.semanticcache.springai;

import com.betterdb.semanticcache.adapter.SemanticParams;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.BinaryNormalizer;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Normalizers;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.content.Media;
import org.springframework.util.MimeType;
import org.springframework.util.MimeTypeUtils;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The request helper: the reference adapters' rules (api.md §5, ADP-01..07 transposed) on Spring AI's types. */
class SpringAiRequestsTest {

    private static final BinaryNormalizer FIXED = ref -> Mono.just("sha256:imagehash");

    private static SemanticParams params(List<Message> messages, String model) {
        return SpringAiRequests.prepareSemanticParams(messages, model, Normalizers.defaultNormalizer()).block();
    }

    private static ContentBlock.Binary binary(SemanticParams p, int i) {
        return (ContentBlock.Binary) p.blocks().get(i);
    }

    private static UserMessage user(String text, Media... media) {
        return UserMessage.builder().text(text).media(media).build();
    }

    @Test
    void systemAndUserGiveTheUserTextAndTheOptionsModel() { // ADP-01
        Prompt prompt = new Prompt(List.of(new SystemMessage("You are helpful."),
                new UserMessage("What is the capital of France?")), ChatOptions.builder().model("gpt-4o").build());
        SemanticParams p = SpringAiRequests.prepareSemanticParams(prompt).block();
        assertThat(p.text()).isEqualTo("What is the capital of France?");
        assertThat(p.model()).isEqualTo("gpt-4o");
        assertThat(p.blocks()).isNull();
        assertThat(SpringAiRequests.scope(prompt).system()).containsExactly("system:You are helpful.");
        assertThat(SpringAiRequests.scope(prompt).model()).isEqualTo("gpt-4o");
    }

    @Test
    void theLastUserMessageIsSelectedAndNoneGivesEmptyText() { // ADP-02, ADP-03
        assertThat(params(List.of(new UserMessage("First question"), new AssistantMessage("First answer"),
                new UserMessage("Second question")), null).text()).isEqualTo("Second question");
        SemanticParams none = params(List.of(new SystemMessage("You are helpful.")), "gpt-4o");
        assertThat(none.text()).isEmpty();
        assertThat(none.model()).isEqualTo("gpt-4o");
        assertThat(SpringAiRequests.prepareSemanticParams(new Prompt("hi")).block().model()).isNull();
    }

    @Test
    void mediaMakeBlocksTextFirst() { // ADP-05
        Media image = new Media(MimeTypeUtils.IMAGE_PNG, URI.create("https://example.com/img.png"));
        SemanticParams p = SpringAiRequests.prepareSemanticParams(List.of(user("What is in this image?", image)), "gpt-4o",
                FIXED).block();
        assertThat(p.text()).isEqualTo("What is in this image?");
        assertThat(p.blocks()).hasSize(2);
        assertThat(p.blocks().get(0)).isInstanceOf(ContentBlock.Text.class);
        assertThat(binary(p, 1).kind()).isEqualTo(BinaryKind.IMAGE);
        assertThat(binary(p, 1).ref()).isEqualTo("sha256:imagehash");
        assertThat(binary(p, 1).mediaType()).isEqualTo("image/png");
        assertThat(binary(params(List.of(user("x", image)), null), 1).ref()).isEqualTo("url:https://example.com/img.png");
    }

    @Test
    void dataUrlsAndBytesAreHashed() { // ADP-06, ADP-07
        byte[] jpeg = "jpeg-bytes".getBytes(StandardCharsets.UTF_8);
        String dataUrl = "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(jpeg);
        SemanticParams p = params(List.of(user("Describe", Media.builder().mimeType(MimeTypeUtils.IMAGE_PNG)
                .data(dataUrl).build(), Media.builder().mimeType(MimeTypeUtils.IMAGE_PNG).data(jpeg).build())), null);
        assertThat(binary(p, 1).mediaType()).isEqualTo("image/jpeg"); // the data URL's own type
        assertThat(binary(p, 1).ref()).isEqualTo(Normalizers.hashBytes(jpeg));
        assertThat(binary(p, 2).mediaType()).isEqualTo("image/png");
        assertThat(binary(p, 2).ref()).isEqualTo(Normalizers.hashBytes(jpeg));
        assertThat(p.prompt().binaryRefs()).hasSize(2);
    }

    @Test
    void documentsAndAudioByMimeType() { // ADP-18 transposed
        byte[] pdf = "%PDF-1.7".getBytes(StandardCharsets.UTF_8);
        SemanticParams p = params(List.of(user("", Media.builder().mimeType(new MimeType("application", "pdf"))
                        .data(pdf).name("report.pdf").build(),
                Media.builder().mimeType(new MimeType("audio", "wav")).data(new byte[]{1}).build())), null);
        assertThat(p.text()).isEmpty();
        assertThat(p.blocks()).hasSize(2); // no empty text block
        assertThat(binary(p, 0).kind()).isEqualTo(BinaryKind.DOCUMENT);
        assertThat(binary(p, 0).mediaType()).isEqualTo("application/pdf");
        assertThat(binary(p, 0).filename()).isEqualTo("report.pdf");
        assertThat(binary(p, 1).kind()).isEqualTo(BinaryKind.AUDIO);
    }

    @Test
    void videoIsSkippedAndNotRepresentable() {
        UserMessage m = user("What happens?", new Media(new MimeType("video", "mp4"), URI.create("https://e.com/v.mp4")));
        assertThat(params(List.of(m), null).blocks()).hasSize(1);
        assertThat(SpringAiRequests.representable(m)).isFalse();
        assertThat(SpringAiRequests.representable(new UserMessage("x"))).isTrue();
    }
}
