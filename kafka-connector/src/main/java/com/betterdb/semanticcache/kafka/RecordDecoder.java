package com.betterdb.semanticcache.kafka;

import com.betterdb.semanticcache.kafka.events.DecodeException;
import com.betterdb.semanticcache.kafka.events.Events;
import com.betterdb.semanticcache.kafka.events.LlmReplyEvent;
import com.betterdb.semanticcache.kafka.events.PromptEvent;

/** Turns an input record into an event, or into the reason it must be dead-lettered. */
final class RecordDecoder {

    private final int maxRecordBytes;

    RecordDecoder(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    PromptEvent prompt(InputRecord in) throws DecodeException {
        check(in);
        return Events.decodePrompt(in.record.value());
    }

    LlmReplyEvent reply(InputRecord in) throws DecodeException {
        check(in);
        return Events.decodeReply(in.record.value());
    }

    private void check(InputRecord in) throws DecodeException {
        if (in.forcedDeadLetter != null) {
            throw new DecodeException(DeadLetterReason.PROCESSING_FAILED,
                    "processing failed " + in.attempts + " times, last with " + in.forcedDeadLetter);
        }
        long size = SizeLimits.recordBytes(in.record);
        if (size > maxRecordBytes) {
            throw new DecodeException(DeadLetterReason.TOO_LARGE,
                    "record has " + size + " bytes (key, value and headers), more than maxRecordBytes=" + maxRecordBytes);
        }
    }
}
