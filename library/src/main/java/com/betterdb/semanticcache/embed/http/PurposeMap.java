package com.betterdb.semanticcache.embed.http;

import com.betterdb.semanticcache.embed.EmbedPurpose;

/** The provider's word for each {@link EmbedPurpose} (an input type or task type); null means send none. */
record PurposeMap(String query, String document) {

    String get(EmbedPurpose purpose) {
        return purpose == EmbedPurpose.DOCUMENT ? document : query;
    }

    PurposeMap withQuery(String query) {
        return new PurposeMap(query, document);
    }

    PurposeMap withDocument(String document) {
        return new PurposeMap(query, document);
    }
}
