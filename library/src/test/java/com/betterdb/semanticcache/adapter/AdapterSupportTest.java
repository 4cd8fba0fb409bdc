package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.ContentBlock;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AdapterSupportTest {

    @Test
    void dataUrlMediaTypeRule() {
        assertThat(DataUrls.mediaType("data:image/jpeg;base64,/9j/abc", "image/*")).isEqualTo("image/jpeg");
        // ';' right after the prefix (or none at all): the default applies.
        assertThat(DataUrls.mediaType("data:;base64,abc", "image/*")).isEqualTo("image/*");
        assertThat(DataUrls.mediaType("data:abc", "application/octet-stream")).isEqualTo("application/octet-stream");
        assertThat(DataUrls.mediaType("https://example.com/x.png", "image/*")).isEqualTo("image/*");
        assertThat(DataUrls.isDataUrl("data:x")).isTrue();
        assertThat(DataUrls.isDataUrl(null)).isFalse();
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
