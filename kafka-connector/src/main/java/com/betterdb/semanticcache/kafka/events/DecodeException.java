package com.betterdb.semanticcache.kafka.events;

import com.betterdb.semanticcache.kafka.DeadLetterReason;

/** A record that cannot be turned into an event; it goes to the dead-letter topic. */
public final class DecodeException extends Exception {

    private final DeadLetterReason reason;

    public DecodeException(DeadLetterReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
