package com.betterdb.semanticcache.store.valkey.protocol;

import com.betterdb.semanticcache.ValkeyCommandError;
import io.lettuce.core.RedisCommandExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

class IndexErrorsTest {

    // INFO-07
    @ParameterizedTest
    @ValueSource(strings = {"Unknown Index Name", "UNKNOWN INDEX NAME sc:idx", "no such index", "sc:idx: No Such Index",
            "No such index nonexistent_idx_xyz", "Index sc:idx: not found", "index not found",
            "Index with name foo not found", "Index with name 'nonexistent_idx_xyz' not found in database 0"})
    void indexMissingMessages(String message) {
        assertThat(IndexErrors.isIndexMissing(message)).isTrue();
        assertThat(IndexErrors.isIndexMissing(new RedisCommandExecutionException(message))).isTrue();
        assertThat(IndexErrors.isIndexMissingValue(new RuntimeException(message))).isTrue();
    }

    // INFO-08
    @ParameterizedTest
    @ValueSource(strings = {"key not found", "function not found", "ERR value not found", "index is being created",
            "connection refused", "ERR unknown command 'FT.INFO'", "LOADING Valkey is loading the dataset in memory"})
    void otherMessages(String message) {
        assertThat(IndexErrors.isIndexMissing(message)).isFalse();
        assertThat(IndexErrors.isIndexMissing(new RedisCommandExecutionException(message))).isFalse();
    }

    @Test
    void nonExceptionValuesNeverMatch() {
        // INFO-08 (non-exception values), INIT-10
        assertThat(IndexErrors.isIndexMissingValue("Unknown index name")).isFalse();
        assertThat(IndexErrors.isIndexMissingValue(null)).isFalse();
        assertThat(IndexErrors.isIndexMissingValue(new Object() {
            @SuppressWarnings("unused")
            final String message = "Unknown index name";
        })).isFalse();
        assertThat(IndexErrors.isIndexMissing((Throwable) null)).isFalse();
        assertThat(IndexErrors.isIndexMissing((String) null)).isFalse();
        assertThat(IndexErrors.isIndexMissing(new RuntimeException((String) null))).isFalse();
    }

    @Test
    void wrappedErrorsClassifyByCause() {
        RedisCommandExecutionException server =
                new RedisCommandExecutionException("Index with name 'fx:idx' not found in database 0");
        assertThat(IndexErrors.isIndexMissing(new CompletionException(server))).isTrue();
        assertThat(IndexErrors.isIndexMissing(new ValkeyCommandError("FT.INFO", server))).isTrue();
        assertThat(IndexErrors.isIndexMissing(new CompletionException(
                new RedisCommandExecutionException("Index fx:idx in database 0 already exists.")))).isFalse();
    }
}
