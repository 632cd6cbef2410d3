package io.kaizen.gateway.adapter;

/** The agent could not be reached, timed out, or answered with an error status. */
public class UpstreamException extends RuntimeException {

    private final boolean timeout;
    private final Integer statusCode;

    public UpstreamException(String message, boolean timeout, Integer statusCode) {
        super(message, null, false, false);
        this.timeout = timeout;
        this.statusCode = statusCode;
    }

    public boolean timeout() {
        return timeout;
    }

    public Integer statusCode() {
        return statusCode;
    }
}
