package io.kaizen.registry.domain;

import com.fasterxml.jackson.annotation.JsonValue;

/** How the gateway authenticates to an agent. */
public enum AuthType {
    NONE, API_KEY, BEARER_TOKEN, BASIC, OAUTH2, CUSTOM, HMAC;

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }

    @Override
    public String toString() {
        return wire();
    }

    public static AuthType fromWire(String value) {
        return valueOf(value.toUpperCase());
    }
}
