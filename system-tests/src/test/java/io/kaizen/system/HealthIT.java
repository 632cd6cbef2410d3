package io.kaizen.system;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.Service;

/**
 * Readiness follows the database: not ready while PostgreSQL is down, ready again once it is back; the public
 * {@code /api/health} says so too.
 */
class HealthIT {

    private final Suite suite = Suite.get();

    @Test
    void everyServiceIsNotReadyWhileItsDatabaseIsDown() {
        // another test may have just restarted a service or a store: wait for it to be back
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().baseUri(suite.baseUrl())
                .when().get("/api/health")
                .then().statusCode(200).body("status", equalTo("healthy"))
                .body("services.database", equalTo("connected")));
        suite.stack.stopPostgres();
        try {
            for (Service service : Service.values()) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().baseUri(suite.serviceUrl(service))
                        .when().get("/q/health/ready")
                        .then().statusCode(503).body("status", equalTo("DOWN")));
                given().baseUri(suite.serviceUrl(service)).when().get("/q/health/live").then().statusCode(200);
            }
            // the original system's health endpoint, through the router, says which store is gone
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().baseUri(suite.baseUrl())
                    .when().get("/api/health")
                    .then().statusCode(503).contentType("application/problem+json")
                    .body("services.database", equalTo("disconnected")).body("services.redis", equalTo("connected")));
            // requests meanwhile are told to come back, not that something broke
            suite.as(suite.token(Suite.newOrg(), "viewer")).when().get("/api/v1/external-agents")
                    .then().statusCode(503).contentType("application/problem+json").header("Retry-After", "5");
        } finally {
            suite.stack.startPostgres();
        }
        for (Service service : Service.values()) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().baseUri(suite.serviceUrl(service))
                    .when().get("/q/health/ready")
                    .then().statusCode(200).body("status", equalTo("UP")));
        }
        // and they work again
        suite.registerAgent(suite.token(Suite.newOrg(), "developer"), "Back Again Bot");
    }
}
