package io.kaizen.gateway.adapter;

/** The egress guard refused the destination: nothing was sent, and sending again would be refused again. */
public class EgressRefusedException extends UpstreamException {

    public EgressRefusedException(String message) {
        super(message, false, null);
    }
}
