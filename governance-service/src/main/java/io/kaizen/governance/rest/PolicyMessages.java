package io.kaizen.governance.rest;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.openapi.WireContract;
import io.kaizen.governance.policy.CombiningStrategy;
import io.kaizen.governance.policy.PolicyEvaluation.PolicyTrace;
import io.kaizen.governance.policy.PolicyValidator;
import jakarta.validation.constraints.Pattern;

/** Bodies of {@code /api/v1/policies}. */
public final class PolicyMessages {

    private PolicyMessages() {
    }

    /**
     * Create (name and effect required) or patch (absent fields unchanged) a policy. {@code target} is
     * {@code {agent_ids, platforms, tags}}, {@code match} {@code all|any}, {@code conditions} typed conditions.
     */
    public record PolicyRequest(
            @Schema(minLength = 1, maxLength = 255, pattern = WireContract.NOT_BLANK) String name,
            @Schema(maxLength = 1000) String description, @Schema(enumeration = {"allow", "deny"}) String effect,
            @Schema(minimum = "0", maximum = "100000", defaultValue = "100") Integer priority, Boolean enabled,
            @Schema(implementation = PolicyTarget.class) JsonNode target,
            @Schema(enumeration = {"all", "any"}, defaultValue = "all") String match,
            JsonNode conditions) {
    }

    /**
     * What a policy applies to (its {@code target}, read by {@code PolicyValidator.target}); an empty or absent list
     * does not narrow it. Declared for the documents only: the request keeps the JSON as given.
     */
    @Schema(description = "What the policy applies to; an absent or empty list does not narrow it")
    public record PolicyTarget(
            @Schema(maxItems = 500) List<@Pattern(regexp = PrefixedId.AGENT_PATTERN) String> agentIds,
            @Schema(maxItems = 500) List<@Pattern(regexp = PolicyValidator.PLATFORM_PATTERN) String> platforms,
            @Schema(maxItems = 500) List<@Pattern(regexp = WireContract.NOT_BLANK) String> tags) {
    }

    public record PolicyView(String id, String organizationId, String name, @Schema(nullable = true) String description,
            @Schema(enumeration = {"allow", "deny"}) String effect, int priority, boolean enabled, JsonNode target,
            @Schema(enumeration = {"all", "any"}) String match, JsonNode conditions, int version, String createdBy,
            Instant createdAt, @Schema(nullable = true) Instant updatedAt) {
    }

    public record PolicyPage(List<PolicyView> items, long total, int page, int limit, boolean hasMore) {
    }

    /**
     * An invocation to explain. The agent's platform, tags and environment come from governance when
     * {@code agent_id} is known and not given; {@code policies}, when present, are drafts evaluated instead of the
     * stored ones; {@code timestamp} defaults to now.
     */
    public record SimulationRequest(String agentId, String userId, String subject, List<String> roles, String teamId,
            String environment, String platform, List<String> tags, String ip, String country,
            BigDecimal estimatedCost, Integer tokens, Instant timestamp, List<PolicyRequest> policies,
            @Schema(implementation = CombiningStrategy.class) String combiningStrategy,
            @Schema(enumeration = {"allow", "deny"}) String defaultEffect) {
    }

    public record SimulationView(
            @Schema(enumeration = {"allow", "deny"}) String decision,
            String reason,
            @Schema(nullable = true) String policyId,
            List<String> matchedPolicies,
            boolean defaultEffectApplied,
            @Schema(implementation = CombiningStrategy.class) String combiningStrategy,
            @Schema(enumeration = {"allow", "deny"}) String defaultEffect,
            Instant evaluatedAt,
            List<PolicyTrace> policies) {
    }
}
