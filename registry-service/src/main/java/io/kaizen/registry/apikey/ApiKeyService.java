package io.kaizen.registry.apikey;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.ApiKeyEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.Topics;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.rest.Paging;
import io.kaizen.common.security.ApiKeyFormat;
import io.kaizen.common.security.ApiKeyVerification;
import io.kaizen.common.security.KaizenPrincipal;
import io.kaizen.common.security.Permissions;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Creating, listing, revoking and verifying API keys. */
@ApplicationScoped
public class ApiKeyService {

    /** How stale {@code last_used_at} may get: a key in constant use costs one write per interval, not per request. */
    static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private final ApiKeyRepository keys;
    private final Outbox outbox;
    private final ObjectMapper mapper;

    ApiKeyService(ApiKeyRepository keys, Outbox outbox, ObjectMapper mapper) {
        this.keys = keys;
        this.outbox = outbox;
        this.mapper = mapper;
    }

    /**
     * @param held what the caller may do itself; a key can carry no more
     */
    @WithTransaction
    public Uni<CreatedApiKey> create(CreateApiKeyRequest request, KaizenPrincipal caller, Set<String> held) {
        List<String> scopes = grantable(request.scopes(), held);
        String teamId = team(request.teamId(), caller);
        // PostgreSQL keeps microseconds; the answer shows what is stored
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant expiresAt = request.expiresAt() == null ? null : request.expiresAt().truncatedTo(ChronoUnit.MICROS);
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw ProblemException.validation("Field 'expires_at' must be in the future");
        }
        String secret = ApiKeyFormat.generate();
        ApiKey key = new ApiKey();
        key.id = PrefixedId.next(PrefixedId.API_KEY);
        key.organizationId = caller.organizationId();
        key.teamId = teamId;
        key.name = request.name();
        key.prefix = ApiKeyFormat.displayPrefix(secret);
        key.keyHash = ApiKeyFormat.hash(secret);
        key.scopes = json(scopes);
        key.createdBy = caller.subject();
        key.createdAt = now;
        key.expiresAt = expiresAt;
        return keys.persist(key)
                .call(saved -> outbox.add(Topics.AGENTS, EventTypes.APIKEY_CREATED, saved.id, saved.organizationId,
                        event(saved, caller.subject(), now)))
                .map(saved -> new CreatedApiKey(saved.id, saved.name, secret, saved.prefix, scopes, saved.teamId,
                        saved.organizationId, saved.createdAt, saved.expiresAt));
    }

    @WithSession
    public Uni<ApiKeyView.Page> list(String organizationId, Paging paging) {
        return keys.countInOrganization(organizationId)
                .chain(total -> keys.page(organizationId, paging.page(), paging.limit())
                        .map(found -> new ApiKeyView.Page(found.stream().map(this::view).toList(), total,
                                paging.page(), paging.limit(), paging.hasMore(total))));
    }

    /** Revokes a key of the caller's organisation; revoking a revoked key changes nothing and announces nothing. */
    @WithTransaction
    public Uni<Void> revoke(String id, KaizenPrincipal caller) {
        return keys.findInOrganization(id, caller.organizationId())
                .onItem().ifNull().failWith(() -> notFound(id))
                .chain(key -> {
                    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    return keys.revoke(key.id, now, caller.subject()).chain(revoked -> {
                        if (revoked == 0) {
                            return Uni.createFrom().voidItem();
                        }
                        key.revokedAt = now;
                        return outbox.add(Topics.AGENTS, EventTypes.APIKEY_REVOKED, key.id, key.organizationId,
                                event(key, caller.subject(), now)).replaceWithVoid();
                    });
                });
    }

    /** Whose key has this hash, if it is usable now; records the use at most once per {@link #LAST_USED_RESOLUTION}. */
    @WithSession
    public Uni<ApiKeyVerification> verify(String keyHash) {
        Instant now = Instant.now();
        return keys.findByHash(keyHash).chain(key -> {
            if (key == null || !key.isActive(now)) {
                return Uni.createFrom().item(ApiKeyVerification.invalid());
            }
            ApiKeyVerification valid = new ApiKeyVerification(true, key.id, key.organizationId, key.teamId,
                    key.prefix, Set.copyOf(read(key.scopes)), key.createdBy);
            Instant staleBefore = now.minus(LAST_USED_RESOLUTION);
            if (key.lastUsedAt != null && !key.lastUsedAt.isBefore(staleBefore)) {
                return Uni.createFrom().item(valid);
            }
            return Panache.withTransaction(() -> keys.touch(key.id, now.truncatedTo(ChronoUnit.MICROS), staleBefore))
                    .replaceWith(valid);
        });
    }

    /** The requested scopes, de-duplicated: each must be a known permission (400) the caller holds (403). */
    private static List<String> grantable(List<String> requested, Set<String> held) {
        Set<String> scopes = new LinkedHashSet<>(requested);
        for (String scope : scopes) {
            if (!Permissions.ALL.contains(scope)) {
                throw ProblemException.validation("Unknown scope '" + scope + "'; scopes are permissions such as "
                        + Permissions.AGENTS_INVOKE).with("scope", scope);
            }
        }
        for (String scope : scopes) {
            if (!held.contains(scope)) {
                throw ProblemException.forbidden("You cannot grant scope '" + scope + "' because you do not hold it")
                        .with("scope", scope);
            }
        }
        return List.copyOf(scopes);
    }

    /** A caller bound to a team creates keys of that team only; an organisation-wide caller may name any team. */
    private static String team(String requested, KaizenPrincipal caller) {
        if (requested == null) {
            return caller.teamId();
        }
        if (caller.teamId() != null && !caller.teamId().equals(requested)) {
            throw ProblemException.forbidden("You can only create API keys for your own team");
        }
        return requested;
    }

    private ApiKeyView view(ApiKey key) {
        return new ApiKeyView(key.id, key.name, key.prefix, read(key.scopes), key.teamId, key.createdAt,
                key.lastUsedAt, key.expiresAt, key.revokedAt);
    }

    private ApiKeyEvent event(ApiKey key, String actor, Instant at) {
        return new ApiKeyEvent(key.id, key.organizationId, key.teamId, key.name, key.prefix, read(key.scopes),
                key.expiresAt, key.revokedAt, actor, at);
    }

    static ProblemException notFound(String id) {
        return ProblemException.notFound("API key " + id + " does not exist or you don't have access");
    }

    private String json(List<String> scopes) {
        try {
            return mapper.writeValueAsString(scopes);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("scopes are plain strings", e);
        }
    }

    private List<String> read(String json) {
        try {
            return mapper.readValue(json, STRINGS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored scopes of an API key are unreadable", e);
        }
    }
}
