package io.kaizen.approval.rest;

import io.kaizen.approval.domain.ApprovalRefusal;
import io.kaizen.common.problem.ErrorCode;
import io.kaizen.common.problem.ProblemException;

/** The problem response of each refused decision (original-spec §2.3.17). */
final class ApprovalProblems {

    static final String SELF_APPROVAL = "self_approval";
    static final String NOT_AN_APPROVER = "not_an_approver";

    private ApprovalProblems() {
    }

    static ProblemException of(ApprovalRefusal refusal) {
        String id = refusal.requestId();
        return switch (refusal.kind()) {
            case NOT_FOUND -> notFound(id);
            case ALREADY_DECIDED -> ProblemException.conflict("Already " + refusal.status())
                    .with("request_id", id).with("status", refusal.status());
            case EXPIRED -> new ProblemException(410, ErrorCode.APPROVAL_EXPIRED, "Approval request " + id
                    + " has expired").with("request_id", id).with("status", refusal.status());
            case SELF_APPROVAL -> ProblemException.forbidden("Cannot approve your own request")
                    .with("request_id", id).with("refusal", SELF_APPROVAL);
            case NOT_AN_APPROVER -> ProblemException.forbidden("Not authorized to approve")
                    .with("request_id", id).with("refusal", NOT_AN_APPROVER);
        };
    }

    static ProblemException notFound(String id) {
        return ProblemException.notFound("Approval request " + id + " does not exist or you don't have access");
    }
}
