package io.kaizen.approval.domain;

/** Why a decision on a request was refused; the REST edge turns each into its problem response. */
public class ApprovalRefusal extends RuntimeException {

    public enum Kind {
        NOT_FOUND, ALREADY_DECIDED, EXPIRED, SELF_APPROVAL, NOT_AN_APPROVER
    }

    private final Kind kind;
    private final String requestId;
    private final String status;

    public ApprovalRefusal(Kind kind, String requestId, String status) {
        super(kind + " " + requestId, null, false, false);
        this.kind = kind;
        this.requestId = requestId;
        this.status = status;
    }

    public Kind kind() {
        return kind;
    }

    public String requestId() {
        return requestId;
    }

    /** The request's status when it was refused. */
    public String status() {
        return status;
    }
}
