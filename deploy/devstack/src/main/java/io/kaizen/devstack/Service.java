package io.kaizen.devstack;

import java.util.Arrays;

/**
 * The five services of the suite: their Maven module, their short name (which is also the name of their
 * database and of the REST client other services use to call them) and their local port.
 */
public enum Service {
    REGISTRY("registry-service", "registry", 8081, false),
    GOVERNANCE("governance-service", "governance", 8082, true),
    LINEAGE("lineage-service", "lineage", 8083, true),
    APPROVAL("approval-service", "approval", 8084, false),
    GATEWAY("adapter-gateway", "gateway", 8085, true);

    private final String module;
    private final String shortName;
    private final int defaultPort;
    private final boolean invokePath;

    Service(String module, String shortName, int defaultPort, boolean invokePath) {
        this.module = module;
        this.shortName = shortName;
        this.defaultPort = defaultPort;
        this.invokePath = invokePath;
    }

    /**
     * Whether every governed invoke keeps the service busy: the gateway, governance (its decision and settlement) and
     * lineage (its row and audit entry). Registry is asked only when an agent is not cached, approval-service only
     * for held calls.
     */
    public boolean invokePath() {
        return invokePath;
    }

    public String module() {
        return module;
    }

    public String shortName() {
        return shortName;
    }

    public int defaultPort() {
        return defaultPort;
    }

    public String database() {
        return shortName;
    }

    public static Service byShortName(String shortName) {
        return Arrays.stream(values())
                .filter(s -> s.shortName.equals(shortName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown service '" + shortName + "', expected one of registry, governance, lineage, approval, gateway"));
    }
}
