-- Per-agent budgets and approval triggers, and what governance learns of the agent from its events.
-- Null means "the configured default"; -1 means unlimited.
alter table agent_governance
    add column monthly_budget_usd       numeric(18, 6),
    add column daily_budget_usd         numeric(18, 6),
    add column monthly_execution_limit  integer,
    add column daily_execution_limit    integer,
    add column warning_threshold        numeric(5, 4),
    add column degradation_threshold    numeric(5, 4),
    add column enforcement_mode         varchar(8),
    add column user_requests_per_minute integer,
    add column approval_triggers        text,
    add column platform                 varchar(32),
    add column tags                     text,
    add column environment              varchar(32),
    add column agent_created_at         timestamptz,
    add column deleted_at               timestamptz;

-- Organisation-wide governance: policy combining, default effect, monthly budget, approval-trigger defaults.
create table organization_governance (
    organization_id    varchar(255) primary key,
    combining_strategy varchar(20),
    default_effect     varchar(8),
    monthly_budget_usd numeric(18, 6),
    approval_triggers  text,
    updated_at         timestamptz  not null
);

-- ABAC policies; version goes up on every change.
create table policy (
    id              varchar(64)   primary key,
    organization_id varchar(255)  not null,
    name            varchar(255)  not null,
    description     varchar(1000),
    effect          varchar(8)    not null,
    priority        integer       not null,
    enabled         boolean       not null,
    target          text          not null,
    match           varchar(8)    not null,
    conditions      text          not null,
    version         integer       not null,
    created_by      varchar(255),
    created_at      timestamptz   not null,
    updated_at      timestamptz   not null
);
create unique index policy_name_per_org on policy (organization_id, lower(name));
create index policy_by_org on policy (organization_id, priority);

-- The budget ledger: one row per reservation, the record Redis tallies are rebuilt from.
create table budget_reservation (
    id              varchar(64)    primary key,
    organization_id varchar(255)   not null,
    agent_id        varchar(64)    not null,
    user_id         varchar(255),
    decision_id     varchar(64)    not null,
    invocation_id   varchar(64),
    estimate_usd    numeric(18, 6) not null,
    actual_usd      numeric(18, 6),
    status          varchar(10)    not null,
    month_start     date           not null,
    day_start       date           not null,
    org_reserved    boolean        not null,
    tally_synced    boolean        not null default true,
    reserved_at     timestamptz    not null,
    settled_at      timestamptz
);
create index budget_reservation_outstanding on budget_reservation (agent_id, month_start) where status = 'reserved';
create index budget_reservation_outstanding_org on budget_reservation (organization_id, month_start)
    where status = 'reserved' and org_reserved;
create index budget_reservation_stale on budget_reservation (reserved_at) where status = 'reserved';
create index budget_reservation_unsynced on budget_reservation (settled_at) where not tally_synced;

-- Settled spend and executions per agent and period, kept with each settlement.
create table budget_total (
    agent_id        varchar(64)    not null,
    organization_id varchar(255)   not null,
    period          varchar(8)     not null,
    period_start    date           not null,
    spent_usd       numeric(18, 6) not null,
    executions      bigint         not null,
    primary key (agent_id, period, period_start)
);
create index budget_total_by_org on budget_total (organization_id, period, period_start);

-- Budget thresholds already announced, so each is announced once per scope and period.
create table budget_alert (
    scope_id     varchar(255) not null,
    scope        varchar(32)  not null,
    period_start date         not null,
    threshold    integer      not null,
    alerted_at   timestamptz  not null,
    primary key (scope_id, scope, period_start, threshold)
);

-- Users who have invoked an agent (the first-invocation approval trigger).
create table agent_user_seen (
    agent_id      varchar(64)  not null,
    user_id       varchar(255) not null,
    first_seen_at timestamptz  not null,
    primary key (agent_id, user_id)
);
