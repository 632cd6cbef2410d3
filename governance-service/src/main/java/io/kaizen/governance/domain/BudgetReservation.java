package io.kaizen.governance.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One line of the budget ledger: an estimate held for an allowed invocation, then settled to its actual cost or
 * released. Spend is charged to the month, week and day the reservation was made in, as stored on it (the week by
 * its local Monday in the organisation's time zone at the time). {@code tallySynced} is false
 * while Redis has not yet seen the settlement.
 */
@Entity
@Table(name = "budget_reservation")
public class BudgetReservation extends PanacheEntityBase {

    public static final String RESERVED = "reserved";
    public static final String SETTLED = "settled";
    public static final String RELEASED = "released";

    @Id
    public String id;
    @Column(name = "organization_id")
    public String organizationId;
    @Column(name = "agent_id")
    public String agentId;
    @Column(name = "user_id")
    public String userId;
    @Column(name = "decision_id")
    public String decisionId;
    @Column(name = "invocation_id")
    public String invocationId;
    @Column(name = "estimate_usd")
    public BigDecimal estimateUsd;
    @Column(name = "actual_usd")
    public BigDecimal actualUsd;
    /** What the call is charged when its agent reports no cost: the agent's cost_per_execution at the time. */
    @Column(name = "configured_cost_usd")
    public BigDecimal configuredCostUsd;
    public String status;
    @Column(name = "month_start")
    public LocalDate monthStart;
    @Column(name = "week_start")
    public LocalDate weekStart;
    @Column(name = "day_start")
    public LocalDate dayStart;
    @Column(name = "org_reserved")
    public boolean orgReserved;
    @Column(name = "tally_synced")
    public boolean tallySynced;
    /** Settled at its estimate by the sweeper because no outcome arrived; the real outcome still corrects it. */
    public boolean swept;
    @Column(name = "reserved_at")
    public Instant reservedAt;
    @Column(name = "settled_at")
    public Instant settledAt;
}
