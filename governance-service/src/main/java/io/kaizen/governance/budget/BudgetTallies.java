package io.kaizen.governance.budget;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.kaizen.governance.redis.LuaScript;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The Redis side of budgets: one tally hash per scope and period ({@code {agt_…}:bud:m:202501},
 * {@code {agt_…}:bud:w:20250113}, {@code {agt_…}:bud:d:20250115}) holding integer micro-USD and execution counts, the
 * unused micro-USD carried from the previous period ({@code carry}) and, as fields {@code r:<id>}, the
 * outstanding reservations it counts, so a rebuild replaces a tally and its reservations together. A settled
 * reservation leaves a marker key ({@code …:bud:settled:<id>}) so a repeated settlement changes nothing. Every step
 * is one Lua script over keys of one hash tag, so it is atomic across replicas and safe on Redis Cluster. The ledger
 * in PostgreSQL is the record; these tallies are rebuilt from it when missing.
 */
@ApplicationScoped
public class BudgetTallies {

    private static final LuaScript RESERVE = LuaScript.load("/redis/budget_reserve.lua");
    private static final LuaScript SETTLE = LuaScript.load("/redis/budget_settle.lua");
    private static final LuaScript RELEASE = LuaScript.load("/redis/budget_release.lua");
    private static final LuaScript CORRECT = LuaScript.load("/redis/budget_correct.lua");
    private static final LuaScript INIT = LuaScript.load("/redis/budget_init.lua");
    private static final LuaScript STAGE = LuaScript.load("/redis/budget_stage.lua");
    /** How long a rebuild's staged pages outlive its last page: a rebuild that died leaves nothing for long. */
    private static final long STAGING_TTL_SECONDS = 600;

    private final RedisAPI redis;

    BudgetTallies(RedisAPI redis) {
        this.redis = redis;
    }

    /**
     * One period of a scope with its limits (-1 = unlimited) and the most its USD limit may grow by the amount carried
     * from the previous period (0: no rollover).
     */
    public record Line(BudgetPeriod period, long usdLimit, long executionLimit, long rolloverCap) {

        public Line(BudgetPeriod period, long usdLimit, long executionLimit) {
            this(period, usdLimit, executionLimit, 0);
        }
    }

    /** A tally's values in micro-USD and executions ({@code rcount}: executions reserved, not yet settled). */
    public record Tally(long spent, long reserved, long count, long rcount) {
        public static final Tally EMPTY = new Tally(0, 0, 0, 0);
    }

    /**
     * A tally's settled part as the ledger says it should be rebuilt: spend and executions, and the unused micro-USD
     * carried from the previous period. Its outstanding reservations are staged beforehand ({@link #stage}).
     */
    public record Rebuilt(long spent, long count, long carry) {
    }

    /**
     * The result of a reservation: {@code missingLine} ≥ 0 when a tally must be rebuilt first; otherwise whether
     * it was admitted, which line was exceeded (-1: none) and how ({@code usd} or {@code executions}), the
     * tallies after the step and the rollover added to each line's USD limit (empty: none).
     */
    public record Reserved(int missingLine, boolean admitted, int exceededLine, boolean executionsExceeded,
            List<Tally> tallies, List<Long> rollovers) {

        /** The rollover added to line {@code i}'s USD limit. */
        public long rollover(int i) {
            return i < rollovers.size() ? rollovers.get(i) : 0;
        }
    }

    public static String agentTag(String agentId) {
        return "{" + agentId + "}";
    }

    public static String organizationTag(String organizationId) {
        return "{org:" + organizationId + "}";
    }

    public Uni<Reserved> reserve(String tag, String reservationId, long estimateMicros, boolean hard, List<Line> lines) {
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>(List.of(reservationId, Long.toString(estimateMicros), hard ? "1" : "0"));
        for (Line line : lines) {
            keys.add(tallyKey(tag, line.period()));
            args.add(Long.toString(line.usdLimit()));
            args.add(Long.toString(line.executionLimit()));
        }
        return RESERVE.run(redis, keys, args).map(response -> {
            if (response.get(0).toLong() < 0) {
                return new Reserved(response.get(1).toInteger() - 1, false, -1, false, List.of(), List.of());
            }
            return reserved(response, 0, lines.size(), false);
        });
    }

    /**
     * Reads a reservation's answer, {@code {admitted, exceeded_tally, exceeded_kind, spent_1, reserved_1, count_1,
     * rcount_1, ...}}, followed by {@code {rollover_1, ...}} when {@code withRollovers}, starting at {@code offset} of
     * {@code response}.
     */
    static Reserved reserved(Response response, int offset, int lines, boolean withRollovers) {
        List<Tally> tallies = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            int at = offset + 3 + 4 * i;
            tallies.add(new Tally(response.get(at).toLong(), response.get(at + 1).toLong(),
                    response.get(at + 2).toLong(), response.get(at + 3).toLong()));
        }
        List<Long> rollovers = new ArrayList<>();
        for (int i = 0; withRollovers && i < lines; i++) {
            rollovers.add(response.get(offset + 3 + 4 * lines + i).toLong());
        }
        return new Reserved(-1, response.get(offset).toInteger() == 1, response.get(offset + 1).toInteger() - 1,
                response.get(offset + 2).toInteger() == 2, tallies, rollovers);
    }

    /**
     * Settles a reservation to its actual cost (one execution) on the tallies of its own periods. Emits false when
     * Redis had already settled it.
     */
    public Uni<Boolean> settle(String tag, String reservationId, List<BudgetPeriod> periods, long actualMicros,
            long markerTtlSeconds) {
        List<String> keys = new ArrayList<>();
        keys.add(settledKey(tag, reservationId));
        periods.forEach(period -> keys.add(tallyKey(tag, period)));
        return SETTLE.run(redis, keys, List.of(reservationId, Long.toString(actualMicros), "1",
                Long.toString(markerTtlSeconds)))
                .map(response -> response.get(0).toInteger() == 1);
    }

    /** Gives a reservation back on the tallies of its own periods; harmless when they no longer hold it. */
    public Uni<Void> release(String tag, String reservationId, List<BudgetPeriod> periods) {
        List<String> keys = periods.stream().map(period -> tallyKey(tag, period)).toList();
        return RELEASE.run(redis, keys, List.of(reservationId)).replaceWithVoid();
    }

    /**
     * Adds the difference between a swept settlement and the real outcome. Emits false when Redis had already
     * applied this correction.
     */
    public Uni<Boolean> correct(String tag, String reservationId, List<BudgetPeriod> periods, long spentDeltaMicros,
            long executionsDelta, long markerTtlSeconds) {
        List<String> keys = new ArrayList<>();
        keys.add(settledKey(tag, reservationId));
        periods.forEach(period -> keys.add(tallyKey(tag, period)));
        return CORRECT.run(redis, keys, List.of(Long.toString(spentDeltaMicros), Long.toString(executionsDelta),
                Long.toString(markerTtlSeconds)))
                .map(response -> response.toInteger() == 1);
    }

    /** Starts a rebuild's staging over: pages a rebuild that died half-way left behind are dropped. */
    public Uni<Void> startStaging(String tag, List<BudgetPeriod> periods) {
        return redis.del(periods.stream().map(period -> stagingKey(tag, period)).toList()).replaceWithVoid();
    }

    /**
     * Stages one page of a rebuild's outstanding reservations (id → estimate in micro-USD), per period
     * ({@code held.get(i)} for {@code periods.get(i)}); {@link #create} then makes the tallies.
     */
    public Uni<Void> stage(String tag, List<BudgetPeriod> periods, List<Map<String, Long>> held) {
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>(List.of(Integer.toString(periods.size()),
                Long.toString(STAGING_TTL_SECONDS)));
        for (int i = 0; i < periods.size(); i++) {
            keys.add(stagingKey(tag, periods.get(i)));
            args.add(Integer.toString(held.get(i).size()));
            held.get(i).forEach((id, estimate) -> {
                args.add(id);
                args.add(Long.toString(estimate));
            });
        }
        return STAGE.run(redis, keys, args).replaceWithVoid();
    }

    /** Creates the tallies that do not exist, each whole from its staged reservations and the ledger's values. */
    public Uni<Void> create(String tag, List<BudgetPeriod> periods, List<Rebuilt> values, Instant now) {
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>(List.of(Integer.toString(periods.size())));
        for (int i = 0; i < periods.size(); i++) {
            keys.add(tallyKey(tag, periods.get(i)));
            Rebuilt tally = values.get(i);
            args.addAll(List.of(Long.toString(tally.spent()), Long.toString(tally.count()),
                    Long.toString(periods.get(i).ttlSeconds(now)), Long.toString(tally.carry())));
        }
        periods.forEach(period -> keys.add(stagingKey(tag, period)));
        return INIT.run(redis, keys, args).replaceWithVoid();
    }

    /** Whether every tally of {@code periods} exists. */
    public Uni<Boolean> exist(String tag, List<BudgetPeriod> periods) {
        return redis.exists(periods.stream().map(period -> tallyKey(tag, period)).toList())
                .map(count -> count.toInteger() == periods.size());
    }

    /** Reads tallies without changing them; a missing tally reads as null. */
    public Uni<List<Tally>> read(String tag, List<BudgetPeriod> periods) {
        List<Uni<Tally>> reads = periods.stream().map(period -> redis.hmget(List.of(tallyKey(tag, period), "spent",
                "reserved", "count", "rcount")).map(BudgetTallies::tally)).toList();
        return Uni.join().all(reads).andFailFast();
    }

    /** Drops tallies so the next use rebuilds them from the ledger (after Redis missed a settlement). */
    public Uni<Void> forget(String tag, List<BudgetPeriod> periods) {
        return redis.del(periods.stream().map(period -> tallyKey(tag, period)).toList()).replaceWithVoid();
    }

    private static Tally tally(Response response) {
        if (response == null || response.get(0) == null) {
            return null;
        }
        return new Tally(response.get(0).toLong(), response.get(1).toLong(), response.get(2).toLong(),
                response.get(3).toLong());
    }

    static String tallyKey(String tag, BudgetPeriod period) {
        return tag + ":bud:" + period.key();
    }

    /** Where a rebuild stages a tally's reservations: beside it, under the same hash tag (one Redis Cluster slot). */
    private static String stagingKey(String tag, BudgetPeriod period) {
        return tallyKey(tag, period) + ":build";
    }

    private static String settledKey(String tag, String reservationId) {
        return tag + ":bud:settled:" + reservationId;
    }
}
