package io.kaizen.governance.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.kaizen.common.metrics.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.RedisAPI;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code redis_up}: 1 while Redis answers a PING, 0 from the first unanswered one. One PING per interval
 * ({@code kaizen.metrics.redis-ping-interval}) on each replica, never one per decision.
 */
@Startup
@ApplicationScoped
public class RedisAvailability {

    private static final Duration PING_TIMEOUT = Duration.ofSeconds(2);

    private final RedisAPI redis;
    private final AtomicInteger up = new AtomicInteger();

    RedisAvailability(RedisAPI redis, MeterRegistry registry) {
        this.redis = redis;
        Gauge.builder(MetricNames.REDIS_UP, up, AtomicInteger::get)
                .description("1 when Redis answered governance's last PING, else 0").register(registry);
    }

    @Scheduled(every = "${kaizen.metrics.redis-ping-interval:10s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> ping() {
        return redis.ping(List.of())
                .ifNoItem().after(PING_TIMEOUT).fail()
                .onItemOrFailure().invoke((pong, failure) -> up.set(failure == null ? 1 : 0))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
