package io.kaizen.registry.rest;

import java.util.List;
import java.util.Map;

import io.kaizen.registry.domain.Environment;
import io.kaizen.registry.domain.Platform;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

public record CreateAgentRequest(
        @NotBlank @Size(max = 200) String name,
        @Size(max = 2000) String description,
        @NotNull Platform platform,
        @NotBlank @Size(max = 2048) String endpointUrl,
        Map<String, Object> platformConfig,
        @Size(max = 50) List<@NotBlank @Size(max = 100) String> tags,
        Environment environment,
        @Min(1) @Max(300) Integer timeoutSeconds) {
}
