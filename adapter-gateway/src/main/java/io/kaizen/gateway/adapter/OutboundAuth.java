package io.kaizen.gateway.adapter;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.kaizen.common.agents.AgentDefinition;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Puts an agent's outbound credentials on a request ({@code auth_type} of registry): {@code none}; {@code api_key}
 * in {@code header_name} (default {@code X-API-Key}); {@code bearer_token} and {@code oauth2} (client credentials,
 * see {@link OAuthTokens}) as {@code Authorization: Bearer}; {@code basic}; {@code custom} headers; {@code hmac} as
 * Standard Webhooks signing ({@link WebhookSignature}).
 *
 * <p>The gateway's own headers ({@code traceparent}, {@code Content-Type}, {@code X-Kaizen-*}, {@code webhook-*})
 * always win: a custom header of one of those names is not sent, and an api_key or hmac {@code header_name} of one of
 * those names fails the call, because the receiver relies on them to trace, parse, deduplicate and verify. Credentials exist only in memory here, decrypted by
 * registry, and are never logged nor put in a message.
 */
@ApplicationScoped
public class OutboundAuth {

    static final String DEFAULT_API_KEY_HEADER = "X-API-Key";

    private final OAuthTokens tokens;

    OutboundAuth(OAuthTokens tokens) {
        this.tokens = tokens;
    }

    /** The request as the agent's platform must receive it, with its credentials. */
    public Uni<OutboundRequest> apply(AgentDefinition agent, OutboundRequest request) {
        return Uni.createFrom().deferred(() -> {
            String type = agent.authType() == null ? "none" : agent.authType();
            return switch (type) {
                case "none" -> Uni.createFrom().item(request);
                case "oauth2" -> tokens.accessToken(agent).map(token -> request.withHeader("Authorization", "Bearer " + token));
                default -> Uni.createFrom().item(withStatic(type, agent, request));
            };
        });
    }

    /**
     * Whether a 401 answer to a request sent with {@link #apply} is worth one retry with fresh credentials: only an
     * OAuth token can be renewed (one revoked before it expired), so only then is the kept token dropped.
     */
    public boolean refreshAfterUnauthorized(AgentDefinition agent) {
        if (!"oauth2".equals(agent.authType())) {
            return false;
        }
        tokens.forget(agent);
        return true;
    }

    private OutboundRequest withStatic(String type, AgentDefinition agent, OutboundRequest request) {
        return switch (type) {
            case "api_key" -> {
                String header = AgentCredentials.optional(agent, "header_name");
                header = header == null ? DEFAULT_API_KEY_HEADER : header;
                if (isGatewayHeader(header)) {
                    throw new UpstreamException("the agent's api_key header_name " + header
                            + " is a header the gateway sets itself", false, null);
                }
                yield request.withHeader(header, AgentCredentials.required(agent, "api_key"));
            }
            case "bearer_token" -> request.withHeader("Authorization", "Bearer " + AgentCredentials.required(agent, "token"));
            case "basic" -> request.withHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (AgentCredentials.required(agent, "username") + ":" + AgentCredentials.required(agent, "password"))
                            .getBytes(StandardCharsets.UTF_8)));
            case "custom" -> withCustomHeaders(agent, request);
            case "hmac" -> signed(agent, request);
            default -> throw new UpstreamException("auth_type " + type + " is not supported for outbound calls", false, null);
        };
    }

    private static OutboundRequest withCustomHeaders(AgentDefinition agent, OutboundRequest request) {
        Object headers = agent.credentials() == null ? null : agent.credentials().get("headers");
        if (!(headers instanceof Map<?, ?> map)) {
            throw new UpstreamException("the agent's auth_config.credentials.headers is missing for auth_type custom",
                    false, null);
        }
        OutboundRequest result = request;
        for (Map.Entry<?, ?> header : map.entrySet()) {
            String name = String.valueOf(header.getKey());
            if (!isGatewayHeader(name) && header.getValue() instanceof String value) {
                result = result.withHeader(name, value);
            }
        }
        return result;
    }

    private OutboundRequest signed(AgentDefinition agent, OutboundRequest request) {
        String secret = AgentCredentials.required(agent, "secret_key");
        // the invocation id, so that a receiver sees the same message id on every attempt and can deduplicate
        String id = header(request, "X-Kaizen-Invocation-ID");
        OutboundRequest signed = WebhookSignature.sign(request, secret, id == null ? "msg_" + UUID.randomUUID() : id,
                Instant.now());
        String legacyHeader = AgentCredentials.optional(agent, "header_name");
        if (legacyHeader == null) {
            return signed;
        }
        if (isGatewayHeader(legacyHeader)) {
            throw new UpstreamException("the agent's hmac header_name " + legacyHeader
                    + " is a header the gateway sets itself", false, null);
        }
        String algorithm = AgentCredentials.optional(agent, "algorithm");
        return WebhookSignature.signLegacy(signed, secret, algorithm == null ? "sha256" : algorithm, legacyHeader);
    }

    private static String header(OutboundRequest request, String name) {
        return request.headers().entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    /** Headers the gateway sets on every call, which credentials never replace. */
    static boolean isGatewayHeader(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.equals("traceparent") || lower.equals("content-type") || lower.startsWith("x-kaizen-")
                || lower.startsWith("webhook-");
    }
}
