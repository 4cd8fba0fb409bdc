package com.betterdb.semanticcache.kafka;

/** Why a record went to the dead-letter topic; the value of the {@link Headers#DLQ_REASON} header. */
public enum DeadLetterReason {
    /** Not JSON, not UTF-8, not an object, or a member of the wrong type. */
    UNDECODABLE,
    /** A required member is missing or blank. */
    MISSING_FIELD,
    /** A member has an invalid value (e.g. threshold outside 0..2, negative token count). */
    INVALID_FIELD,
    /** The {@code v} member names a schema version this processor does not know. */
    UNSUPPORTED_VERSION,
    /** The record value is larger than {@code maxRecordBytes}. */
    TOO_LARGE,
    /** Processing failed {@code maxProcessingAttempts} times (only when that bound is set). */
    PROCESSING_FAILED,
    /** The record's output was refused by Kafka for good (e.g. larger than the output topic accepts). */
    OUTPUT_REJECTED
}
