package com.betterdb.semanticcache.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What is looked up or stored: a plain string, or a list of content blocks (multi-modal). The text that is embedded
 * and stored is the string itself, or the {@code text} of every text block joined with one space; the binary refs
 * are the {@code ref} of every binary block, sorted (docs/data-format.md §12.2).
 */
public final class Prompt {

    private final String text;
    private final List<ContentBlock> blocks;
    private final List<String> binaryRefs;

    private Prompt(String text, List<ContentBlock> blocks, List<String> binaryRefs) {
        this.text = text;
        this.blocks = blocks;
        this.binaryRefs = binaryRefs;
    }

    public static Prompt of(String text) {
        Objects.requireNonNull(text, "prompt text");
        return new Prompt(text, null, List.of());
    }

    public static Prompt of(List<? extends ContentBlock> blocks) {
        Objects.requireNonNull(blocks, "prompt blocks");
        List<ContentBlock> copy = List.copyOf(blocks);
        return new Prompt(textOf(copy), copy, refsOf(copy));
    }

    public static Prompt of(ContentBlock... blocks) {
        return of(List.of(blocks));
    }

    /** Text blocks' texts joined with one space (other block types are ignored). */
    public static String textOf(List<? extends ContentBlock> blocks) {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (ContentBlock b : blocks) {
            if (b instanceof ContentBlock.Text t) {
                if (!first) {
                    sb.append(' ');
                }
                sb.append(t.text());
                first = false;
            }
        }
        return sb.toString();
    }

    /** Refs of binary blocks, sorted ascending in UTF-16 code-unit order (as {@code String.compareTo}). */
    public static List<String> refsOf(List<? extends ContentBlock> blocks) {
        List<String> refs = new ArrayList<>();
        for (ContentBlock b : blocks) {
            if (b instanceof ContentBlock.Binary bin) {
                refs.add(bin.ref());
            }
        }
        refs.sort(null);
        return List.copyOf(refs);
    }

    /** The text that is embedded and stored in the {@code prompt} field. */
    public String text() {
        return text;
    }

    /** The content blocks, or {@code null} for a plain string prompt. */
    public List<ContentBlock> blocks() {
        return blocks;
    }

    public boolean isMultipart() {
        return blocks != null;
    }

    /** Binary refs, sorted; empty for a string prompt. */
    public List<String> binaryRefs() {
        return binaryRefs;
    }

    @Override
    public String toString() {
        // Never print prompt text: it can carry user data.
        return "Prompt[chars=" + text.length() + ", blocks=" + (blocks == null ? 0 : blocks.size())
                + ", binaryRefs=" + binaryRefs.size() + "]";
    }
}
