package io.kaizen.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.devstack.Sink;
import io.kaizen.gateway.GatewayTestResource;
import io.kaizen.gateway.StoredDeliveries;
import io.kaizen.gateway.adapter.OutboundRequest;
import io.kaizen.gateway.config.DeliveryConfig;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;

/**
 * Dispatchers as gateway replicas: this application stores deliveries but sends none
 * ({@code kaizen.deliveries.dispatch=false}), and each test starts the replicas it needs, sharing PostgreSQL.
 * Racing replicas send every delivery exactly once; a replica that stops in the middle of a retry schedule, its
 * claim held, leaves the delivery to the next once the claim has run out.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
@TestProfile(DeliveryReplicasTest.StoringOnly.class)
class DeliveryReplicasTest {

    public static class StoringOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kaizen.deliveries.dispatch", "false");
        }
    }

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    Vertx vertx;
    @Inject
    DeliveryChannels channels;
    @Inject
    DeliveryConfig config;
    @Inject
    ObjectMapper mapper;
    @Inject
    Deliveries deliveries;

    private final String organizationId = "org_replicas";
    private final List<DeliveryDispatcher> replicas = new ArrayList<>();
    private Sink sink;

    @BeforeEach
    void startSink() {
        sink = new Sink(vertx, 0);
        sink.start();
    }

    @AfterEach
    void stop() {
        replicas.forEach(replica -> replica.onShutdown(null));
        sink.stop();
    }

    @Test
    void twoReplicasReleasedTogetherSendEachDeliveryExactlyOnce() throws Exception {
        List<String> ids = IntStream.range(0, 40).mapToObj(i -> enqueue("/race", "{\"n\":" + i + "}")).toList();
        // a few deliveries per claim, so the replicas claim many times each, against each other
        DeliveryDispatcher first = replica(3);
        DeliveryDispatcher second = replica(3);
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> started = List.of(
                    threads.submit(() -> {
                        start.await();
                        first.wake();
                        return null;
                    }),
                    threads.submit(() -> {
                        start.await();
                        second.wake();
                        return null;
                    }));
            for (Future<?> future : started) {
                future.get();
            }
        } finally {
            threads.shutdown();
        }

        ids.forEach(id -> awaitStatus(id, "delivered"));
        assertThat(ids).allSatisfy(id -> {
            assertThat(StoredDeliveries.attempts(id)).singleElement()
                    .satisfies(attempt -> assertThat(attempt.statusCode()).isEqualTo(200));
            assertThat(StoredDeliveries.row(id).attempts()).isEqualTo(1);
        });
        assertThat(sink.requests()).extracting(Sink.SinkRequest::body)
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 40).mapToObj(i -> "{\"n\":" + i + "}").toList());
    }

    @Test
    void aDeliveryLeftByAStoppedReplicaHoldingItsClaimIsCompletedByTheNextOnceTheClaimRunsOut() {
        // the first attempt is told to come back in an hour: the schedule is well under way when the replica stops
        sink.respond(503, 0, "{\"error\":\"maintenance\"}", 1, Map.of("Retry-After", "3600"));
        String id = enqueue("/restart", "{\"result\":\"ok\"}");
        DeliveryDispatcher first = replica(64);
        first.wake();
        await().atMost(PATIENCE).until(() -> StoredDeliveries.attempts(id).size() == 1);
        await().atMost(PATIENCE).until(() -> StoredDeliveries.row(id).leaseUntil() == null);
        StoredDeliveries.Row scheduled = StoredDeliveries.row(id);
        StoredDeliveries.Attempt failed = StoredDeliveries.attempts(id).get(0);
        assertThat(scheduled.status()).isEqualTo("pending");
        assertThat(scheduled.attemptsLeft()).isEqualTo(config.maxAttempts() - 1);
        assertThat(scheduled.nextAttemptAt()).as("Retry-After stored as the next attempt")
                .isAfterOrEqualTo(failed.attemptedAt().plus(Duration.ofHours(1)));

        // an hour later the replica claims the second attempt, and stops before sending it
        first.onShutdown(null);
        StoredDeliveries.update("update delivery set next_attempt_at = now() - interval '1 second',"
                + " lease_until = now() + interval '1 hour', lease_token = 'replica-that-stopped' where id = ?", id);
        // its claim runs out; the next replica starts
        StoredDeliveries.update("update delivery set lease_until = now() - interval '1 second' where id = ?", id);
        replica(64).wake();

        awaitStatus(id, "delivered");
        assertThat(StoredDeliveries.attempts(id)).extracting(StoredDeliveries.Attempt::statusCode)
                .containsExactly(503, 200);
        assertThat(StoredDeliveries.attempts(id)).extracting(StoredDeliveries.Attempt::attempt).containsExactly(1, 2);
        assertThat(sink.requests()).hasSize(2);
    }

    @Test
    void anAttemptWithoutAnAnswerInTimeIsRetried() {
        // the receiver holds the first request far beyond the replica's timeout, then answers at once
        sink.respond(200, 120_000, null, 1);
        String id = enqueue("/slow", "{\"result\":\"ok\"}");
        DeliveryDispatcher replica = replica(new ReplicaConfig(config, 64, Duration.ofSeconds(3)));
        replica.wake();

        awaitStatus(id, "delivered");
        List<StoredDeliveries.Attempt> attempts = StoredDeliveries.attempts(id);
        assertThat(attempts).extracting(StoredDeliveries.Attempt::errorKind).containsExactly("timeout", null);
        assertThat(attempts.get(0).statusCode()).isNull();
        assertThat(attempts.get(0).durationMs()).isGreaterThanOrEqualTo(3000);
    }

    @Test
    void aDeliveryEnqueuedInTheCallersTransactionExistsOnlyIfThatTransactionCommits() throws Throwable {
        OutboundRequest request = OutboundRequest.json(sink.url() + "/tx", "{}".getBytes(StandardCharsets.UTF_8));
        Deliveries.NewDelivery delivery = new Deliveries.NewDelivery(organizationId, null, Deliveries.CALLBACK, null,
                request);
        String[] rolledBack = new String[1];

        assertThatThrownBy(() -> VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(
                () -> deliveries.enqueue(delivery)
                        .invoke(stored -> rolledBack[0] = stored.id)
                        .chain(() -> Panache.flush())
                        .chain(() -> Uni.createFrom().failure(new IllegalStateException("the caller's work failed"))))))
                .hasMessageContaining("the caller's work failed");
        assertThat(rolledBack[0]).isNotNull();
        assertThat(StoredDeliveries.exists(rolledBack[0])).isFalse();

        String committed = VertxContextSupport.subscribeAndAwait(
                () -> Panache.withTransaction(() -> deliveries.enqueue(delivery))).id;
        assertThat(StoredDeliveries.row(committed).status()).isEqualTo("pending");
    }

    /** Another replica of the gateway: its own dispatcher and throttle, on the shared database. */
    private DeliveryDispatcher replica(int maxInFlight) {
        return replica(new ReplicaConfig(config, maxInFlight, config.timeout()));
    }

    private DeliveryDispatcher replica(DeliveryConfig replicaConfig) {
        DeliveryDispatcher replica = new DeliveryDispatcher(vertx, channels, replicaConfig,
                new DestinationThrottle(replicaConfig, mapper), mapper, true);
        replicas.add(replica);
        return replica;
    }

    private String enqueue(String path, String body) {
        OutboundRequest request = OutboundRequest.json(sink.url() + path, body.getBytes(StandardCharsets.UTF_8));
        try {
            return VertxContextSupport.subscribeAndAwait(() -> deliveries.enqueue(new Deliveries.NewDelivery(
                    organizationId, null, Deliveries.CALLBACK, null, request))).id;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitStatus(String id, String status) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(StoredDeliveries.row(id).status()).isEqualTo(status));
    }

    /** The application's settings, with a replica's own limit of deliveries in flight and timeout. */
    private record ReplicaConfig(DeliveryConfig base, int maxInFlight, Duration timeout) implements DeliveryConfig {

        @Override
        public int maxAttempts() {
            return base.maxAttempts();
        }

        @Override
        public Duration baseDelay() {
            return base.baseDelay();
        }

        @Override
        public Duration maxDelay() {
            return base.maxDelay();
        }

        @Override
        public Duration retryAfterCap() {
            return base.retryAfterCap();
        }

        @Override
        public Duration lease() {
            return base.lease();
        }

        @Override
        public Duration pollInterval() {
            return base.pollInterval();
        }

        @Override
        public boolean dispatch() {
            return true;
        }

        @Override
        public int defaultThrottleRequests() {
            return base.defaultThrottleRequests();
        }

        @Override
        public Duration defaultThrottlePeriod() {
            return base.defaultThrottlePeriod();
        }
    }
}
