package io.kaizen.governance.config;

import java.math.BigDecimal;
import java.time.Duration;

import io.kaizen.governance.policy.CombiningStrategy;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Configuration of governance ({@code kaizen.governance.*}); {@code application.properties} also accepts the
 * original system's variable names (original-spec §9.2) for the defaults.
 */
@ConfigMapping(prefix = "kaizen.governance")
public interface GovernanceConfig {

    /** What agents and organisations get for every field they leave unset. */
    Defaults defaults();

    RateLimit rateLimit();

    Budget budget();

    Journal journal();

    /**
     * How long a decision may reuse an agent's and an organisation's configuration before reading it again, while the
     * service cannot hear of changes (its connection listening on {@code kaizen_governance} is down): how stale
     * another replica's view of a change may then be.
     */
    @WithDefault("1s")
    Duration configCacheTtl();

    /**
     * The same while listening: every replica then drops a changed configuration when the change commits, and this
     * only bounds what a lost notification could leave behind.
     */
    @WithDefault("5m")
    Duration configCacheListeningTtl();

    interface Defaults {

        /** Calls per agent per rolling minute. */
        @WithDefault("10")
        int requestsPerMinute();

        /** Calls per agent per rolling hour. */
        @WithDefault("100")
        int requestsPerHour();

        /** Calls per agent per rolling day. */
        @WithDefault("500")
        int requestsPerDay();

        /** Calls per agent and user per rolling minute; -1 for no per-user limit. */
        @WithDefault("-1")
        int userRequestsPerMinute();

        /** USD reserved per call when the caller gives no estimate, and charged when the agent reports no cost. */
        @WithDefault("0.05")
        BigDecimal costPerExecution();

        /** USD per input token, charged when the agent reports token counts but no cost (original-spec §3.5). */
        @WithDefault("0.00001")
        BigDecimal inputTokenRate();

        /** USD per output token, charged when the agent reports token counts but no cost. */
        @WithDefault("0.00003")
        BigDecimal outputTokenRate();

        /** USD per call added to the token price of a call whose agent reports token counts but no cost. */
        @WithDefault("0.001")
        BigDecimal baseInvocationCost();

        /** Monthly budget per agent in USD; -1 for unlimited. */
        @WithDefault("100.0")
        BigDecimal monthlyBudgetUsd();

        /** Daily budget per agent in USD; -1 for unlimited. */
        @WithDefault("10.0")
        BigDecimal dailyBudgetUsd();

        /** Executions per agent per month; -1 for unlimited. */
        @WithDefault("-1")
        int monthlyExecutionLimit();

        /** Executions per agent per day; -1 for unlimited. */
        @WithDefault("-1")
        int dailyExecutionLimit();

        /** Carry the unused USD of a period into the next one (capped by {@link #maxRolloverPercentage()}). */
        @WithDefault("false")
        boolean rolloverUnused();

        /** The most a rollover adds to a line's USD limit, as a fraction of the line's own limit. */
        @WithDefault("0.25")
        BigDecimal maxRolloverPercentage();

        /** Fraction of a budget at which status reports {@code warning_triggered}. */
        @WithDefault("0.80")
        BigDecimal warningThreshold();

        /** Fraction of a budget at which status reports {@code degraded_mode}. */
        @WithDefault("0.90")
        BigDecimal degradationThreshold();

        /** {@code hard} denies past a limit, {@code soft} allows and reports. */
        @WithDefault("hard")
        String enforcementMode();

        /** How an organisation without settings combines its policies. */
        @WithDefault("DENY_OVERRIDES")
        CombiningStrategy combiningStrategy();

        /** The effect when an organisation's policies exist but none applies: {@code deny} or {@code allow}. */
        @WithDefault("deny")
        String defaultEffect();
    }

    interface RateLimit {

        /** Admit calls when Redis is unreachable (budgets still fail closed). */
        @WithDefault("true")
        boolean failOpen();

        /** Length of the "minute" windows; shorter only in tests of window rollover. */
        @WithDefault("60s")
        Duration minuteWindow();

        /** Length of the "hour" window. */
        @WithDefault("1h")
        Duration hourWindow();

        /** Length of the "day" window. */
        @WithDefault("24h")
        Duration dayWindow();
    }

    interface Budget {

        /**
         * A reservation still unsettled after this long is settled at its estimate (the call may have happened;
         * its settlement event was lost; a late one corrects it). Refusals of invocations are kept this long too.
         */
        @WithDefault("15m")
        Duration reservationTimeout();

        /** How often {@code ReservationSweeper} repairs reservations and tallies (read by its schedule). */
        @WithDefault("30s")
        Duration sweepInterval();

        /** How long the settled marker of a reservation stays in Redis to absorb duplicated settlements. */
        @WithDefault("7d")
        Duration settledMarkerTtl();

        /**
         * Outstanding reservations a tally rebuild reads and stages per step: what bounds the memory of a rebuild of
         * an agent holding hundreds of thousands of them.
         */
        @WithDefault("2000")
        int rebuildPage();
    }

    /** The decision journal: how decisions' ledger rows and events go from Redis to PostgreSQL. */
    interface Journal {

        /** Journal entries written per agent in one flush transaction, at most. */
        @WithDefault("500")
        int batchSize();

        /**
         * How often every journal in Redis is looked for, so the entries a crashed replica left are written by
         * another (read by {@code DecisionJournal}'s schedule).
         */
        @WithDefault("30s")
        Duration recoveryInterval();

        /**
         * How long a flush waits after new entries before it starts, for more decisions to join its transaction; 0
         * flushes at once. A reader that needs an agent's entries flushes them at once whatever this says; a crash
         * test holds flushes back for an hour. 20 ms, as the outbox relay gathers commits: at 250-500 decisions a
         * second it halved governance's CPU per decision (bench/README.md, 7 December 2026).
         */
        @WithDefault("20ms")
        Duration flushDelay();
    }
}
