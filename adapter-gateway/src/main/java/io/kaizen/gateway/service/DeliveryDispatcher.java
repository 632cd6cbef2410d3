package io.kaizen.gateway.service;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.metrics.MetricNames;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.reactive.InOrder;
import io.kaizen.common.vertx.DetachedContext;
import io.kaizen.common.vertx.Rounds;
import io.kaizen.gateway.adapter.EgressRefusedException;
import io.kaizen.gateway.adapter.OutboundHttp;
import io.kaizen.gateway.adapter.OutboundRequest;
import io.kaizen.gateway.adapter.SecretRedaction;
import io.kaizen.gateway.adapter.UpstreamException;
import io.kaizen.gateway.config.DeliveryConfig;
import io.kaizen.gateway.domain.Delivery;
import io.kaizen.gateway.domain.DeliveryAttempt;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.SMTPException;
import io.vertx.mutiny.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/**
 * Sends due deliveries and records each attempt. Any number of replicas may run it: a replica claims due rows with
 * {@code FOR UPDATE SKIP LOCKED} and marks them with a lease (a time and a token) in a short transaction, sends
 * them with no transaction open, and records each outcome only while its lease token is still on the row. A
 * replica that dies holding claims leaves them to whoever claims after the lease ran out, so a delivery is never
 * lost, and sent twice only when an attempt outlived its lease.
 *
 * <p>Claims run when something is enqueued or replayed in this replica ({@link #wake()}), when a send finishes and
 * more rows wait, and every {@code kaizen.deliveries.poll-interval} for retries falling due and rows of other
 * replicas. Claims never overlap in one replica; a wake-up during a claim makes another follow it.
 */
@ApplicationScoped
public class DeliveryDispatcher {

    private static final Logger LOG = Logger.getLogger(DeliveryDispatcher.class);
    static final String CLAIM = "select * from delivery where status = 'pending' and next_attempt_at <= :now"
            + " and (lease_until is null or lease_until < :now)"
            + " order by next_attempt_at limit :limit for update skip locked";
    private static final String RECORD = "status = ?1, attempts = attempts + 1,"
            + " attemptsLeft = ?2, nextAttemptAt = ?3, leaseUntil = null, leaseToken = null, lastStatusCode = ?4,"
            + " lastError = ?5, updatedAt = ?6, deliveredAt = ?7 where id = ?8 and leaseToken = ?9";
    private static final String RESCHEDULE = "nextAttemptAt = ?1, leaseUntil = null,"
            + " leaseToken = null, updatedAt = ?2 where id = ?3 and leaseToken = ?4";
    /** Longest answer excerpt kept with an attempt. */
    static final int EXCERPT_BYTES = 2048;
    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
    };

    private final Vertx vertx;
    private final DeliveryChannels channels;
    private final DeliveryConfig config;
    private final DestinationThrottle throttle;
    private final ObjectMapper mapper;
    private final RetrySchedule schedule;
    private final boolean dispatching;
    private final Map<String, DeliveryKind> kinds;
    private final MeterRegistry meters;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Claims never overlap in this replica; a wake-up during one makes another follow it. */
    private final Rounds claims = new Rounds(this::claims);

    @Inject
    DeliveryDispatcher(Vertx vertx, DeliveryChannels channels, DeliveryConfig config, DestinationThrottle throttle,
            ObjectMapper mapper, Instance<DeliveryKind> kinds, MeterRegistry meters) {
        this(vertx, channels, config, throttle, mapper, config.dispatch(),
                kinds.stream().collect(Collectors.toUnmodifiableMap(DeliveryKind::kind, Function.identity())), meters);
    }

    /** A dispatcher that sends whatever {@code kaizen.deliveries.dispatch} says (a second one in a test). */
    DeliveryDispatcher(Vertx vertx, DeliveryChannels channels, DeliveryConfig config, DestinationThrottle throttle,
            ObjectMapper mapper, boolean dispatching) {
        this(vertx, channels, config, throttle, mapper, dispatching, Map.of(), new SimpleMeterRegistry());
    }

    private DeliveryDispatcher(Vertx vertx, DeliveryChannels channels, DeliveryConfig config,
            DestinationThrottle throttle, ObjectMapper mapper, boolean dispatching, Map<String, DeliveryKind> kinds,
            MeterRegistry meters) {
        this.meters = meters;
        this.kinds = kinds;
        this.vertx = vertx;
        this.channels = channels;
        this.config = config;
        this.throttle = throttle;
        this.mapper = mapper;
        this.dispatching = dispatching;
        this.schedule = new RetrySchedule(config.baseDelay(), config.maxDelay(), config.retryAfterCap(),
                // each call draws from its own thread's generator
                () -> ThreadLocalRandom.current().nextLong());
    }

    @Scheduled(every = "${kaizen.deliveries.poll-interval:1s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        wake();
    }

    void onShutdown(@Observes ShutdownEvent event) {
        claims.stop();
    }

    /** Claims due deliveries now, or once more after the running claim. */
    public void wake() {
        if (dispatching) {
            claims.wake();
        }
    }

    /** Claims due deliveries and sends them, claiming again at once while each claim fills the room left. */
    private Uni<Void> claims() {
        return InOrder.whileMore(() -> {
            int free = config.maxInFlight() - inFlight.get();
            if (free <= 0 || claims.stopped()) {
                // a finishing send wakes the dispatcher again
                return Uni.createFrom().item(false);
            }
            return DetachedContext.run(vertx, () -> claim(free)).map(rows -> {
                rows.forEach(this::dispatch);
                return rows.size() == free;
            });
        })
                .onFailure().invoke(failure -> {
                    if (!claims.stopped()) {
                        LOG.warnf("delivery claim failed: %s", failure.getClass().getSimpleName());
                    }
                })
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Due rows no other replica holds, leased to this one in a transaction of their own. */
    private Uni<List<Delivery>> claim(int limit) {
        Instant now = now();
        String token = UUID.randomUUID().toString();
        return Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(CLAIM, Delivery.class)
                        .setParameter("now", now)
                        .setParameter("limit", limit)
                        .getResultList())
                .invoke(rows -> rows.forEach(row -> {
                    row.leaseUntil = now.plus(config.lease());
                    row.leaseToken = token;
                })));
    }

    private void dispatch(Delivery row) {
        inFlight.incrementAndGet();
        Uni.createFrom().deferred(() -> attempt(row)).subscribe().with(
                ignored -> finished(),
                failure -> {
                    // the lease runs out and another claim takes the delivery up again
                    LOG.warnf("delivery %s: outcome not recorded (%s)", row.id, failure.getClass().getSimpleName());
                    finished();
                });
    }

    private void finished() {
        inFlight.decrementAndGet();
        wake();
    }

    /**
     * Sends it, or, when its destination has no token left, puts it back for when it will have one. A delivery that
     * cannot even be prepared (its agent gone) is recorded as an attempt that failed so.
     */
    private Uni<Void> attempt(Delivery row) {
        Instant now = now();
        DeliveryKind kind = kinds.get(row.kind);
        Uni<Map<String, String>> headers = kind == null ? Uni.createFrom().item(headers(row, now))
                : DetachedContext.run(vertx, () -> kind.headers(row, headers(row, now), now));
        return headers.chain(complete -> channels.prepare(row, complete, config.timeout()))
                .onItemOrFailure().transformToUni((prepared, failure) -> failure == null ? attempt(row, prepared, now)
                : DetachedContext.run(vertx, () -> record(row, now, 0, Outcome.of(failure))));
    }

    private Uni<Void> attempt(Delivery row, DeliveryChannels.Prepared prepared, Instant now) {
        OutboundRequest request = prepared.request();
        Duration wait = throttle.acquire(prepared.platform(), request.url(), request.headers(), request.body(), now);
        if (!wait.isZero()) {
            Instant later = now.plus(wait).truncatedTo(ChronoUnit.MICROS).plus(1, ChronoUnit.MICROS);
            return DetachedContext.run(vertx, () -> Panache.withTransaction(
                    () -> Delivery.update(RESCHEDULE, later, now, row.id, row.leaseToken))).replaceWithVoid();
        }
        long started = System.nanoTime();
        return Uni.createFrom().deferred(() -> prepared.send().get())
                .onFailure().recoverWithItem(Outcome::of)
                .chain(outcome -> DetachedContext.run(vertx,
                        () -> record(row, now, (System.nanoTime() - started) / 1_000_000, outcome)));
    }

    /** The attempt's log line and the delivery's next state, in one transaction. */
    private Uni<Void> record(Delivery row, Instant attemptedAt, long durationMs, Outcome outcome) {
        Instant now = now();
        int attemptsLeft = row.attemptsLeft - 1;
        String status;
        Instant next = now;
        if (outcome.delivered()) {
            status = Delivery.DELIVERED;
        } else if (!outcome.retryable()) {
            status = Delivery.FAILED;
        } else if (attemptsLeft <= 0) {
            status = Delivery.EXHAUSTED;
        } else {
            status = Delivery.PENDING;
            int attemptOfSchedule = config.maxAttempts() - attemptsLeft;
            next = now.plus(schedule.waitAfter(attemptOfSchedule, outcome.retryAfter(), now))
                    .truncatedTo(ChronoUnit.MICROS);
        }
        DeliveryAttempt attempt = new DeliveryAttempt();
        attempt.deliveryId = row.id;
        attempt.attempt = row.attempts + 1;
        attempt.attemptedAt = attemptedAt;
        attempt.statusCode = outcome.statusCode();
        attempt.errorKind = outcome.errorKind();
        attempt.durationMs = durationMs;
        attempt.error = outcome.error();
        attempt.responseExcerpt = outcome.excerpt();
        Instant deliveredAt = outcome.delivered() ? now : null;
        DeliveryKind kind = kinds.get(row.kind);
        Instant nextAttemptAt = next;
        return Panache.withTransaction(() -> Delivery.update(RECORD, status, Math.max(0, attemptsLeft), nextAttemptAt,
                        outcome.statusCode(), outcome.error(), now, deliveredAt, row.id, row.leaseToken)
                .invoke(updated -> {
                    if (updated == 1 && !outcome.delivered()) {
                        failed(row.kind);
                    }
                    if (updated == 0) {
                        LOG.infof("delivery %s: lease ran out during attempt %d; another claim owns it now", row.id,
                                attempt.attempt);
                    }
                })
                .chain(updated -> attempt.persist().chain(() -> kind != null && updated == 1
                        && !Delivery.PENDING.equals(status)
                        ? kind.settled(row, status, outcome.error()) : Uni.createFrom().voidItem())))
                .replaceWithVoid();
    }

    /** {@code external_agent_webhook_failures} (original-spec §9.5): one failed attempt, by kind of delivery. */
    private void failed(String kind) {
        Counter.builder(MetricNames.WEBHOOK_FAILURES).description("Delivery attempts that failed")
                .tag("kind", kind == null ? "unknown" : kind).register(meters).increment();
    }

    /**
     * The stored headers as the attempt at {@code now} sends them: a Standard Webhooks {@code webhook-timestamp} is the
     * attempt's, so a retry hours later is not refused as a replay by a receiver checking it.
     */
    private Map<String, String> headers(Delivery row, Instant now) {
        try {
            Map<String, String> headers = new LinkedHashMap<>(mapper.readValue(row.headers, HEADERS));
            headers.computeIfPresent("webhook-timestamp", (name, stored) -> String.valueOf(now.getEpochSecond()));
            return headers;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("delivery " + row.id + " has unreadable headers", e);
        }
    }

    /** Microseconds, as PostgreSQL keeps them, so stored times compare as computed. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** What one attempt came to. */
    record Outcome(Integer statusCode, String errorKind, String error, String excerpt, String retryAfter,
            boolean delivered, boolean retryable) {

        static Outcome of(OutboundHttp.Reply reply) {
            int status = reply.status();
            boolean delivered = status >= 200 && status < 300;
            return new Outcome(status, delivered ? null : DeliveryAttempt.HTTP,
                    delivered ? null : "destination answered HTTP " + status, excerpt(reply.body()),
                    reply.retryAfter(), delivered, retryableStatus(status));
        }

        /** An e-mail the mail server took (SMTP 250). */
        static Outcome mailed() {
            return new Outcome(250, null, null, null, null, true, false);
        }

        static Outcome of(Throwable failure) {
            SMTPException smtp = smtp(failure);
            if (smtp != null) {
                // 4xx is transient (try again later), 5xx permanent (RFC 5321 §4.2.1); the reply text may quote an
                // address, so only its code is kept
                return new Outcome(smtp.getReplyCode(), DeliveryAttempt.SMTP,
                        "mail server answered " + smtp.getReplyCode(), null, null, false, smtp.isTransient());
            }
            if (failure instanceof ProblemException problem) {
                // an agent channel's agent: gone, foreign or inactive for good; registry away for a while
                return new Outcome(null, DeliveryAttempt.REFUSED, problem.getMessage(), null, null, false,
                        problem.status() >= 500);
            }
            if (failure instanceof EgressRefusedException refused) {
                return new Outcome(null, DeliveryAttempt.REFUSED, refused.getMessage(), null, null, false, false);
            }
            if (failure instanceof UpstreamException upstream && upstream.timeout()) {
                return new Outcome(null, DeliveryAttempt.TIMEOUT, "no answer in time", null, null, false, true);
            }
            if (failure instanceof UpstreamException upstream && upstream.statusCode() != null) {
                // the answer's status came, its body was too large to read
                int status = upstream.statusCode();
                boolean delivered = status >= 200 && status < 300;
                return new Outcome(status, delivered ? null : DeliveryAttempt.HTTP,
                        "destination answered HTTP " + status + " with more than 1 MiB", null, null, delivered,
                        retryableStatus(status));
            }
            String cause = failure instanceof UpstreamException ? failure.getMessage() : failure.getClass().getSimpleName();
            return new Outcome(null, DeliveryAttempt.CONNECTION, "connection failed: "
                    + cause.replaceFirst("^agent unreachable: ", ""), null, null, false, true);
        }

        private static SMTPException smtp(Throwable failure) {
            for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof SMTPException smtp) {
                    return smtp;
                }
            }
            return null;
        }

        private static boolean retryableStatus(int status) {
            return status == 429 || status >= 500;
        }

        private static String excerpt(Buffer body) {
            if (body == null || body.length() == 0) {
                return null;
            }
            String text = SecretRedaction.redact(new String(body.getBytes(0, Math.min(body.length(), EXCERPT_BYTES)),
                    StandardCharsets.UTF_8));
            // a redaction marker may be longer than what it replaced; a cut character decodes as U+FFFD
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            return bytes.length <= EXCERPT_BYTES ? text
                    : new String(bytes, 0, EXCERPT_BYTES, StandardCharsets.UTF_8).replaceFirst("\uFFFD$", "");
        }
    }
}
