package io.kaizen.gateway.adapter;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;

/** What the agent answered: the output to return and the cost it reported, if any. */
public record AgentReply(int statusCode, JsonNode output, BigDecimal reportedCostUsd) {
}
