package io.kaizen.governance.rest;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.kaizen.common.problem.ErrorCode;
import io.kaizen.common.problem.ProblemException;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The original system's {@code GET /api/health}, with its body, for the monitors and scripts that call it: the
 * state of the governed invoke path's stores as governance-service's readiness checks see them (its PostgreSQL,
 * Redis and Kafka). The per-service probes stay {@code /q/health/*}; this reads the same checks, it runs none of
 * its own. No authentication, as a load balancer's health check has none; it names no host, address or error. When
 * a store is down the answer is the suite's 503 problem, whose {@code services} says which.
 */
@Path("/api/health")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class ServiceHealthResource {

    /** The body of a healthy answer: {@code status} healthy, each store connected. */
    public record Health(String status, Map<String, String> services) {
    }

    /** What a 503 problem adds: each store connected or disconnected. */
    public record Unhealthy(Map<String, String> services) {
    }

    /**
     * The answer of the last readiness run, kept a second: callers without credentials cannot make the stores'
     * checks run more than once a second however often they call; calls during a run wait for that run.
     */
    private final Uni<Health> current;

    ServiceHealthResource(SmallRyeHealthReporter reporter) {
        this.current = Uni.createFrom().deferred(reporter::getReadinessAsync)
                .map(ServiceHealthResource::answer)
                .memoize().atLeast(Duration.ofSeconds(1));
    }

    @GET
    @APIResponse(responseCode = "200", description = "Every store connected",
            content = @Content(schema = @Schema(implementation = Health.class)))
    @APIResponse(responseCode = "503", description = "A store is not reachable; services says which",
            content = @Content(schema = @Schema(implementation = Unhealthy.class)))
    public Uni<Health> health() {
        return current;
    }

    private static Health answer(SmallRyeHealth readiness) {
        var checks = readiness.getPayload().getJsonArray("checks").getValuesAs(JsonObject.class);
        Map<String, String> services = new LinkedHashMap<>();
        services.put("database", connected(checks, name -> name.contains("PostgreSQL") || name.contains("Database")));
        services.put("redis", connected(checks, name -> name.contains("Redis")));
        services.put("kafka", connected(checks, name -> name.contains("Messaging") || name.contains("Kafka")));
        services.put("external_agents", "enabled");
        if (readiness.isDown()) {
            throw new ProblemException(503, ErrorCode.GOVERNANCE_UNAVAILABLE, "Not every store governance needs is "
                    + "reachable; services says which").with("services", services).header("Retry-After", "5");
        }
        return new Health("healthy", services);
    }

    /** Connected when the checks of that store all report UP; a store with no check counts as not connected. */
    private static String connected(Iterable<JsonObject> checks, Predicate<String> ofStore) {
        boolean seen = false;
        for (JsonObject check : checks) {
            if (ofStore.test(check.getString("name", ""))) {
                seen = true;
                if (!"UP".equals(check.getString("status", ""))) {
                    return "disconnected";
                }
            }
        }
        return seen ? "connected" : "disconnected";
    }
}
