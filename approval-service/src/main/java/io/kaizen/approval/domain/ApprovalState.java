package io.kaizen.approval.domain;

import java.util.List;

/**
 * A request with its decisions and the held invocations it decides (the first one first), as one read of them.
 */
public record ApprovalState(ApprovalRequest request, List<ApprovalDecision> decisions,
        List<ApprovalInvocation> invocations) {

    public List<ApprovalDecision> of(String kind) {
        return decisions.stream().filter(d -> d.decision.equals(kind)).toList();
    }

    public List<String> invocationIds() {
        return invocations.stream().map(i -> i.invocationId).toList();
    }
}
