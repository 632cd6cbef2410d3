package io.kaizen.governance.budget;

import java.util.ArrayList;
import java.util.List;

import io.kaizen.governance.budget.BudgetTallies.Line;
import io.kaizen.governance.budget.BudgetTallies.Reserved;
import io.kaizen.governance.journal.DecisionJournal;
import io.kaizen.governance.ratelimit.RateLimitWindow;
import io.kaizen.governance.ratelimit.SlidingWindowRateLimiter;
import io.kaizen.governance.redis.LuaScript;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.RedisAPI;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A decision on an agent's own scope in one Lua call ({@code redis/decide.lua}): its rate windows, its budget tallies
 * and, when both admit the call, the hold and the reservation's journal entry, atomically. This is all a decision
 * asks of Redis on the agent's side (DESIGN §3, hot-path rule).
 */
@ApplicationScoped
public class AgentAdmission {

    private static final LuaScript SCRIPT = LuaScript.load("/redis/decide.lua");

    private final RedisAPI redis;
    private final DecisionJournal journal;

    AgentAdmission(RedisAPI redis, DecisionJournal journal) {
        this.redis = redis;
        this.journal = journal;
    }

    /**
     * What the script found: the rate windows' result (null when a tally is missing) and the budget's (null when the
     * windows denied the call; {@code missingLine} ≥ 0 when a tally must be rebuilt first, nothing having changed).
     */
    public record Admitted(SlidingWindowRateLimiter.Result rate, Reserved budget) {

        boolean missing() {
            return rate == null;
        }
    }

    /** Reads the agent's windows without taking anything (governance status): the script with no decision id. */
    public Uni<SlidingWindowRateLimiter.Result> peek(String agentId, List<RateLimitWindow> windows) {
        SlidingWindowRateLimiter.Windows rate = SlidingWindowRateLimiter.windows(agentId, null,
                windows.stream().filter(w -> !w.perUser()).toList());
        List<String> keys = new ArrayList<>(rate.keys());
        keys.add(DecisionJournal.key(agentId));
        List<String> args = new ArrayList<>(List.of(Integer.toString(rate.keys().size()), "",
                Integer.toString(rate.used().size())));
        args.addAll(rate.args());
        return SCRIPT.run(redis, keys, args).map(response -> SlidingWindowRateLimiter.interpret(response, rate.used()));
    }

    public Uni<Admitted> run(String agentId, String userId, String decisionId, List<RateLimitWindow> windows,
            String reservationId, long estimateMicros, boolean hard, List<Line> lines, String journalEntry) {
        SlidingWindowRateLimiter.Windows rate = SlidingWindowRateLimiter.windows(agentId, userId, windows);
        String tag = BudgetTallies.agentTag(agentId);
        List<String> keys = new ArrayList<>(rate.keys());
        lines.forEach(line -> keys.add(BudgetTallies.tallyKey(tag, line.period())));
        keys.add(DecisionJournal.key(agentId));
        List<String> args = new ArrayList<>(List.of(Integer.toString(rate.keys().size()), decisionId,
                Integer.toString(rate.used().size())));
        args.addAll(rate.args());
        args.addAll(List.of(reservationId, Long.toString(estimateMicros), hard ? "1" : "0"));
        for (Line line : lines) {
            args.add(Long.toString(line.usdLimit()));
            args.add(Long.toString(line.executionLimit()));
            args.add(Long.toString(line.rolloverCap()));
        }
        args.add(journalEntry);
        return SCRIPT.run(redis, keys, args).map(response -> {
            if (response.get(0).toLong() < 0) {
                return new Admitted(null, new Reserved(response.get(1).toInteger() - 1, false, -1, false, List.of(),
                        List.of()));
            }
            SlidingWindowRateLimiter.Result result = SlidingWindowRateLimiter.interpret(response, rate.used());
            if (!result.admitted()) {
                return new Admitted(result, null);
            }
            Reserved reserved = BudgetTallies.reserved(response, 2 + 2 * rate.used().size(), lines.size(), true);
            if (reserved.admitted()) {
                journal.appended(agentId);
            }
            return new Admitted(result, reserved);
        });
    }
}
