package io.kaizen.common.events;

/** An event that can never be processed; the consumer's failure strategy sends it to the topic's DLQ. */
public class PoisonEventException extends RuntimeException {

    public PoisonEventException(String message) {
        super(message);
    }
}
