package io.kaizen.gateway.rest;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;

public record InvokeResponse(String invocationId, String traceId, String status, JsonNode output, Metadata metadata) {

    public record Metadata(long durationMs, BigDecimal costUsd, boolean webhookDelivered) {
    }
}
