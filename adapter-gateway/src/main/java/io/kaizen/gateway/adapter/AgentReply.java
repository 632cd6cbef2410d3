package io.kaizen.gateway.adapter;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;

/** What the agent answered: the output to return, and the cost and token counts it reported, each null if none. */
public record AgentReply(int statusCode, JsonNode output, BigDecimal reportedCostUsd, Long inputTokens,
        Long outputTokens) {

    /** Whether the agent reported a token count (either), so the call can be priced by its tokens. */
    public boolean reportedTokens() {
        return inputTokens != null || outputTokens != null;
    }
}
