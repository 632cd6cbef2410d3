package io.kaizen.common.egress;

/** An outbound destination the egress guard refuses; the message says why without echoing the URL. */
public class EgressDeniedException extends RuntimeException {

    public EgressDeniedException(String message) {
        super(message, null, false, false);
    }
}
