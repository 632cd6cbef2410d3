package io.kaizen.common.metrics;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The names of the metrics the suite exports on {@code /q/metrics} (original-spec §9.5 and §8.6), in one place: the
 * services register their meters under these names, their metric tests scrape these series, and the deploy/k8s test
 * checks that every metric an alert of the {@code PrometheusRule} reads is one of {@link #prometheusSeries()}.
 * Micrometer names a counter's series {@code <name>_total} and a timer's {@code <name>_seconds_*} in Prometheus
 * (docs/operations.md, "Metrics").
 */
public final class MetricNames {

    // governance-service (§9.5)
    /** Gauge per agent ({@code agent_id}): the fraction (0..1) of its most used budget, as its last decision saw it. */
    public static final String BUDGET_USAGE = "external_agent_budget_usage_percentage";
    /**
     * Gauge per agent ({@code agent_id}): USD left in the budget its last decision checked, when that budget counts USD
     * (the original's {@code budget_remaining_usd}).
     */
    public static final String BUDGET_REMAINING = "external_agent_budget_remaining_usd";
    /**
     * Gauge per agent ({@code agent_id}): calls governance allowed it since 00:00 UTC on this replica; summed over the
     * replicas, the day's executions (the original's {@code daily_execution_count}).
     */
    public static final String DAILY_EXECUTIONS = "external_agent_daily_execution_count";
    /**
     * Counter: settlements that charged more than was reserved for the call, so that the budget's settled spend may pass
     * the limit its decision checked (the original's {@code budget_overspend_count}).
     */
    public static final String BUDGET_OVERSPEND = "external_agent_budget_overspend";
    /** Gauge per agent ({@code agent_id}): calls left in its most constraining rate-limit window. */
    public static final String RATE_LIMIT_REMAINING = "external_agent_rate_limit_remaining";
    /** Counter: decisions an ABAC policy denied. */
    public static final String POLICY_DENIALS = "external_agent_policy_denials";
    /** Counter: decisions a budget denied ({@code scope}). */
    public static final String BUDGET_DENIALS = "external_agent_budget_denials";
    /** Counter: decisions that went through the rate limiter (the original's {@code checks_total}). */
    public static final String RATE_LIMIT_CHECKS = "external_agent_rate_limit_checks";
    /** Counter: decisions a rate-limit window refused ({@code window}; the original's {@code exceeded_by_limit}). */
    public static final String RATE_LIMIT_EXCEEDED = "external_agent_rate_limit_exceeded";
    /** Counter: decisions let through because the rate limiter's Redis was unreachable. */
    public static final String RATE_LIMIT_FAIL_OPEN = "external_agent_rate_limit_fail_open";
    /** Timer: ABAC policy evaluation of one decision (the original's {@code policy_evaluation_time_ms}). */
    public static final String POLICY_EVALUATION_TIME = "policy_evaluation_time";
    /** Timer: one whole governance decision, request to answer. */
    public static final String GOVERNANCE_CHECK_LATENCY = "governance_check_latency";
    /** Gauge: 1 when governance's last PING of Redis was answered, else 0. */
    public static final String REDIS_UP = "redis_up";

    // adapter-gateway (§9.5)
    /** Counter: delivery attempts (callbacks, notifications, webhooks; {@code kind}) that failed. */
    public static final String WEBHOOK_FAILURES = "external_agent_webhook_failures";

    // approval-service (§8.6)
    public static final String APPROVALS_CREATED = "approval_requests_created";
    public static final String APPROVALS_APPROVED = "approval_requests_approved";
    public static final String APPROVALS_REJECTED = "approval_requests_rejected";
    public static final String APPROVALS_EXPIRED = "approval_requests_expired";
    /** Timer: from an approval request's creation to its decision. */
    public static final String APPROVAL_LATENCY = "approval_latency";
    /** Gauge: approval requests waiting for a decision. */
    public static final String PENDING_APPROVALS = "pending_approvals_count";

    private static final List<String> GAUGES = List.of(BUDGET_USAGE, BUDGET_REMAINING, DAILY_EXECUTIONS,
            RATE_LIMIT_REMAINING, REDIS_UP, PENDING_APPROVALS);
    private static final List<String> COUNTERS = List.of(POLICY_DENIALS, BUDGET_DENIALS, BUDGET_OVERSPEND,
            RATE_LIMIT_CHECKS,
            RATE_LIMIT_EXCEEDED, RATE_LIMIT_FAIL_OPEN, WEBHOOK_FAILURES, APPROVALS_CREATED, APPROVALS_APPROVED,
            APPROVALS_REJECTED, APPROVALS_EXPIRED);
    /** Timers that publish histogram buckets ({@code _bucket}, for quantiles in alerts). */
    private static final List<String> TIMERS = List.of(POLICY_EVALUATION_TIME, GOVERNANCE_CHECK_LATENCY,
            APPROVAL_LATENCY);

    private MetricNames() {
    }

    /** The Prometheus series name of a counter. */
    public static String total(String counter) {
        return counter + "_total";
    }

    /** The Prometheus series name of a timer's {@code part}: {@code count}, {@code sum}, {@code max} or {@code bucket}. */
    public static String seconds(String timer, String part) {
        return timer + "_seconds_" + part;
    }

    /** Every series name these meters have in Prometheus's text format. */
    public static Set<String> prometheusSeries() {
        Set<String> series = new LinkedHashSet<>(GAUGES);
        COUNTERS.forEach(counter -> series.add(total(counter)));
        for (String timer : TIMERS) {
            for (String part : List.of("count", "sum", "max", "bucket")) {
                series.add(seconds(timer, part));
            }
        }
        return series;
    }
}
