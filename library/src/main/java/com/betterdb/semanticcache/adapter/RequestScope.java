package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.internal.Hashing;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Prompt;

import java.util.ArrayList;
import java.util.List;

/**
 * What, besides the user's text, must be <em>equal</em> for two requests to share a cached answer, in every chat
 * adapter: the requested model, the system prompt (system and developer messages, instructions) and the exact set
 * of binary parts (images, documents, audio) of the user message.
 *
 * <p>The user's text is matched by meaning (it is what is embedded); the scope is matched exactly. It travels as one
 * more ref, {@code scope:sha256:<hex>}, in the entry's {@code binary_refs} TAG: the cache requires every ref of a
 * lookup's prompt to be present on a candidate, so requests with another model, another system prompt or other
 * attachments never see each other's entries (nor wait for each other's provider calls), while the caller's
 * category, per-category thresholds and metric labels stay the caller's, and the entry's {@code model} field stays
 * the model that answered (what cost tracking prices). Folding the attachments' refs into the scope makes their
 * match exact: a text-only lookup does not hit an entry stored with an image, which plain {@code binary_refs}
 * containment would allow.
 *
 * <p>Deterministic: the same request always has the same scope. A request that names no model has the model
 * {@code ""}: it shares answers only with other requests that name none. A system part with empty text counts as
 * no part. {@link CachedCall} never looks a scope up on an index without the {@code binary_refs} attribute.
 *
 * @param model  the requested model ({@code ""} when the request names none)
 * @param system the system prompt parts in request order, each {@code role:text} ({@link #part})
 */
public record RequestScope(String model, List<String> system) {

    /** Prefix of the scope ref. */
    public static final String REF_PREFIX = "scope:sha256:";
    /** Media type of the (never sent) content block that carries the scope ref in a lookup's prompt. */
    static final String MEDIA_TYPE = "application/vnd.betterdb.scope";

    public RequestScope {
        model = model == null ? "" : model;
        List<String> parts = new ArrayList<>();
        if (system != null) {
            for (String s : system) {
                if (s != null && !s.isEmpty()) {
                    parts.add(s);
                }
            }
        }
        system = List.copyOf(parts);
    }

    public static RequestScope of(String model, List<String> system) {
        return new RequestScope(model, system);
    }

    /**
     * One system part: {@code role:text} ({@code system}, {@code developer}, {@code instructions}), or {@code null}
     * (no part) when the text is empty.
     */
    public static String part(String role, String text) {
        return text == null || text.isEmpty() ? null : role + ":" + text;
    }

    /** This scope without the model (every model shares answers). */
    public RequestScope withoutModel() {
        return new RequestScope("", system);
    }

    /** This scope without the system prompt (every system prompt shares answers). */
    public RequestScope withoutSystem() {
        return new RequestScope(model, List.of());
    }

    /**
     * The prompt to look up and store for {@code params} under this scope: the params' text (and blocks), plus the
     * scope ref computed over the model, the system prompt and the params' binary refs.
     */
    public Prompt prompt(SemanticParams params) {
        Prompt base = params.prompt();
        List<ContentBlock> blocks = new ArrayList<>(base.isMultipart() ? base.blocks() : List.of());
        if (!base.isMultipart()) {
            blocks.add(ContentBlock.text(base.text()));
        }
        blocks.add(ContentBlock.binary(BinaryKind.DOCUMENT, MEDIA_TYPE, ref(base.binaryRefs())));
        return Prompt.of(blocks);
    }

    /** The scope ref for a prompt with these (sorted) binary refs. */
    public String ref(List<String> binaryRefs) {
        // Length-prefixed fields: no two different scopes can encode to the same text.
        StringBuilder sb = new StringBuilder("v1");
        field(sb, model);
        sb.append('|').append(system.size());
        system.forEach(s -> field(sb, s));
        sb.append('|').append(binaryRefs.size());
        binaryRefs.forEach(r -> field(sb, r));
        return REF_PREFIX + Hashing.sha256Hex(sb.toString());
    }

    private static void field(StringBuilder sb, String value) {
        sb.append('|').append(value.length()).append(':').append(value);
    }

    @Override
    public String toString() {
        // System prompts can carry user data: never print them.
        return "RequestScope[model=" + model + ", systemParts=" + system.size() + "]";
    }
}
