package io.kaizen.gateway.adapter;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.common.vertx.DetachedContext;
import io.kaizen.gateway.config.OAuthConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * OAuth 2.0 client-credentials access tokens of agents (RFC 6749 §4.4). A token is requested from the agent's
 * {@code token_url} through {@link OutboundHttp} (so the egress guard covers token endpoints too), with the client
 * authenticated by HTTP Basic (§2.3.1), and kept per agent and credentials until its {@code expires_in} less
 * {@link OAuthConfig#expiryMargin()}. Calls that need a token while it is being requested wait for that one request.
 * A failed request is not kept: the next call asks again. Nothing here puts a secret in a message or a log.
 */
@ApplicationScoped
public class OAuthTokens {

    private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final OutboundHttp http;
    private final OAuthConfig config;
    private final Ticker ticker;
    private final AsyncCache<String, Token> tokens;

    @Inject
    OAuthTokens(OutboundHttp http, OAuthConfig config) {
        this(http, config, Ticker.systemTicker());
    }

    /** With a ticker of the test's choosing, so that expiry is tested without waiting for it. */
    OAuthTokens(OutboundHttp http, OAuthConfig config, Ticker ticker) {
        this.http = http;
        this.config = config;
        this.ticker = ticker;
        // the cache bounds memory: it drops failed requests and tokens past their usable time by itself
        this.tokens = Caffeine.newBuilder()
                .maximumSize(config.maxTokens())
                .ticker(ticker)
                .expireAfter(new TokenExpiry())
                .buildAsync();
    }

    /** A token as the endpoint issued it, used until {@code usableUntil} (of the cache's ticker, in nanoseconds). */
    record Token(String accessToken, long usableUntil) {

        @Override
        public String toString() {
            return "Token[usable until " + usableUntil + "]";
        }
    }

    /** A valid access token for the agent: the one kept, or a new one. */
    public Uni<String> accessToken(AgentDefinition agent) {
        return Uni.createFrom().deferred(() -> {
            Client client = Client.of(agent);
            Context caller = Vertx.currentContext();
            CompletableFuture<Token> fresh = new CompletableFuture<>();
            // judged here rather than left to the cache's own expiry and failure removal, which run just after a
            // future completes: a call in that instant would still be handed the expired token or the failure
            CompletableFuture<Token> entry = tokens.asMap().compute(key(agent, client),
                    (key, kept) -> usable(kept) ? kept : fresh);
            if (entry == fresh) {
                // deferred: whatever goes wrong completes the shared future, which would otherwise wait forever
                Uni.createFrom().deferred(() -> request(client))
                        .subscribe().with(fresh::complete, fresh::completeExceptionally);
            }
            // a copy, so that a caller going away cancels only its own wait, not the request the others share
            Uni<Token> token = Uni.createFrom().completionStage(entry.copy());
            if (!entry.isDone()) {
                // a shared request completes on the context of the call that started it: each waiter resumes on its own
                token = DetachedContext.resumeOn(caller, token);
            }
            return token.map(Token::accessToken);
        });
    }

    /** A request still in flight, or a token received and not yet at the end of its usable time. */
    private boolean usable(CompletableFuture<Token> kept) {
        if (kept == null || kept.isCompletedExceptionally() || kept.isCancelled()) {
            return false;
        }
        return !kept.isDone() || kept.getNow(null).usableUntil() - ticker.read() > 0;
    }

    /** Forgets the agent's token, so that the next call requests a new one (the agent refused it). */
    public void forget(AgentDefinition agent) {
        tokens.synchronous().invalidate(key(agent, Client.of(agent)));
    }

    private Uni<Token> request(Client client) {
        StringJoiner form = new StringJoiner("&").add("grant_type=client_credentials");
        client.extras().forEach((name, value) -> form.add(name + "=" + formEncoded(value)));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        headers.put("Accept", "application/json");
        headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                (formEncoded(client.id()) + ":" + formEncoded(client.secret())).getBytes(StandardCharsets.UTF_8)));
        return http.post("OAuth token endpoint", client.tokenUrl(), headers,
                        Buffer.buffer(form.toString()), config.requestTimeout())
                .onFailure(UpstreamException.class).transform(e -> new UpstreamException(
                        "OAuth token request failed: " + e.getMessage(), false, null))
                .map(this::token);
    }

    private Token token(OutboundHttp.Reply reply) {
        JsonObject body = json(reply);
        if (reply.status() < 200 || reply.status() >= 300) {
            // RFC 6749 §5.2: the error code says what went wrong (invalid_client, invalid_scope) and is never secret
            Object error = body == null ? null : body.getValue("error");
            String code = error instanceof String text && ERROR_CODE.matcher(text).matches() ? " (" + text + ")" : "";
            throw failed("the token endpoint answered HTTP " + reply.status() + code);
        }
        if (body == null || !(body.getValue("access_token") instanceof String accessToken) || accessToken.isBlank()) {
            throw failed("the token endpoint's answer has no access_token");
        }
        Object type = body.getValue("token_type");
        if (type != null && !"bearer".equalsIgnoreCase(String.valueOf(type))) {
            throw failed("the token endpoint issued a token that is not a Bearer token");
        }
        Duration lifetime = lifetime(body.getValue("expires_in"));
        // counted from the token's arrival, not from when the cache learns of it
        return new Token(accessToken, ticker.read() + lifetime.minus(config.expiryMargin()).toNanos());
    }

    /** {@code expires_in} in seconds, as a number or (as some servers send it) a string; else the default. */
    private Duration lifetime(Object expiresIn) {
        try {
            long seconds = expiresIn instanceof Number number ? number.longValue()
                    : expiresIn instanceof String text ? Long.parseLong(text.strip()) : -1;
            return seconds > 0 ? Duration.ofSeconds(seconds) : config.defaultLifetime();
        } catch (NumberFormatException e) {
            return config.defaultLifetime();
        }
    }

    private static JsonObject json(OutboundHttp.Reply reply) {
        try {
            return reply.body().length() == 0 ? null : new JsonObject(reply.body().toString(StandardCharsets.UTF_8));
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
    }

    private static UpstreamException failed(String reason) {
        return new UpstreamException("OAuth token request failed: " + reason, false, null);
    }

    private static String formEncoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Per agent and credentials: changed credentials never use the token of the old ones. */
    private static String key(AgentDefinition agent, Client client) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] { client.tokenUrl(), client.id(), client.secret(),
                    String.valueOf(client.extras()) }) {
                digest.update(part.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return agent.id() + "/" + HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The oauth2 credentials of an agent; {@code extras} are {@code scope} and {@code audience} when given. */
    private record Client(String tokenUrl, String id, String secret, Map<String, String> extras) {

        static Client of(AgentDefinition agent) {
            Map<String, String> extras = new LinkedHashMap<>();
            for (String name : new String[] { "scope", "audience" }) {
                String value = AgentCredentials.optional(agent, name);
                if (value != null) {
                    extras.put(name, value);
                }
            }
            return new Client(AgentCredentials.required(agent, "token_url"), AgentCredentials.required(agent, "client_id"),
                    AgentCredentials.required(agent, "client_secret"), extras);
        }

        @Override
        public String toString() {
            return "Client[" + extras.keySet() + "]";
        }
    }

    /** A token is kept for as long as it is usable; a request in flight is kept until it completes. */
    private static final class TokenExpiry implements Expiry<String, Token> {

        @Override
        public long expireAfterCreate(String key, Token token, long currentTime) {
            return Math.max(0, token.usableUntil() - currentTime);
        }

        @Override
        public long expireAfterUpdate(String key, Token token, long currentTime, long currentDuration) {
            return expireAfterCreate(key, token, currentTime);
        }

        @Override
        public long expireAfterRead(String key, Token token, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
