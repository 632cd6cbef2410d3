package io.kaizen.gateway.service;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.problem.ErrorCode;
import io.kaizen.common.problem.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The {@code Idempotency-Key} of invoke requests, per organisation, for 24 hours. The first request under a key
 * claims it (a row without an answer) and stores its answer when done; a repeat with the same request gets that
 * answer again, one with a different request is a 422, and one while the first is still in flight a 409 (a claim
 * left by a gateway that stopped is taken over after {@link #IN_FLIGHT}). An answer of 500 or more is not kept: the
 * key is released so the client can retry.
 */
@ApplicationScoped
public class IdempotencyKeys {

    static final Duration LIFETIME = Duration.ofHours(24);
    /**
     * How long a claim without an answer holds the key: beyond the longest agent timeout (300 s), so only a claim
     * whose gateway stopped mid-request is ever taken over.
     */
    static final Duration IN_FLIGHT = Duration.ofMinutes(10);
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
    private static final Logger LOG = Logger.getLogger(IdempotencyKeys.class);
    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
    };

    private final ObjectMapper mapper;

    IdempotencyKeys(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** An answer given under a key: status, the headers worth repeating, and the body. */
    public record Answer(int status, Map<String, String> headers, String body) {
    }

    /** A key as sent: 1–255 visible ASCII characters, else a 400. */
    public static String validate(String key) {
        if (!KEY.matcher(key).matches()) {
            throw ProblemException.validation("Header 'Idempotency-Key' must be 1–255 visible ASCII characters");
        }
        return key;
    }

    /**
     * Claims the key for a request, or gives the answer stored under it.
     *
     * @param requestHash a digest of everything that makes the request what it is (agent, mode, body)
     * @return empty when the key is now this request's to answer; the first answer when it is a repeat
     */
    public Uni<Optional<Answer>> claim(String organizationId, String key, String requestHash) {
        Instant now = Instant.now();
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                        "insert into idempotency_key (organization_id, idempotency_key, request_hash, created_at,"
                                + " expires_at) values (:organization, :key, :hash, :now, :expires)"
                                + " on conflict (organization_id, idempotency_key) do update"
                                + " set request_hash = excluded.request_hash, status_code = null,"
                                + " response_headers = null, response_body = null, created_at = excluded.created_at,"
                                + " expires_at = excluded.expires_at where idempotency_key.expires_at <= :now"
                                + " or (idempotency_key.status_code is null and idempotency_key.created_at <= :stale)")
                .setParameter("organization", organizationId)
                .setParameter("key", key)
                .setParameter("hash", requestHash)
                .setParameter("now", now)
                .setParameter("expires", now.plus(LIFETIME))
                .setParameter("stale", now.minus(IN_FLIGHT))
                .executeUpdate()
                .chain(claimed -> claimed == 1 ? Uni.createFrom().item(Optional.<Answer>empty())
                        : session.createNativeQuery("select request_hash, status_code, response_headers, response_body"
                                        + " from idempotency_key where organization_id = :organization"
                                        + " and idempotency_key = :key", Object[].class)
                                .setParameter("organization", organizationId)
                                .setParameter("key", key)
                                .getSingleResult()
                                .map(row -> Optional.of(stored(row, requestHash))))));
    }

    private Answer stored(Object[] row, String requestHash) {
        if (!requestHash.equals(row[0])) {
            throw new ProblemException(422, ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "This Idempotency-Key was used for a different request; use a new key for a new request");
        }
        if (row[1] == null) {
            throw ProblemException.conflict("A request with this Idempotency-Key is still in progress; retry later")
                    .header("Retry-After", "1");
        }
        try {
            return new Answer(((Number) row[1]).intValue(), mapper.readValue((String) row[2], HEADERS), (String) row[3]);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored answer is unreadable", e);
        }
    }

    /** Stores the answer to a claimed key; an answer of 500 or more releases the key instead. */
    public Uni<Void> complete(String organizationId, String key, Answer answer) {
        Uni<Integer> write;
        if (answer.status() >= 500) {
            write = Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                            "delete from idempotency_key where organization_id = :organization and idempotency_key = :key"
                                    + " and status_code is null")
                    .setParameter("organization", organizationId)
                    .setParameter("key", key)
                    .executeUpdate()));
        } else {
            String headers;
            try {
                headers = mapper.writeValueAsString(new LinkedHashMap<>(answer.headers()));
            } catch (JsonProcessingException e) {
                return Uni.createFrom().failure(e);
            }
            write = Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                            "update idempotency_key set status_code = :status, response_headers = :headers,"
                                    + " response_body = :body where organization_id = :organization"
                                    + " and idempotency_key = :key and status_code is null")
                    .setParameter("status", answer.status())
                    .setParameter("headers", headers)
                    .setParameter("body", answer.body())
                    .setParameter("organization", organizationId)
                    .setParameter("key", key)
                    .executeUpdate()));
        }
        return write.replaceWithVoid();
    }

    @Scheduled(every = "${kaizen.gateway.idempotency.purge-interval:15m}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purgeExpired() {
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                                "delete from idempotency_key where expires_at <= :now")
                        .setParameter("now", Instant.now())
                        .executeUpdate()))
                .onFailure().invoke(e -> LOG.warnf("idempotency key purge failed: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Headers of an answer that a replay repeats. */
    public static final List<String> REPEATED_HEADERS = List.of("Content-Type", "Location", "Retry-After",
            "X-Kaizen-Invocation-ID", "X-Kaizen-Trace-ID", "X-Kaizen-Cost-USD", "X-Kaizen-Duration-MS",
            "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Budget-Reset");
}
