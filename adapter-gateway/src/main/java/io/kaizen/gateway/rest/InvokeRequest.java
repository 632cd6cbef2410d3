package io.kaizen.gateway.rest;

import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.kaizen.common.egress.EgressGuard;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /api/v1/external-agents/{id}/invoke}. {@code callback_url}: where the outcome of an allowed
 * call is also posted, as a stored delivery retried until it is accepted (checked by the egress guard).
 */
public record InvokeRequest(
        @NotBlank @Size(max = 100_000) String input,
        Map<String, Object> context,
        Map<String, Object> metadata,
        @Size(max = 2048) @Schema(pattern = EgressGuard.URL_PATTERN) String callbackUrl) {
}
