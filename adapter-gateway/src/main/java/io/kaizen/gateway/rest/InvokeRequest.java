package io.kaizen.gateway.rest;

import java.util.Map;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /api/v1/external-agents/{id}/invoke}. */
public record InvokeRequest(
        @NotBlank @Size(max = 100_000) String input,
        Map<String, Object> context,
        Map<String, Object> metadata) {
}
