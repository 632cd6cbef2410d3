package io.kaizen.approval.domain;

import java.util.List;

/** A request with its decisions and the invocations it decides, as one read of them. */
public record ApprovalState(ApprovalRequest request, List<ApprovalDecision> decisions, List<String> invocationIds) {

    public List<ApprovalDecision> of(String kind) {
        return decisions.stream().filter(d -> d.decision.equals(kind)).toList();
    }
}
