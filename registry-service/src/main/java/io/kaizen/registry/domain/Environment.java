package io.kaizen.registry.domain;

import com.fasterxml.jackson.annotation.JsonValue;

public enum Environment {
    PRODUCTION, STAGING, DEVELOPMENT;

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }

    @Override
    public String toString() {
        return wire();
    }
}
