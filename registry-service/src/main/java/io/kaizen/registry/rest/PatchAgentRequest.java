package io.kaizen.registry.rest;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.security.Redacted;
import io.kaizen.common.governance.UsdAmountDeserializer;
import io.kaizen.registry.domain.Environment;
import io.kaizen.registry.domain.Platform;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** A partial update: absent (or null) fields are left as they are. */
public record PatchAgentRequest(
        @Size(min = 1, max = 200) String name,
        @Size(max = 2000) String description,
        Platform platform,
        @Size(max = 2048) @Schema(pattern = EgressGuard.URL_PATTERN) String endpointUrl,
        @Size(max = 50) Map<String, Object> platformConfig,
        @Valid AuthConfigRequest authConfig,
        @Size(max = 50) List<@NotNull @Pattern(regexp = "^[A-Za-z0-9_.:-]{1,50}$",
                message = "must be 1–50 letters, digits or _.:-") String> tags,
        Environment environment,
        @Min(1) @Max(300) Integer timeoutSeconds,
        @Pattern(regexp = "^(active|inactive|deleted)$", message = "must be active, inactive or deleted") String status,
        @DecimalMin(value = "-1", message = "must not be negative (-1 for unlimited)") @DecimalMax("1000000000")
        @Digits(integer = 10, fraction = 6) BigDecimal maxMonthlyCost,
        @DecimalMin(value = "-1", message = "must not be negative (-1 for unlimited)") @DecimalMax("1000000000")
        @Digits(integer = 10, fraction = 6) BigDecimal maxDailyCost,
        @DecimalMin("0") @DecimalMax("1000000") @Digits(integer = 7, fraction = 6) BigDecimal costPerExecution,
        @Min(value = -1, message = "must not be negative (-1 for unlimited)") Integer monthlyExecutionLimit,
        @Min(0) Integer requestsPerMinute,
        @Min(0) Integer requestsPerHour,
        @Min(0) Integer requestsPerDay,
        @DecimalMin("0") @DecimalMax("1") @Digits(integer = 1, fraction = 12)
        @JsonDeserialize(using = UsdAmountDeserializer.class) BigDecimal inputTokenRate,
        @DecimalMin("0") @DecimalMax("1") @Digits(integer = 1, fraction = 12)
        @JsonDeserialize(using = UsdAmountDeserializer.class) BigDecimal outputTokenRate,
        @DecimalMin("0") @DecimalMax("1000000") @Digits(integer = 7, fraction = 6)
        @JsonDeserialize(using = UsdAmountDeserializer.class) BigDecimal baseInvocationCost,
        @DecimalMin(value = "-1", message = "must not be negative (-1 for unlimited)") @DecimalMax("1000000000")
        @Digits(integer = 10, fraction = 6) BigDecimal maxWeeklyCost,
        @Min(value = -1, message = "must not be negative (-1 for unlimited)") Integer weeklyExecutionLimit,
        Boolean rolloverUnused,
        @DecimalMin("0") @DecimalMax("1") @Digits(integer = 1, fraction = 4) BigDecimal maxRolloverPercentage,
        @JsonProperty("notify") @Size(max = 10) List<@NotNull @Valid NotifyChannelRequest> notifyChannels) implements GovernanceFields {

    /** {@code platform_config} may hold secrets (a bot token); {@code auth_config} masks its own credentials. */
    @Override
    public String toString() {
        return Redacted.toString(this, "platformConfig");
    }
}
