package io.kaizen.governance.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.kaizen.common.governance.BudgetRemaining;
import io.kaizen.common.governance.Decision;
import io.kaizen.common.governance.Decision.BudgetState;
import io.kaizen.common.governance.Decision.RateLimitState;
import io.kaizen.common.metrics.MetricNames;
import io.kaizen.governance.config.MetricsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The governance metrics of original-spec §9.5, taken from the decisions and settlements themselves: no Redis or
 * database call is made for a metric. Counters of policy and budget denials, of the rate limiter's checks, refusals
 * (by window) and fail-open passes, and of settlements that charged more than was reserved; timers of the whole
 * decision and of its policy evaluation; and gauges per agent: its budget usage, its USD left and its rate-limit
 * remainder as its last decision saw them, and the calls allowed it today on this replica.
 * <p>
 * The per-agent series are bounded: at most {@link MetricsConfig#maxAgentSeries()} agents on a replica (a new one
 * replaces the one idle longest), dropped after {@link MetricsConfig#agentSeriesIdle()} without a decision and at once
 * when this replica reads the agent's deletion. Their only label is {@code agent_id}, never a user or a secret.
 */
@Startup // every counter is scraped (at 0) before the first decision
@ApplicationScoped
public class GovernanceMetrics {

    static final String AGENT = "agent_id";
    private static final long MILLIS_PER_DAY = TimeUnit.DAYS.toMillis(1);

    private final MeterRegistry registry;
    private final MetricsConfig config;
    private final Counter policyDenials;
    private final Counter checks;
    private final Counter failOpen;
    private final Counter overspends;
    private final Timer decisions;
    private final Timer policyEvaluations;
    private final Map<String, AgentSeries> agents = new ConcurrentHashMap<>();

    GovernanceMetrics(MeterRegistry registry, MetricsConfig config) {
        this.registry = registry;
        this.config = config;
        policyDenials = Counter.builder(MetricNames.POLICY_DENIALS).description("Decisions an ABAC policy denied")
                .register(registry);
        checks = Counter.builder(MetricNames.RATE_LIMIT_CHECKS).description("Decisions checked by the rate limiter")
                .register(registry);
        failOpen = Counter.builder(MetricNames.RATE_LIMIT_FAIL_OPEN)
                .description("Decisions let through while the rate limiter's Redis was unreachable").register(registry);
        overspends = Counter.builder(MetricNames.BUDGET_OVERSPEND)
                .description("Settlements that charged more than was reserved for the call").register(registry);
        decisions = Timer.builder(MetricNames.GOVERNANCE_CHECK_LATENCY)
                .description("One governance decision, from its request to its answer")
                .serviceLevelObjectives(millis(5), millis(10), millis(25), millis(50), millis(100), millis(250),
                        millis(1000))
                .register(registry);
        policyEvaluations = Timer.builder(MetricNames.POLICY_EVALUATION_TIME)
                .description("ABAC policy evaluation of one decision")
                .serviceLevelObjectives(Duration.ofNanos(100_000), millis(1), millis(5), millis(25))
                .register(registry);
    }

    /** The policy evaluation of a decision took {@code nanos}. */
    void policyEvaluated(long nanos) {
        policyEvaluations.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A decision was answered; {@code startedNanos} is when its request came. */
    void decided(String agentId, Decision decision, long startedNanos) {
        decisions.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
        switch (decision.outcome()) {
            case DENY_POLICY -> policyDenials.increment();
            case DENY_RATE -> Counter.builder(MetricNames.RATE_LIMIT_EXCEEDED)
                    .description("Decisions a rate-limit window refused")
                    .tag("window", decision.rateLimit() == null ? "unknown" : decision.rateLimit().window())
                    .register(registry).increment();
            case DENY_BUDGET -> Counter.builder(MetricNames.BUDGET_DENIALS).description("Decisions a budget denied")
                    .tag("scope", decision.budget() == null ? "unknown" : decision.budget().scope())
                    .register(registry).increment();
            default -> {
            }
        }
        if (decision.rateLimitFailOpen()) {
            failOpen.increment();
        }
        if (decision.rateLimit() != null || decision.rateLimitFailOpen()) {
            checks.increment();
        }
        BudgetState budget = decision.budget();
        RateLimitState rate = decision.rateLimit();
        boolean usage = budget != null && budget.usagePercentage() != null;
        // the USD left after the call, as lineage reads it from the decision
        BudgetRemaining usd = BudgetRemaining.of(budget, decision.reservationId());
        boolean executes = decision.outcome() == Decision.Outcome.ALLOW;
        if (agentId == null || (!usage && usd == null && !executes && rate == null)) {
            return;
        }
        AgentSeries series = agents.get(agentId);
        if (series == null) {
            series = admit(agentId);
        }
        series.touched = System.nanoTime();
        if (usage) {
            series.usage(budget.usagePercentage().doubleValue());
        }
        if (usd != null) {
            series.remainingUsd(usd.after().doubleValue());
        }
        if (executes) {
            series.executed(utcDay());
        }
        if (rate != null) {
            series.rate(rate);
        }
    }

    /** A settlement charged more than was reserved for its call; counted once, when its tallies took it. */
    public void overspent() {
        overspends.increment();
    }

    /** The agent was deleted: its series go now. */
    public void forget(String agentId) {
        AgentSeries series = agents.remove(agentId);
        if (series != null) {
            series.remove();
        }
    }

    /** Drops the series of agents without a decision for {@link MetricsConfig#agentSeriesIdle()}. */
    @Scheduled(every = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void forgetIdle() {
        long idle = config.agentSeriesIdle().toNanos();
        long now = System.nanoTime();
        agents.forEach((agentId, series) -> {
            if (now - series.touched > idle) {
                forget(agentId);
            }
        });
    }

    /** The agents that have series now (for tests and the bound). */
    int agentsTracked() {
        return agents.size();
    }

    private AgentSeries admit(String agentId) {
        if (agents.size() >= config.maxAgentSeries()) {
            agents.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().touched))
                    .ifPresent(oldest -> forget(oldest.getKey()));
        }
        return agents.computeIfAbsent(agentId, AgentSeries::new);
    }

    /** Days since 1970-01-01 UTC: a day's number without a date object on every decision. */
    private static long utcDay() {
        return System.currentTimeMillis() / MILLIS_PER_DAY;
    }

    private static Duration millis(long millis) {
        return Duration.ofMillis(millis);
    }

    /** One agent's gauges, each registered when it first has a value. */
    private final class AgentSeries {

        private final String agentId;
        volatile long touched = System.nanoTime();
        private volatile double usage;
        private volatile long remaining;
        private volatile long limit;
        private volatile long resetAtMillis;
        private volatile double remainingUsd;
        /** The UTC day ({@link #utcDay}) of {@link #executions}; guarded by {@code this}. */
        private long day = -1;
        private long executions;
        private volatile Gauge usageGauge;
        private volatile Gauge remainingGauge;
        private volatile Gauge remainingUsdGauge;
        private volatile Gauge executionsGauge;
        /** Set once forgotten: a decision still running on it registers nothing more; guarded by {@code this}. */
        private boolean removed;
        /** Every gauge registered, each removed with the series; guarded by {@code this}. */
        private final List<Gauge> registered = new ArrayList<>();

        AgentSeries(String agentId) {
            this.agentId = agentId;
        }

        void usage(double fraction) {
            usage = fraction;
            if (usageGauge == null) {
                usageGauge = register(MetricNames.BUDGET_USAGE, s -> s.usage,
                        "Fraction (0..1) of the agent's most used budget at its last decision");
            }
        }

        void remainingUsd(double usd) {
            remainingUsd = usd;
            if (remainingUsdGauge == null) {
                remainingUsdGauge = register(MetricNames.BUDGET_REMAINING, s -> s.remainingUsd,
                        "USD left in the budget the agent's last decision checked");
            }
        }

        synchronized void executed(long today) {
            if (today != day) {
                day = today;
                executions = 0;
            }
            executions++;
            if (executionsGauge == null) {
                executionsGauge = register(MetricNames.DAILY_EXECUTIONS, AgentSeries::executionsToday,
                        "Calls governance allowed the agent since 00:00 UTC, on this replica");
            }
        }

        /** A new day starts at zero, before any call of it was allowed. */
        private synchronized double executionsToday() {
            return utcDay() == day ? executions : 0;
        }

        void rate(RateLimitState state) {
            limit = state.limit();
            remaining = state.remaining();
            resetAtMillis = state.resetAt() == null ? Long.MAX_VALUE : state.resetAt().toEpochMilli();
            if (remainingGauge == null) {
                remainingGauge = register(MetricNames.RATE_LIMIT_REMAINING, AgentSeries::remaining,
                        "Calls left in the agent's most constraining rate-limit window");
            }
        }

        /**
         * One of the agent's gauges, registered now unless its series were removed (null then). Registering a gauge
         * twice, from two decisions at once, gives the one meter.
         */
        private synchronized Gauge register(String name, ToDoubleFunction<AgentSeries> value, String description) {
            if (removed) {
                return null;
            }
            Gauge gauge = Gauge.builder(name, this, value).description(description).tag(AGENT, agentId)
                    .strongReference(true).register(registry);
            registered.add(gauge);
            return gauge;
        }

        /** Once the window has reset, its whole limit is left again (no decision came to say so). */
        private double remaining() {
            return System.currentTimeMillis() >= resetAtMillis ? limit : remaining;
        }

        synchronized void remove() {
            removed = true;
            registered.forEach(registry::remove);
        }
    }
}
