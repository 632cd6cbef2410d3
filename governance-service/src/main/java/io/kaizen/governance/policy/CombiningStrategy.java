package io.kaizen.governance.policy;

/** How the applicable policies of an organisation combine into one effect. */
public enum CombiningStrategy {
    /** Any applicable deny wins, whatever its priority (the default). */
    DENY_OVERRIDES,
    /** Any applicable allow wins. */
    ALLOW_OVERRIDES,
    /** The applicable policy with the lowest priority number wins. */
    FIRST_APPLICABLE
}
