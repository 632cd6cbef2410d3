package io.kaizen.governance.service;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import io.kaizen.common.governance.DecisionRequest;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.governance.client.ApprovalRequestsClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;

/**
 * Checks the approval a resumed call claims ({@code approved_request_id}) with approval-service, the owner of the
 * decision, before rate limits and approval triggers are skipped for it (docs/governance.md): the request must exist,
 * be {@code approved}, belong to the call's organisation and agent, have been made by the call's subject, and list
 * the call's invocation among those it decides. Asked on the resumption path only, never on a first decision.
 */
@ApplicationScoped
public class ApprovalVerifier {

    private static final Logger LOG = Logger.getLogger(ApprovalVerifier.class);
    static final String APPROVED = "approved";

    /** What the claim turned out to be. */
    public enum Verdict {
        /** Not a resumption: nothing was claimed. */
        NONE,
        /** approval-service approved this very call. */
        APPROVED,
        /** Forged, reused, of another call, agent or organisation, or not (yet) approved: the claim is ignored. */
        REFUSED,
        /** approval-service could not answer: the decision is UNAVAILABLE and the gateway keeps the call held. */
        UNAVAILABLE
    }

    private final ApprovalRequestsClient approvals;

    ApprovalVerifier(@RestClient ApprovalRequestsClient approvals) {
        this.approvals = approvals;
    }

    public Uni<Verdict> verify(DecisionRequest request) {
        String claimed = request.approvedRequestId();
        if (claimed == null) {
            return Uni.createFrom().item(Verdict.NONE);
        }
        if (!PrefixedId.isValid(PrefixedId.APPROVAL, claimed) || request.invocationId() == null) {
            return Uni.createFrom().item(Verdict.REFUSED);
        }
        return approvals.get(claimed)
                .map(found -> covers(found, request) ? Verdict.APPROVED : Verdict.REFUSED)
                .onFailure().recoverWithItem(e -> {
                    if (e instanceof WebApplicationException web && web.getResponse().getStatus() == 404) {
                        return Verdict.REFUSED;
                    }
                    LOG.warnf("approval %s of invocation %s could not be verified: %s", claimed,
                            request.invocationId(), e.getMessage());
                    return Verdict.UNAVAILABLE;
                });
    }

    private static boolean covers(ApprovalRequestsClient.ApprovalRequest found, DecisionRequest request) {
        return found != null && APPROVED.equals(found.status())
                && request.organizationId().equals(found.organizationId())
                && request.agentId().equals(found.externalAgentId())
                && (request.subject() == null || request.subject().equals(found.requestedByUserId()))
                && found.invocationIds() != null && found.invocationIds().contains(request.invocationId());
    }
}
