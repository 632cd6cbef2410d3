package io.kaizen.governance.ratelimit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.kaizen.common.governance.Decision.RateLimitState;
import io.vertx.mutiny.redis.client.Response;

/**
 * Exact sliding-window limits over all windows of an agent (and of the agent and one user), checked in the decision's
 * one Lua call ({@code redis/decide.lua}): the keys and arguments of the windows, and the reading of the answer. Only
 * admitted calls are recorded, so a client that keeps hammering a closed window does not push its own reset further
 * out.
 */
public final class SlidingWindowRateLimiter {

    private SlidingWindowRateLimiter() {
    }

    /**
     * The outcome of one attempt: whether it was admitted, the state of the most constraining window (the denying
     * one when denied) and the number of calls counted in each window, in the order given.
     */
    public record Result(boolean admitted, String deniedWindow, RateLimitState state, List<Long> counts) {
    }

    /**
     * The keys of an agent's windows (the agent's, and the agent and user's when a per-user window applies) and, per
     * window used, its key index (1-based), length in ms and limit: the arguments a window script reads.
     */
    public record Windows(List<String> keys, List<String> args, List<RateLimitWindow> used) {
    }

    public static Windows windows(String agentId, String userId, List<RateLimitWindow> windows) {
        String tag = "{" + agentId + "}";
        List<String> keys = new ArrayList<>(List.of(tag + ":rl"));
        boolean perUser = userId != null && windows.stream().anyMatch(RateLimitWindow::perUser);
        if (perUser) {
            keys.add(tag + ":rl:u:" + userId);
        }
        List<String> args = new ArrayList<>();
        List<RateLimitWindow> used = new ArrayList<>();
        for (RateLimitWindow window : windows) {
            if (window.perUser() && !perUser) {
                continue;
            }
            used.add(window);
            args.add(window.perUser() ? "2" : "1");
            args.add(Long.toString(window.length().toMillis()));
            args.add(Long.toString(window.limit()));
        }
        return new Windows(keys, args, used);
    }

    /**
     * Reads a window script's answer: {@code {denied_window, now_ms, count_1, oldest_1, ...}} at the start of
     * {@code response}.
     */
    public static Result interpret(Response response, List<RateLimitWindow> windows) {
        if (windows.isEmpty()) {
            // no window was checked (a call resumed after its approval): admitted, with no state to report
            return new Result(true, null, null, List.of());
        }
        int denied = response.get(0).toInteger();
        long now = response.get(1).toLong();
        List<Long> counts = new ArrayList<>();
        int reported = denied - 1;
        long reportedRemaining = denied > 0 ? 0 : Long.MAX_VALUE;
        for (int i = 0; i < windows.size(); i++) {
            long count = response.get(2 + 2 * i).toLong();
            counts.add(count);
            long remaining = Math.max(0, windows.get(i).limit() - count);
            if (denied == 0 && remaining < reportedRemaining) {
                reported = i;
                reportedRemaining = remaining;
            }
        }
        RateLimitWindow window = windows.get(reported);
        long oldest = response.get(3 + 2 * reported).toLong();
        long reset = (oldest < 0 ? now : oldest) + window.length().toMillis();
        Long retryAfter = denied == 0 ? null : Math.max(1, (reset - now + 999) / 1000);
        RateLimitState state = new RateLimitState(window.name(), window.limit(), reportedRemaining,
                Instant.ofEpochMilli(reset), retryAfter);
        return new Result(denied == 0, denied == 0 ? null : window.name(), state, counts);
    }
}
