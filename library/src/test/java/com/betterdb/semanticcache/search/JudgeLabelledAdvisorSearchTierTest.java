package com.betterdb.semanticcache.search;

import com.betterdb.semanticcache.SemanticCacheOptions;
import com.betterdb.semanticcache.core.JudgeLabelledAdvisorScenario;
import com.betterdb.semanticcache.store.CacheStores;
import com.betterdb.semanticcache.testing.ValkeySearchServer;
import com.betterdb.semanticcache.testing.ValkeySearchTest;
import com.betterdb.semanticcache.testing.ValkeyServer;

/**
 * {@link JudgeLabelledAdvisorScenario} on a real valkey-search: the verdicts go through the pipelined bookkeeping
 * flush into {@code {name}:__judge_verdicts} and are read back with {@code ZRANGE}.
 */
@ValkeySearchTest
class JudgeLabelledAdvisorSearchTierTest extends JudgeLabelledAdvisorScenario {

    private final ValkeySearchServer server;
    private final ValkeyServer.BinaryConnection binary;

    JudgeLabelledAdvisorSearchTierTest(ValkeySearchServer server) {
        this.server = server;
        this.binary = server.openBinary();
    }

    @Override
    protected SemanticCacheOptions.Builder withStore(String name) {
        return SemanticCacheOptions.builder().name(name).store(CacheStores.valkey(binary.connection()));
    }

    @Override
    protected String newName() {
        return server.uniqueCacheName("advisor");
    }

    @Override
    protected void writeThreshold(String name, double threshold) {
        server.commands().hset(name + ":__config", "threshold", Double.toString(threshold));
    }

    @Override
    protected void cleanUp(String name) {
        try {
            server.dropCache(name);
        } finally {
            binary.close();
        }
    }
}
