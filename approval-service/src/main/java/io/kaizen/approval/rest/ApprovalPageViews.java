package io.kaizen.approval.rest;

/** What the approver page's templates show; every value is escaped by the templates. */
public final class ApprovalPageViews {

    private ApprovalPageViews() {
    }

    /** A pending request the link's approver may decide, with the forms' targets and token. */
    public record ReviewPage(String requestId, String agentId, String requestedBy, String externalUserId,
            String reasons, String estimatedCost, String timeLeft, String expiresAt, String payloadSummary,
            String approver, int approvalCount, int requiredApprovals, String formToken, String approveAction,
            String rejectAction, String error) {
    }

    /**
     * An outcome or a refusal; {@code signIn} adds how to decide without the link (signed in, through the API).
     */
    public record NoticePage(String title, String message, String requestId, String status, boolean signIn) {
    }
}
