package io.kaizen.governance.trigger;

import java.math.BigDecimal;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.kaizen.common.governance.UsdAmount;
import io.kaizen.governance.policy.PolicyValidator;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The approval triggers of an agent (or the defaults of its organisation): each null field is "not set" and falls
 * back to the organisation's value, then to off. {@code sensitiveData} names built-in detectors
 * ({@code ssn}, {@code credit_card}, {@code email}, {@code api_key}).
 */
public record ApprovalTriggerSettings(
        @Schema(nullable = true, minimum = "0", maximum = UsdAmount.MAX_SETTING, multipleOf = UsdAmount.STEP)
        BigDecimal costThreshold,
        @Schema(nullable = true, minimum = "0") Integer tokenThreshold,
        @Schema(nullable = true, maxItems = 50, description = "Regular expressions of 1 to 500 characters")
        List<@Size(min = 1, max = 500) String> payloadPatterns,
        @Schema(nullable = true) List<@Pattern(regexp = SensitiveDataDetector.ID_PATTERN) String> sensitiveData,
        @Schema(nullable = true, minimum = "1") Integer rateTriggerCount,
        @Schema(nullable = true, minimum = "1", maximum = "2592000") Integer rateTriggerWindowSeconds,
        @Schema(nullable = true)
        List<@Pattern(regexp = PolicyValidator.ENVIRONMENT_PATTERN) String> environmentsRequiringApproval,
        @Schema(nullable = true) Boolean requireFirstInvocation,
        @Schema(nullable = true, minimum = "1") Integer newAgentHours) {

    public static final ApprovalTriggerSettings NONE = new ApprovalTriggerSettings(null, null, null, null, null, null,
            null, null, null);
    public static final int DEFAULT_RATE_WINDOW_SECONDS = 3600;

    /** These settings with every unset field taken from {@code defaults}. */
    public ApprovalTriggerSettings over(ApprovalTriggerSettings defaults) {
        if (defaults == null) {
            return this;
        }
        return new ApprovalTriggerSettings(
                costThreshold != null ? costThreshold : defaults.costThreshold,
                tokenThreshold != null ? tokenThreshold : defaults.tokenThreshold,
                payloadPatterns != null ? payloadPatterns : defaults.payloadPatterns,
                sensitiveData != null ? sensitiveData : defaults.sensitiveData,
                rateTriggerCount != null ? rateTriggerCount : defaults.rateTriggerCount,
                rateTriggerWindowSeconds != null ? rateTriggerWindowSeconds : defaults.rateTriggerWindowSeconds,
                environmentsRequiringApproval != null ? environmentsRequiringApproval
                        : defaults.environmentsRequiringApproval,
                requireFirstInvocation != null ? requireFirstInvocation : defaults.requireFirstInvocation,
                newAgentHours != null ? newAgentHours : defaults.newAgentHours);
    }

    public boolean countsUserRate() {
        return rateTriggerCount != null && rateTriggerCount > 0;
    }

    public int rateWindowSeconds() {
        return rateTriggerWindowSeconds != null ? rateTriggerWindowSeconds : DEFAULT_RATE_WINDOW_SECONDS;
    }

    public boolean checksFirstInvocation() {
        return Boolean.TRUE.equals(requireFirstInvocation);
    }

    /** True when at least one trigger is on. */
    public boolean enabled() {
        return costThreshold != null || tokenThreshold != null || (payloadPatterns != null && !payloadPatterns.isEmpty())
                || (sensitiveData != null && !sensitiveData.isEmpty()) || countsUserRate()
                || (environmentsRequiringApproval != null && !environmentsRequiringApproval.isEmpty())
                || checksFirstInvocation() || newAgentHours != null;
    }
}
