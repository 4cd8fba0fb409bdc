package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.BinarySource;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Normalizers;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The request readers' shared part rules: the data-URL rule, part conversion in order, skipped parts. */
class ContentPartsTest {

    @Test
    void dataUrlMediaTypeRule() {
        assertThat(ContentParts.dataUrlMediaType("data:image/jpeg;base64,/9j/abc", "image/*")).isEqualTo("image/jpeg");
        // ';' right after the prefix (or none at all): the default applies.
        assertThat(ContentParts.dataUrlMediaType("data:;base64,abc", "image/*")).isEqualTo("image/*");
        assertThat(ContentParts.dataUrlMediaType("data:abc", "application/octet-stream"))
                .isEqualTo("application/octet-stream");
        assertThat(ContentParts.dataUrlMediaType("https://example.com/x.png", "image/*")).isEqualTo("image/*");
        assertThat(ContentParts.isDataUrl("data:x")).isTrue();
        assertThat(ContentParts.isDataUrl(null)).isFalse();
    }

    @Test
    void aDataUrlIsBase64WithItsMediaTypeAndAnyOtherUrlAUrlSource() {
        byte[] png = "png-bytes".getBytes(StandardCharsets.UTF_8);
        String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
        ContentBlock.Binary b = (ContentBlock.Binary) ContentParts.url(BinaryKind.IMAGE, dataUrl, "image/*", "low", null,
                Normalizers.defaultNormalizer()).block();
        assertThat(b.mediaType()).isEqualTo("image/png");
        assertThat(b.ref()).isEqualTo(Normalizers.hashBytes(png));
        assertThat(b.detail()).isEqualTo("low");

        ContentBlock.Binary u = (ContentBlock.Binary) ContentParts.url(BinaryKind.IMAGE, "https://example.com/img.png",
                "image/*", null, null, Normalizers.defaultNormalizer()).block();
        assertThat(u.mediaType()).isEqualTo("image/*");
        assertThat(u.ref()).isEqualTo("url:https://example.com/img.png");
    }

    @Test
    void inlineDataKeepsItsMediaTypeElseTheDefault() {
        String b64 = Base64.getEncoder().encodeToString("pdf".getBytes(StandardCharsets.UTF_8));
        ContentBlock.Binary d = (ContentBlock.Binary) ContentParts.base64(BinaryKind.DOCUMENT, b64, null,
                "application/pdf", null, "a.pdf", Normalizers.defaultNormalizer()).block();
        assertThat(d.kind()).isEqualTo(BinaryKind.DOCUMENT);
        assertThat(d.mediaType()).isEqualTo("application/pdf");
        assertThat(d.filename()).isEqualTo("a.pdf");
        assertThat(d.ref()).isEqualTo(Normalizers.hashBase64(b64));
        ContentBlock.Binary a = (ContentBlock.Binary) ContentParts.bytes(BinaryKind.AUDIO, new byte[]{1, 2}, "audio/wav",
                "audio/*", null, null, Normalizers.defaultNormalizer()).block();
        assertThat(a.mediaType()).isEqualTo("audio/wav");
        assertThat(a.ref()).isEqualTo(Normalizers.hashBytes(new byte[]{1, 2}));
        ContentBlock.Binary f = (ContentBlock.Binary) ContentParts.binary(BinaryKind.DOCUMENT,
                new BinarySource.FileId("file_1", "openai"), "application/octet-stream", null, null,
                Normalizers.defaultNormalizer()).block();
        assertThat(f.ref()).isEqualTo("fileid:openai:file_1");
    }

    @Test
    void partsAreConvertedInOrderAndSkippedPartsLeaveNoBlock() {
        List<Mono<ContentBlock>> parts = new ArrayList<>();
        parts.add(ContentParts.text("one"));
        parts.add(null); // a part the reader has no block form for
        parts.add(ContentParts.url(BinaryKind.IMAGE, "https://x.test/a.png", "image/*", "low", null,
                Normalizers.defaultNormalizer()));
        parts.add(ContentParts.text("two"));
        SemanticParams p = ContentParts.params(parts, "m").block();
        assertThat(p.text()).isEqualTo("one two");
        assertThat(p.model()).isEqualTo("m");
        assertThat(p.blocks()).containsExactly(ContentBlock.text("one"),
                new ContentBlock.Binary(BinaryKind.IMAGE, "image/*", "url:https://x.test/a.png", "low", null, null),
                ContentBlock.text("two"));
        assertThat(ContentParts.representable(parts)).isFalse();
        assertThat(ContentParts.representable(List.of(ContentParts.text("one")))).isTrue();
    }

    @Test
    void theNormalizerRunsPerPartOnSubscriptionAndItsRefIsTheBlocks() {
        SemanticParams p = ContentParts.params(List.of(ContentParts.text("What is in this image?"),
                ContentParts.url(BinaryKind.IMAGE, "https://example.com/img.png", "image/*", null, null,
                        ref -> Mono.just("sha256:imagehash"))), "gpt-4o").block();
        assertThat(p.text()).isEqualTo("What is in this image?");
        assertThat(p.blocks()).hasSize(2);
        assertThat(((ContentBlock.Binary) p.blocks().get(1)).ref()).isEqualTo("sha256:imagehash");
        assertThat(p.prompt().binaryRefs()).containsExactly("sha256:imagehash");
    }

    @Test
    void aNormalizerThatGivesNoRefFailsThePartInsteadOfDroppingIt() {
        assertThatThrownBy(() -> ContentParts.url(BinaryKind.IMAGE, "https://example.com/img.png", "image/*", null,
                null, ref -> Mono.empty()).block()).hasMessageContaining("no ref");
        assertThatThrownBy(() -> ContentParts.url(BinaryKind.IMAGE, "https://example.com/img.png", "image/*", null,
                null, ref -> null).block()).hasMessageContaining("returned null");
    }

    @Test
    void blocksJoinTheirTextAndBecomeAMultipartPrompt() {
        SemanticParams p = SemanticParams.blocks(List.of(ContentBlock.text("First part"),
                ContentBlock.binary(BinaryKind.IMAGE, "image/png", "sha256:abc"), ContentBlock.text("Second part")),
                "gpt-4o");
        assertThat(p.text()).isEqualTo("First part Second part");
        assertThat(p.prompt().isMultipart()).isTrue();
        assertThat(p.prompt().binaryRefs()).containsExactly("sha256:abc");
        SemanticParams s = SemanticParams.text("hello", null);
        assertThat(s.blocks()).isNull();
        assertThat(s.prompt().isMultipart()).isFalse();
        assertThat(s.prompt().text()).isEqualTo("hello");
    }
}
