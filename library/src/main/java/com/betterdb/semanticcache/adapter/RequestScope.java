package com.betterdb.semanticcache.adapter;

import com.betterdb.semanticcache.internal.Hashing;
import com.betterdb.semanticcache.prompt.BinaryKind;
import com.betterdb.semanticcache.prompt.ContentBlock;
import com.betterdb.semanticcache.prompt.Prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What, besides the user's text, must be <em>equal</em> for two requests to share a cached answer: the requested
 * model, the system prompt (system/developer messages, instructions) and the exact set of binary parts (images,
 * documents, audio) of the user message.
 *
 * <p>The user's text is matched by meaning (it is what is embedded); everything in the scope is matched exactly. The
 * scope travels as one more ref, {@code scope:sha256:<hex>}, in the entry's {@code binary_refs} TAG: the cache
 * already requires every ref of a lookup's prompt to be present on a candidate, so two requests with another model,
 * another system prompt or other attachments never see each other's entries, while the user's category, thresholds
 * and metric labels stay as they are. Folding the binary refs into the scope makes their match exact (a text-only
 * lookup does not hit an entry stored with an image, which plain {@code binary_refs} containment would allow).
 *
 * <p>The scope is only enforced on an index that has the {@code binary_refs} attribute (every index this library or
 * the reference packages create has it).
 *
 * @param model  the requested model, or {@code null}
 * @param system the system prompt parts in request order (empty when there is none)
 */
public record RequestScope(String model, List<String> system) {

    /** Prefix of the scope ref. */
    public static final String REF_PREFIX = "scope:sha256:";
    /** Media type of the (never sent, never stored as a block) content block that carries the scope ref. */
    static final String MEDIA_TYPE = "application/vnd.betterdb.scope";

    public RequestScope {
        system = List.copyOf(Objects.requireNonNull(system, "system"));
    }

    public static RequestScope of(String model, List<String> system) {
        return new RequestScope(model, system);
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
        field(sb, model == null ? "" : model);
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
