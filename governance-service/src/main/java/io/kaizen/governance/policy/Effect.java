package io.kaizen.governance.policy;

/** What a policy does when it applies. */
public enum Effect {
    ALLOW, DENY;

    public String wire() {
        return name().toLowerCase();
    }
}
