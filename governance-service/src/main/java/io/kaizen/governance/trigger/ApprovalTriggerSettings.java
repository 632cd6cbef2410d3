package io.kaizen.governance.trigger;

import java.math.BigDecimal;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The approval triggers of an agent (or the defaults of its organisation): each null field is "not set" and falls
 * back to the organisation's value, then to off. {@code sensitiveData} names built-in detectors
 * ({@code ssn}, {@code credit_card}, {@code email}, {@code api_key}).
 */
public record ApprovalTriggerSettings(
        @Schema(nullable = true) BigDecimal costThreshold,
        @Schema(nullable = true) Integer tokenThreshold,
        @Schema(nullable = true) List<String> payloadPatterns,
        @Schema(nullable = true) List<String> sensitiveData,
        @Schema(nullable = true) Integer rateTriggerCount,
        @Schema(nullable = true) Integer rateTriggerWindowSeconds,
        @Schema(nullable = true) List<String> environmentsRequiringApproval,
        @Schema(nullable = true) Boolean requireFirstInvocation,
        @Schema(nullable = true) Integer newAgentHours) {

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
