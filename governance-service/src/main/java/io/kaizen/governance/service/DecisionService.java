package io.kaizen.governance.service;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.kaizen.common.governance.Decision;
import io.kaizen.common.governance.Decision.Outcome;
import io.kaizen.common.governance.DecisionRequest;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.governance.domain.AgentGovernance;
import io.kaizen.governance.ratelimit.RateLimitWindow;
import io.kaizen.governance.ratelimit.SlidingWindowRateLimiter;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Decides one invocation: rate limits (atomic, counting the attempt) → allow. */
@ApplicationScoped
public class DecisionService {

    private static final Logger LOG = Logger.getLogger(DecisionService.class);

    private final GovernanceSettingsService settings;
    private final SlidingWindowRateLimiter rateLimiter;
    private final GovernanceDefaults defaults;
    private final boolean rateLimitFailOpen;

    DecisionService(GovernanceSettingsService settings, SlidingWindowRateLimiter rateLimiter,
            GovernanceDefaults defaults,
            @ConfigProperty(name = "kaizen.governance.rate-limit.fail-open", defaultValue = "true") boolean failOpen) {
        this.settings = settings;
        this.rateLimiter = rateLimiter;
        this.defaults = defaults;
        this.rateLimitFailOpen = failOpen;
    }

    public Uni<Decision> decide(DecisionRequest request) {
        if (request.agentId() == null || request.organizationId() == null) {
            throw ProblemException.validation("agent_id and organization_id are required");
        }
        String decisionId = PrefixedId.next(PrefixedId.DECISION);
        return settings.find(request.agentId())
                .onFailure().transform(e -> new GovernanceStoreException(e))
                .chain(config -> {
                    if (config != null && !request.organizationId().equals(config.organizationId)) {
                        throw ProblemException.notFound("No governance for agent " + request.agentId());
                    }
                    return rateLimiter.acquire(request.agentId(), decisionId, windows(config))
                            .map(result -> result.admitted()
                                    ? new Decision(decisionId, Outcome.ALLOW, null, null, cost(config), result.state(), false, null, null, List.of())
                                    : new Decision(decisionId, Outcome.DENY_RATE, "Rate limit exceeded: "
                                            + result.state().limit() + " requests per " + result.state().window(),
                                            null, null, result.state(), false, null, null, List.of()))
                            .onFailure().recoverWithItem(e -> redisDown(decisionId, cost(config), e));
                })
                .onFailure(GovernanceStoreException.class).recoverWithItem(e -> {
                    LOG.warnf("governance store unreachable: %s", e.getCause().getMessage());
                    return Decision.of(decisionId, Outcome.UNAVAILABLE, "Governance store unavailable");
                });
    }

    /** The governance database failed; decisions fail closed. */
    private static final class GovernanceStoreException extends RuntimeException {
        GovernanceStoreException(Throwable cause) {
            super(cause);
        }
    }

    private BigDecimal cost(AgentGovernance config) {
        return config != null && config.costPerExecution != null ? config.costPerExecution
                : defaults.costPerExecution();
    }

    private Decision redisDown(String decisionId, BigDecimal cost, Throwable e) {
        LOG.warnf("rate-limit store unreachable (%s); failing %s", e.getMessage(),
                rateLimitFailOpen ? "open" : "closed");
        return rateLimitFailOpen
                ? new Decision(decisionId, Outcome.ALLOW, null, null, cost, null, true, null, null, List.of())
                : Decision.of(decisionId, Outcome.UNAVAILABLE, "Rate-limit store unavailable");
    }

    private List<RateLimitWindow> windows(AgentGovernance config) {
        int minute = config != null && config.requestsPerMinute != null ? config.requestsPerMinute : defaults.requestsPerMinute();
        int hour = config != null && config.requestsPerHour != null ? config.requestsPerHour : defaults.requestsPerHour();
        int day = config != null && config.requestsPerDay != null ? config.requestsPerDay : defaults.requestsPerDay();
        return List.of(new RateLimitWindow("minute", Duration.ofMinutes(1), minute),
                new RateLimitWindow("hour", Duration.ofHours(1), hour),
                new RateLimitWindow("day", Duration.ofDays(1), day));
    }
}
