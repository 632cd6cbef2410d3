package io.kaizen.governance.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.hibernate.reactive.mutiny.Mutiny;

import io.kaizen.common.persistence.JsonIds;
import io.kaizen.governance.domain.BudgetReservation;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The PostgreSQL side of budgets: reservations, settled totals per period and announced thresholds. Callers run
 * these inside a session or transaction of their own.
 */
@ApplicationScoped
public class BudgetLedger {

    private final ObjectMapper mapper;

    BudgetLedger(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Settled spend and executions of one scope in one period. */
    public record Totals(BigDecimal spent, long executions) {
        static final Totals ZERO = new Totals(BigDecimal.ZERO, 0);

        Totals plus(Totals other) {
            return new Totals(spent.add(other.spent), executions + other.executions);
        }
    }

    /** One row of {@code budget_total}: an agent's period (and the organisation it counts for). */
    public record TotalsKey(String agentId, String period, LocalDate start, String organizationId) {
    }

    /** The scopes a reservation counts in. */
    public record Scope(String organizationId, String agentId) {
    }

    /**
     * Serialises settlements and tally rebuilds of one scope until the transaction ends, so a rebuild never reads
     * the ledger between a settlement's commit and its Redis update.
     */
    public Uni<Void> lock(String scopeKey) {
        return Panache.getSession().chain(session -> session
                .createNativeQuery("select count(*) from (select pg_advisory_xact_lock(hashtext(:key))) l")
                .setParameter("key", scopeKey)
                .getSingleResult())
                .replaceWithVoid();
    }

    /** Locks an organisation's and an agent's scope, always in this order so two settlements never wait in a cycle. */
    public Uni<Void> lockScopes(String organizationId, String agentId) {
        return lock(organizationLock(organizationId)).chain(() -> lock(agentLock(agentId)));
    }

    static String agentLock(String agentId) {
        return "budget:" + agentId;
    }

    static String organizationLock(String organizationId) {
        return "budget-org:" + organizationId;
    }

    public Uni<Totals> agentTotals(String agentId, String period, LocalDate start) {
        return totals("select coalesce(sum(spent_usd), 0), coalesce(sum(executions), 0) from budget_total"
                + " where agent_id = :scope and period = :period and period_start = :start", agentId, period, start);
    }

    public Uni<Totals> organizationTotals(String organizationId, LocalDate monthStart) {
        return totals("select coalesce(sum(spent_usd), 0), coalesce(sum(executions), 0) from budget_total"
                + " where organization_id = :scope and period = :period and period_start = :start", organizationId,
                BudgetPeriod.MONTHLY, monthStart);
    }

    /**
     * Adds settled amounts to the totals of agents' periods, each row once, in one statement that touches the rows in
     * key order (so concurrent batches never wait for each other in a cycle). The rows travel as one JSON array.
     */
    public Uni<Void> addToTotals(Map<TotalsKey, Totals> amounts) {
        if (amounts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        amounts.forEach((key, totals) -> rows.add(Map.of("agent_id", key.agentId(),
                "organization_id", key.organizationId(), "period", key.period(),
                "period_start", key.start().toString(), "spent_usd", totals.spent().toPlainString(),
                "executions", totals.executions())));
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "insert into budget_total (agent_id, organization_id, period, period_start, spent_usd, executions)"
                        + " select agent_id, organization_id, period, period_start, spent_usd, executions"
                        + " from json_to_recordset(cast(cast(:rows as text) as json)) as t(agent_id text,"
                        + " organization_id text, period text, period_start date, spent_usd numeric, executions bigint)"
                        + " order by agent_id, period, period_start"
                        + " on conflict (agent_id, period, period_start) do update set"
                        + " spent_usd = budget_total.spent_usd + excluded.spent_usd,"
                        + " executions = budget_total.executions + excluded.executions")
                .setParameter("rows", json(rows))
                .executeUpdate())
                .replaceWithVoid();
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("budget totals are serialisable", e);
        }
    }

    /** The scopes of the reservations of {@code ids} that are in the ledger, by id. */
    public Uni<Map<String, Scope>> scopesOf(List<String> ids) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select id, organization_id, agent_id from budget_reservation where id in " + JsonIds.in("ids"),
                Object[].class)
                .setParameter("ids", JsonIds.json(ids))
                .getResultList())
                .map(rows -> {
                    Map<String, Scope> scopes = new HashMap<>();
                    rows.forEach(row -> scopes.put((String) row[0], new Scope((String) row[1], (String) row[2])));
                    return scopes;
                });
    }

    /** Locks the reservations of {@code ids} for update, in id order (so concurrent batches never wait in a cycle). */
    public Uni<List<BudgetReservation>> lockReservations(List<String> ids) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select * from budget_reservation where id in " + JsonIds.in("ids") + " order by id for update",
                BudgetReservation.class)
                .setParameter("ids", JsonIds.json(ids))
                .getResultList());
    }

    /**
     * Writes the end of reservations (status, amount, swept, settled time, tally synced) in one statement, the rows
     * travelling as one JSON array. The caller holds their row locks ({@link #lockReservations}).
     */
    public Uni<Void> writeEnded(List<BudgetReservation> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Map<String, Object>> ended = new ArrayList<>(rows.size());
        for (BudgetReservation row : rows) {
            Map<String, Object> values = new HashMap<>();
            values.put("id", row.id);
            values.put("status", row.status);
            values.put("actual_usd", row.actualUsd == null ? null : row.actualUsd.toPlainString());
            values.put("swept", row.swept);
            values.put("settled_at", row.settledAt == null ? null
                    : row.settledAt.truncatedTo(ChronoUnit.MICROS).toString());
            values.put("tally_synced", row.tallySynced);
            ended.add(values);
        }
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "update budget_reservation r set status = t.status, actual_usd = t.actual_usd, swept = t.swept,"
                        + " settled_at = t.settled_at, tally_synced = t.tally_synced"
                        + " from json_to_recordset(cast(cast(:rows as text) as json)) as t(id text, status text,"
                        + " actual_usd numeric, swept boolean, settled_at timestamptz, tally_synced boolean)"
                        // the ids again on their own: the planner then reads the rows by key, where the join with
                        // the recordset alone makes it scan the whole ledger
                        + " where r.id = t.id and r.id in " + JsonIds.in("ids"))
                .setParameter("rows", json(ended))
                .setParameter("ids", JsonIds.json(rows.stream().map(row -> row.id).toList()))
                .executeUpdate())
                .replaceWithVoid();
    }

    /** Marks ended reservations whose tally step Redis did not apply, for the sweeper's resync. */
    public Uni<Void> markUnsynced(List<String> ids) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "update budget_reservation set tally_synced = false where id in " + JsonIds.in("ids"))
                .setParameter("ids", JsonIds.json(ids))
                .executeUpdate())
                .replaceWithVoid();
    }

    /** A reservation still held, as a tally rebuild needs it: id, estimate and the periods it was made in. */
    public record Held(String id, BigDecimal estimate, LocalDate monthStart, LocalDate weekStart, LocalDate dayStart) {

        /** Whether a tally of {@code period} holds this reservation. */
        public boolean in(BudgetPeriod period) {
            return period.start().equals(switch (period.name()) {
                case BudgetPeriod.MONTHLY -> monthStart;
                case BudgetPeriod.WEEKLY -> weekStart;
                default -> dayStart;
            });
        }
    }

    private static final String HELD = "select id, estimate_usd, month_start, week_start, day_start"
            + " from budget_reservation where status = 'reserved' and ";
    private static final String PAGE = " and id > :after order by id limit :limit";

    /**
     * Reservations of an agent still held in a month or a week (and so in their day tallies too), handed to
     * {@code page} a page at a time: an agent may hold hundreds of thousands, which at once would not fit in the heap
     * (nor in one Redis call). Read in the caller's session (its transaction holds the scope's lock, so no settlement
     * of the scope commits meanwhile), by keyset on the id: each page is a range of an index.
     */
    public Uni<Void> outstanding(String agentId, LocalDate monthStart, LocalDate weekStart, int size,
            Function<List<Held>, Uni<Void>> page) {
        return pages(HELD + "agent_id = :scope and month_start = :month" + PAGE, agentId, monthStart, null, size, page)
                // the week's reservations made in the previous month (its last days)
                .chain(() -> pages(HELD + "agent_id = :scope and week_start = :week and month_start <> :month" + PAGE,
                        agentId, monthStart, weekStart, size, page));
    }

    /** Reservations held against the organisation-wide budget in a month, a page at a time. */
    public Uni<Void> outstandingForOrganization(String organizationId, LocalDate monthStart, int size,
            Function<List<Held>, Uni<Void>> page) {
        return pages(HELD + "organization_id = :scope and month_start = :month and org_reserved" + PAGE,
                organizationId, monthStart, null, size, page);
    }

    /**
     * Every page of {@code sql}, one after another. A loop, not a recursion: a chain of Unis each reading the next page
     * keeps every page it read reachable until the last one is done (an agent's 356,737 outstanding reservations ran
     * governance out of heap), and a page here is garbage once {@code page} is done with it.
     * {@code weekStart} null: the query has no {@code :week}.
     */
    private Uni<Void> pages(String sql, String scope, LocalDate monthStart, LocalDate weekStart, int size,
            Function<List<Held>, Uni<Void>> page) {
        // keyset: the last id read; ids are never empty, so "" is before them all
        String[] last = {""};
        return Multi.createBy().repeating()
                .uni(() -> page(sql, scope, monthStart, weekStart, last[0], size)
                        // nothing held, the common case: no call for an empty page
                        .call(held -> held.isEmpty() ? Uni.createFrom().voidItem() : page.apply(held))
                        .map(held -> {
                            if (!held.isEmpty()) {
                                last[0] = held.get(held.size() - 1).id();
                            }
                            return held.size();
                        }))
                .whilst(read -> read == size)
                .collect().last()
                .replaceWithVoid();
    }

    private Uni<List<Held>> page(String sql, String scope, LocalDate monthStart, LocalDate weekStart, String after,
            int size) {
        return Panache.getSession().chain(session -> {
            Mutiny.SelectionQuery<Object[]> query = session.createNativeQuery(sql, Object[].class)
                    .setParameter("scope", scope)
                    .setParameter("month", monthStart)
                    .setParameter("after", after)
                    .setParameter("limit", size);
            return (weekStart == null ? query : query.setParameter("week", weekStart)).getResultList();
        }).map(rows -> rows.stream().map(row -> new Held((String) row[0], decimal(row[1]), (LocalDate) row[2],
                (LocalDate) row[3], (LocalDate) row[4])).toList());
    }

    /**
     * The unused USD of the previous period recorded for an agent's {@code period} (before any cap); null while not
     * recorded (its tally was never built).
     */
    public Uni<BigDecimal> recordedCarry(String agentId, BudgetPeriod period) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select carry_usd from budget_total where agent_id = :agent and period = :period"
                        + " and period_start = :start", BigDecimal.class)
                .setParameter("agent", agentId)
                .setParameter("period", period.name())
                .setParameter("start", period.start())
                .getResultList())
                .map(rows -> rows.isEmpty() ? null : rows.get(0));
    }

    /**
     * What is left of an agent's line in {@code period} against its own limit {@code baseMicros}: the limit less the
     * settled spend and the estimates still held (a late settlement never spends more than was held), never below
     * 0; 0 for a line without a USD limit.
     */
    public Uni<Long> unusedMicros(String agentId, BudgetPeriod period, long baseMicros) {
        if (baseMicros <= 0) {
            return Uni.createFrom().item(0L);
        }
        String column = switch (period.name()) {
            case BudgetPeriod.MONTHLY -> "month_start";
            case BudgetPeriod.WEEKLY -> "week_start";
            default -> "day_start";
        };
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select (select coalesce(sum(spent_usd), 0) from budget_total where agent_id = :agent"
                        + " and period = :period and period_start = :start),"
                        + " (select coalesce(sum(estimate_usd), 0) from budget_reservation where agent_id = :agent"
                        + " and status = 'reserved' and " + column + " = :start)", Object[].class)
                .setParameter("agent", agentId)
                .setParameter("period", period.name())
                .setParameter("start", period.start())
                .getSingleResult())
                .map(row -> Math.max(0, baseMicros - Money.actualMicros(decimal(row[0]))
                        - Money.estimateMicros(decimal(row[1]))));
    }

    /** Records the carry of an agent's {@code period} unless one already is; emits the recorded one. */
    public Uni<BigDecimal> recordCarry(String agentId, String organizationId, BudgetPeriod period, BigDecimal carry) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "insert into budget_total (agent_id, organization_id, period, period_start, spent_usd, executions,"
                        + " carry_usd) values (:agent, :org, :period, :start, 0, 0, :carry)"
                        + " on conflict (agent_id, period, period_start) do update set"
                        + " carry_usd = coalesce(budget_total.carry_usd, excluded.carry_usd)")
                .setParameter("agent", agentId)
                .setParameter("org", organizationId)
                .setParameter("period", period.name())
                .setParameter("start", period.start())
                .setParameter("carry", carry)
                .executeUpdate())
                .chain(() -> recordedCarry(agentId, period));
    }

    /**
     * Ids of an invocation's reservations still held, or settled by the sweeper at a guess (normally at most one).
     * Ids only: a settlement batch loads the rows itself, locked.
     */
    public Uni<List<String>> unsettledForInvocation(String invocationId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select id from budget_reservation where invocation_id = :invocation"
                        + " and (status = 'reserved' or swept)", String.class)
                .setParameter("invocation", invocationId)
                .getResultList());
    }

    /** Records that the gateway refused an invocation without knowing governance's decision. */
    public Uni<Void> recordRefusal(String invocationId, Instant refusedAt) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "insert into refused_invocation (invocation_id, refused_at) values (:id, :at) on conflict do nothing")
                .setParameter("id", invocationId)
                .setParameter("at", refusedAt)
                .executeUpdate())
                .replaceWithVoid();
    }

    /** Ids of reservations still held for invocations the gateway refused (committed after the refusal arrived). */
    public Uni<List<String>> outstandingOfRefused(int limit) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select r.id from budget_reservation r join refused_invocation f on f.invocation_id = r.invocation_id"
                        + " where r.status = 'reserved' limit :limit", String.class)
                .setParameter("limit", limit)
                .getResultList());
    }

    /** Reservations held since before {@code cutoff} whose invocation was not refused: their outcome was lost. */
    public Uni<List<BudgetReservation>> stale(Instant cutoff, int limit) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select r.* from budget_reservation r where r.status = 'reserved' and r.reserved_at < :cutoff"
                        + " and not exists (select 1 from refused_invocation f where f.invocation_id = r.invocation_id)"
                        + " limit :limit", BudgetReservation.class)
                .setParameter("cutoff", cutoff)
                .setParameter("limit", limit)
                .getResultList());
    }

    /** Forgets refusals older than {@code cutoff}: any reservation of theirs has been committed and released by then. */
    public Uni<Void> purgeRefusals(Instant cutoff) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "delete from refused_invocation where refused_at < :cutoff")
                .setParameter("cutoff", cutoff)
                .executeUpdate())
                .replaceWithVoid();
    }

    /** Records that a threshold was announced; false when it already was this period. */
    public Uni<Boolean> markThreshold(String scopeId, String scope, LocalDate periodStart, int threshold) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "insert into budget_alert (scope_id, scope, period_start, threshold, alerted_at)"
                        + " values (:id, :scope, :start, :threshold, :now) on conflict do nothing")
                .setParameter("id", scopeId)
                .setParameter("scope", scope)
                .setParameter("start", periodStart)
                .setParameter("threshold", threshold)
                .setParameter("now", Instant.now())
                .executeUpdate())
                .map(inserted -> inserted == 1);
    }

    /**
     * Claims the right to tell a scope's recipients now: true when its last alert was told {@code cooldown} or more
     * ago (or never), or {@code always}; the claim is the row's update, so of two transactions claiming together only
     * one wins (the second waits for the first's row and then finds it told).
     */
    public Uni<Boolean> claimNotice(String scopeId, String scope, Instant now, Duration cooldown, boolean always) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "insert into budget_alert_notice (scope_id, scope, told_at) values (:id, :scope, :now)"
                        + " on conflict (scope_id, scope) do update set told_at = excluded.told_at"
                        + " where cast(:always as boolean) or budget_alert_notice.told_at <= :cutoff")
                .setParameter("id", scopeId)
                .setParameter("scope", scope)
                .setParameter("now", now)
                .setParameter("always", always)
                .setParameter("cutoff", now.minus(cooldown))
                .executeUpdate())
                .map(claimed -> claimed == 1);
    }

    /**
     * One line of an agent in one period: settled spend and executions, estimates and executions still held, and the
     * carry recorded for the period (null: its tally was never built).
     */
    public record LineUsage(BudgetPeriod period, BigDecimal spent, long executions, BigDecimal reserved,
            long reservedCount, BigDecimal carry) {
    }

    public Uni<LineUsage> lineUsage(String agentId, BudgetPeriod period) {
        String column = switch (period.name()) {
            case BudgetPeriod.MONTHLY -> "month_start";
            case BudgetPeriod.WEEKLY -> "week_start";
            default -> "day_start";
        };
        String total = "(select %s from budget_total where agent_id = :agent and period = :period"
                + " and period_start = :start)";
        String held = "(select %s from budget_reservation where agent_id = :agent and status = 'reserved' and "
                + column + " = :start)";
        String sql = "select coalesce(" + total.formatted("spent_usd") + ", 0), coalesce("
                + total.formatted("executions") + ", 0), coalesce(" + held.formatted("sum(estimate_usd)") + ", 0), "
                + held.formatted("count(*)") + ", " + total.formatted("carry_usd");
        return Panache.getSession().chain(session -> session.createNativeQuery(sql, Object[].class)
                .setParameter("agent", agentId)
                .setParameter("period", period.name())
                .setParameter("start", period.start())
                .getSingleResult())
                .map(row -> new LineUsage(period, decimal(row[0]), count(row[1]), decimal(row[2]), count(row[3]),
                        row[4] == null ? null : decimal(row[4])));
    }

    /**
     * The stored settings and this month's and today's settled totals of many agents, in one query: what registry
     * shows on a page of agents. Columns: agent_id, organization_id, monthly_budget_usd, daily_budget_usd,
     * cost_per_execution, monthly_execution_limit, requests_per_minute, requests_per_hour, requests_per_day,
     * month spent, month executions, day spent, day executions.
     */
    public Uni<List<Object[]>> usageOf(List<String> agentIds, LocalDate monthStart, LocalDate dayStart) {
        String sql = "select g.agent_id, g.organization_id, g.monthly_budget_usd, g.daily_budget_usd,"
                + " g.cost_per_execution, g.monthly_execution_limit, g.requests_per_minute, g.requests_per_hour,"
                + " g.requests_per_day, coalesce(m.spent_usd, 0), coalesce(m.executions, 0),"
                + " coalesce(d.spent_usd, 0), coalesce(d.executions, 0),"
                + " g.input_token_rate, g.output_token_rate, g.base_invocation_cost"
                + " from agent_governance g"
                + " left join budget_total m on m.agent_id = g.agent_id and m.period = 'monthly' and m.period_start = :month"
                + " left join budget_total d on d.agent_id = g.agent_id and d.period = 'daily' and d.period_start = :day"
                + " where g.agent_id in " + JsonIds.in("ids") + " and g.deleted_at is null";
        return Panache.getSession().chain(session -> session.createNativeQuery(sql, Object[].class)
                .setParameter("ids", JsonIds.json(agentIds))
                .setParameter("month", monthStart)
                .setParameter("day", dayStart)
                .getResultList());
    }

    static long count(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }

    private Uni<Totals> totals(String sql, String scope, String period, LocalDate start) {
        return Panache.getSession().chain(session -> session.createNativeQuery(sql, Object[].class)
                .setParameter("scope", scope)
                .setParameter("period", period)
                .setParameter("start", start)
                .getSingleResult())
                .map(row -> new Totals(decimal(row[0]), ((Number) row[1]).longValue()));
    }

    static BigDecimal decimal(Object value) {
        return value instanceof BigDecimal d ? d : new BigDecimal(value.toString());
    }
}
