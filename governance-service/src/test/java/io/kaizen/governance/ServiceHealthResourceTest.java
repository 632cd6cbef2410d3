package io.kaizen.governance;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.redis.client.RedisAPI;
import jakarta.inject.Inject;

@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class ServiceHealthResourceTest {

    @Inject
    RedisAPI redis;

    @Test
    void theOriginalHealthBodyAnswersWithoutCredentialsWhileEveryStoreIsUp() {
        // a test before this one may have stopped and started a store: wait for its connections to be back
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().when().get("/api/health")
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("status", equalTo("healthy"))
                .body("services", aMapWithSize(4))
                .body("services.database", equalTo("connected"))
                .body("services.redis", equalTo("connected"))
                .body("services.kafka", equalTo("connected"))
                .body("services.external_agents", equalTo("enabled")));
    }

    @Test
    void callersWithoutCredentialsMakeTheStoresChecksRunAtMostOnceASecond() throws Exception {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().when().get("/api/health")
                .then().statusCode(200));
        // past the kept answer's second, a call runs the checks, and the Redis check PINGs
        Thread.sleep(1500);
        long pingsBefore = redisPings();
        given().when().get("/api/health").then().statusCode(200);
        assertThat(redisPings()).isGreaterThan(pingsBefore);

        pingsBefore = redisPings();
        long start = System.nanoTime();
        List<Integer> statuses = GovernanceApi.together(40, () -> given().when().get("/api/health").statusCode());
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + 1;

        assertThat(statuses).containsOnly(200);
        // 40 runs, 40 PINGs, without the kept answer; one run a second with it
        assertThat(redisPings() - pingsBefore).isLessThanOrEqualTo(seconds + 1);
    }

    private long redisPings() {
        String stats = redis.infoAndAwait(List.of("commandstats")).toString();
        Matcher ping = Pattern.compile("cmdstat_ping:calls=(\\d+)").matcher(stats);
        return ping.find() ? Long.parseLong(ping.group(1)) : 0;
    }

    @Test
    void aStoppedRedisIsA503ThatNamesItWhileTheDatabaseStaysConnected() {
        DevStackTestResource.stack().stopRedis();
        try {
            // an answer is kept a second: the first one after the stop may still be the last healthy one
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().when().get("/api/health")
                    .then().statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", "5")
                    .body("status", equalTo(503))
                    .body("error_code", equalTo("GOVERNANCE_UNAVAILABLE"))
                    .body("services.redis", equalTo("disconnected"))
                    .body("services.database", equalTo("connected"))
                    .body("services.external_agents", equalTo("enabled"))
                    // the readiness check's error text (the store's address) stays in /q/health
                    .body(not(containsString("127.0.0.1"))));
        } finally {
            DevStackTestResource.stack().startRedis();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().when().get("/api/health")
                .then().statusCode(200).body("services.redis", equalTo("connected")));
    }
}
