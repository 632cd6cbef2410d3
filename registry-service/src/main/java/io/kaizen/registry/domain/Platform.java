package io.kaizen.registry.domain;

import com.fasterxml.jackson.annotation.JsonValue;

/** The platforms an agent can live on; the wire value is the lower-case name. */
public enum Platform {
    TEAMS, DISCORD, SLACK, TELEGRAM, NOTION, CUSTOM_HTTP;

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }

    @Override
    public String toString() {
        return wire();
    }
}
