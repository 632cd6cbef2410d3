package io.kaizen.common.consumer;

/** Why a record went to the dead-letter topic; its message becomes the record's {@code dead-letter-reason} header. */
public class DeadLetteredException extends RuntimeException {

    public DeadLetteredException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
