package io.kaizen.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.kaizen.common.metrics.MetricNames;
import io.kaizen.devstack.Sink;
import io.kaizen.gateway.adapter.OutboundRequest;
import io.kaizen.gateway.service.Deliveries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;

/**
 * {@code external_agent_webhook_failures} (original-spec §9.5) on {@code /q/metrics}: every failed attempt of a
 * delivery to a real receiver counts once, by kind of delivery; the attempt that succeeds does not.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class GatewayMetricsTest {

    private static final String FAILURES = MetricNames.total(MetricNames.WEBHOOK_FAILURES);
    private static Vertx vertx;

    private final Invoker caller = new Invoker();

    @Inject
    Deliveries deliveries;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void eachFailedDeliveryAttemptIsCountedByKind() throws Throwable {
        Sink sink = new Sink(vertx, 0);
        sink.start();
        try {
            sink.respond(503, 0, "{\"error\":\"busy\"}", 2);
            double before = failures(Deliveries.CALLBACK);
            OutboundRequest request = OutboundRequest.json(sink.url() + "/hooks/metrics",
                    "{\"result\":\"ok\"}".getBytes(StandardCharsets.UTF_8));
            String id = VertxContextSupport.subscribeAndAwait(() -> deliveries.enqueue(new Deliveries.NewDelivery(
                    caller.organizationId, null, Deliveries.CALLBACK, null, request))).id;

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(StoredDeliveries.row(id).status()).isEqualTo("delivered"));
            assertThat(StoredDeliveries.attempts(id)).hasSize(3);
            // other tests' deliveries may still be retried meanwhile: at least this one's two failures
            assertThat(failures(Deliveries.CALLBACK)).isGreaterThanOrEqualTo(before + 2);
        } finally {
            sink.stop();
        }
    }

    /** The failures of one kind of delivery; 0 before the first. */
    private static double failures(String kind) {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(FAILURES) + "\\{[^}]*kind=\"" + Pattern.quote(kind)
                + "\"[^}]*\\} (\\S+)(?: #.*)?$").matcher(text);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }
}
