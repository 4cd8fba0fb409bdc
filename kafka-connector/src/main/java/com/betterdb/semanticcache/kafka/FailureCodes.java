package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.EmbeddingError;
import com.betterdb.semanticcache.SemanticCacheException;
import com.betterdb.semanticcache.ValkeyCommandError;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.Errors;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Short, stable names for failures, for metric tags, outcomes and the {@code x-dlq-error} header: a Kafka error code
 * ({@code MESSAGE_TOO_LARGE}, {@code NOT_ENOUGH_REPLICAS}, ...) or a cache failure category. Never a message (which
 * may quote data) nor a Java class name.
 */
final class FailureCodes {

    private FailureCodes() {
    }

    static String of(Throwable t) {
        t = unwrap(t);
        if (t instanceof ApiException) {
            Errors e = Errors.forException(t);
            return e == Errors.UNKNOWN_SERVER_ERROR ? "KAFKA_ERROR" : e.name();
        }
        if (t instanceof EmbeddingError) {
            return "EMBEDDING_FAILED";
        }
        if (t instanceof ValkeyCommandError) {
            return "STORE_COMMAND_FAILED";
        }
        if (t instanceof SemanticCacheException) {
            return "CACHE_FAILED";
        }
        if (t instanceof TimeoutException) {
            return "TIMEOUT";
        }
        return t == null ? "UNKNOWN" : "FAILED";
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A send error after which the record may nevertheless have been written (so a re-send may duplicate it). */
    static boolean retriable(Throwable t) {
        return unwrap(t) instanceof RetriableException;
    }

    /** Kafka refused this record for good because of the record itself (its size, a missing key, ...). */
    static boolean recordRejected(Throwable t) {
        t = unwrap(t);
        return t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
                || t instanceof InvalidRecordException;
    }

    /** The send failed because its transaction was aborted (not because of the record). */
    static boolean transactionAborted(Throwable t) {
        t = unwrap(t);
        return t instanceof org.apache.kafka.common.errors.TransactionAbortedException
                || t instanceof org.apache.kafka.common.KafkaException && !(t instanceof ApiException);
    }

    /** Kafka refused the send for good (not worth the same send again). */
    static boolean nonRetriable(Throwable t) {
        t = unwrap(t);
        return t instanceof ApiException && !(t instanceof RetriableException);
    }
}
