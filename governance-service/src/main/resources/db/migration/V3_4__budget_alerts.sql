-- Budget alert configuration: who is told of budget thresholds, and how often. One row per agent that has its own,
-- one per organisation (agent_id = ''): the organisation's is the default of its agents without their own.
create table budget_alert_config (
    organization_id          varchar(255)  not null,
    agent_id                 varchar(64)   not null,
    thresholds               text          not null,
    alert_once_per_threshold boolean       not null,
    cooldown_minutes         integer       not null,
    include_forecast         boolean       not null,
    webhook_url              varchar(2048),
    email_recipients         text          not null,
    channels                 text          not null,
    updated_at               timestamptz   not null,
    primary key (organization_id, agent_id)
);

-- When each budget scope last told its recipients (the cooldown between two alerts of one scope).
create table budget_alert_notice (
    scope_id varchar(255) not null,
    scope    varchar(32)  not null,
    told_at  timestamptz  not null,
    primary key (scope_id, scope)
);

-- The agent's name as its events tell it, for the people budget alerts are told to.
alter table agent_governance add column name varchar(255);
