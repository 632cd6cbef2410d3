package io.kaizen.governance.ratelimit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.kaizen.common.governance.Decision.RateLimitState;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Exact sliding-window limits over all windows of an agent in one Lua call (see {@code redis/sliding_window.lua}).
 * Only admitted calls are recorded, so a client that keeps hammering a closed window does not push its own reset
 * further out.
 */
@ApplicationScoped
public class SlidingWindowRateLimiter {

    private final RedisAPI redis;
    private final String script;
    private final String sha;

    SlidingWindowRateLimiter(RedisAPI redis) {
        this.redis = redis;
        this.script = load("/redis/sliding_window.lua");
        this.sha = sha1(script);
    }

    /** The outcome of one attempt: whether it was admitted, and the state of the most constraining window. */
    public record Result(boolean admitted, RateLimitState state) {
    }

    public Uni<Result> acquire(String agentId, String callId, List<RateLimitWindow> windows) {
        List<String> args = new ArrayList<>();
        args.add(null);
        args.add("1");
        args.add("{" + agentId + "}:rl");
        args.add(callId);
        for (RateLimitWindow window : windows) {
            args.add(Long.toString(window.length().toMillis()));
            args.add(Long.toString(window.limit()));
        }
        args.set(0, sha);
        return redis.evalsha(args)
                .onFailure(e -> e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT"))
                .recoverWithUni(() -> {
                    List<String> eval = new ArrayList<>(args);
                    eval.set(0, script);
                    return redis.eval(eval);
                })
                .map(response -> interpret(response, windows));
    }

    private static Result interpret(Response response, List<RateLimitWindow> windows) {
        int denied = response.get(0).toInteger();
        long now = response.get(1).toLong();
        RateLimitWindow reported = null;
        long reportedRemaining = Long.MAX_VALUE;
        long reportedReset = 0;
        for (int i = 0; i < windows.size(); i++) {
            RateLimitWindow window = windows.get(i);
            long count = response.get(2 + 2 * i).toLong();
            long oldest = response.get(3 + 2 * i).toLong();
            long remaining = Math.max(0, window.limit() - count);
            long reset = (oldest < 0 ? now : oldest) + window.length().toMillis();
            boolean thisDenied = denied == i + 1;
            if (thisDenied || (denied == 0 && remaining < reportedRemaining)) {
                reported = window;
                reportedRemaining = remaining;
                reportedReset = reset;
                if (thisDenied) {
                    break;
                }
            }
        }
        Long retryAfter = denied == 0 ? null : Math.max(1, (reportedReset - now + 999) / 1000);
        RateLimitState state = new RateLimitState(reported.name(), reported.limit(), reportedRemaining,
                Instant.ofEpochMilli(reportedReset), retryAfter);
        return new Result(denied == 0, state);
    }

    private static String load(String resource) {
        try (InputStream in = SlidingWindowRateLimiter.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing Lua script " + resource, e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
