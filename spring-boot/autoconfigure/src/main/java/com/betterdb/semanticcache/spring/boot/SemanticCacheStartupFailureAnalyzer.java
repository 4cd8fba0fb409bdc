package com.betterdb.semanticcache.spring.boot;

import com.betterdb.semanticcache.EmbeddingError;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a failed fail-fast initialization into Spring Boot's "APPLICATION FAILED TO START" report with a remedy. */
class SemanticCacheStartupFailureAnalyzer extends AbstractFailureAnalyzer<SemanticCacheStartupException> {

    @Override
    protected FailureAnalysis analyze(Throwable root, SemanticCacheStartupException cause) {
        String background = " Or let the application start without it: " + SemanticCacheProperties.PREFIX
                + ".startup.mode=background (the cache initializes once it can, and its health is DOWN until then).";
        String action = findCause(cause, EmbeddingError.class) != null
                ? "Check the embedder (" + SemanticCacheProperties.PREFIX + ".embedding.* or your EmbedFn bean): the"
                        + " cache embeds a probe text at startup to learn the vector dimension." + background
                : "Make sure the server is up and runs Valkey 9 with valkey-search 1.2.1 or newer (FT.INFO must work"
                        + " there): " + cause.store() + "." + background;
        return new FailureAnalysis(cause.getMessage(), action, cause);
    }
}
