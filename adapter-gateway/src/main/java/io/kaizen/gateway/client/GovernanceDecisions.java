package io.kaizen.gateway.client;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import io.kaizen.common.governance.Decision;
import io.kaizen.common.governance.Decision.Outcome;
import io.kaizen.common.governance.DecisionRequest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Asks governance; when governance cannot answer, the decision is UNAVAILABLE (the call fails closed). */
@ApplicationScoped
public class GovernanceDecisions {

    private static final Logger LOG = Logger.getLogger(GovernanceDecisions.class);

    private final GovernanceClient governance;

    GovernanceDecisions(@RestClient GovernanceClient governance) {
        this.governance = governance;
    }

    public Uni<Decision> decide(DecisionRequest request) {
        return governance.decide(request)
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("governance did not decide invocation %s: %s", request.invocationId(), e.getMessage());
                    return Decision.of(null, Outcome.UNAVAILABLE, "Governance unavailable");
                });
    }

    /**
     * Gives back the reservation of a call that will not run after all. When governance cannot be reached the
     * reservation is left to governance's sweeper, which ends reservations older than their call could be.
     */
    public Uni<Void> release(String reservationId, String invocationId) {
        if (reservationId == null) {
            return Uni.createFrom().voidItem();
        }
        return governance.release(reservationId)
                .onFailure().recoverWithUni(e -> {
                    LOG.warnf("reservation %s of invocation %s was not released: %s", reservationId, invocationId,
                            e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }
}
