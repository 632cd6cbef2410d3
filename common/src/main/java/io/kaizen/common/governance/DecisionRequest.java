package io.kaizen.common.governance;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.openapi.WireContract;

/**
 * What the gateway asks governance before an invocation ({@code POST /internal/v1/decisions}). The agent's
 * {@code platform}, {@code tags}, {@code environment} and {@code agentCreatedAt} feed policy targets and the
 * new-agent trigger; {@code input} is the payload text the payload and sensitive-data triggers read;
 * {@code estimatedCost} is the caller's estimate: it may raise the reservation above the agent's
 * {@code cost_per_execution}, never lower it; a JSON number from 0 to {@link UsdAmount#MAX}.
 * {@code approvedRequestId} is set when the gateway resumes a held call after its approval request was approved:
 * policies and budget are checked again, rate limits and approval triggers are not (DESIGN §3 step 5).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@Schema(additionalProperties = Schema.True.class)
public record DecisionRequest(
        @Schema(maxLength = DecisionRequest.MAX_ID) String invocationId,
        @Schema(required = true, maxLength = DecisionRequest.MAX_NAME, pattern = WireContract.NOT_BLANK)
        String organizationId,
        @Schema(required = true, pattern = PrefixedId.AGENT_PATTERN) String agentId,
        @Schema(maxLength = DecisionRequest.MAX_NAME) String userId,
        String subject,
        String teamId,
        List<String> roles,
        String environment,
        String ip,
        String country,
        @Schema(minimum = "0", maximum = "1000000") @JsonDeserialize(using = UsdAmountDeserializer.class)
        BigDecimal estimatedCost,
        @Schema(minimum = "0") Integer tokens,
        String platform,
        List<String> tags,
        Instant agentCreatedAt,
        String input,
        @Schema(maxLength = DecisionRequest.MAX_ID) String approvedRequestId) {

    /** The longest ids and names the ledger stores with a reservation. */
    public static final int MAX_ID = 64;
    public static final int MAX_NAME = 255;

    /** A first decision, not the resumption of an approved call. */
    public DecisionRequest(String invocationId, String organizationId, String agentId, String userId, String subject,
            String teamId, List<String> roles, String environment, String ip, String country, BigDecimal estimatedCost,
            Integer tokens, String platform, List<String> tags, Instant agentCreatedAt, String input) {
        this(invocationId, organizationId, agentId, userId, subject, teamId, roles, environment, ip, country,
                estimatedCost, tokens, platform, tags, agentCreatedAt, input, null);
    }

    /** The same request, for the resumption of a call whose approval request was approved. */
    public DecisionRequest approved(String approvalRequestId) {
        return new DecisionRequest(invocationId, organizationId, agentId, userId, subject, teamId, roles, environment,
                ip, country, estimatedCost, tokens, platform, tags, agentCreatedAt, input, approvalRequestId);
    }
}
