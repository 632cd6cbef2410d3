create table lineage_record (
    invocation_id          varchar(64)   primary key,
    organization_id        varchar(255)  not null,
    status                 varchar(32)   not null,
    external_user_id       varchar(255),
    external_user_email    varchar(255),
    external_user_name     varchar(255),
    external_system        varchar(255),
    external_session_id    varchar(255),
    external_trace_id      varchar(255),
    external_context       text,
    auth_method            varchar(16),
    auth_subject           varchar(255),
    api_key_id             varchar(64),
    api_key_prefix         varchar(32),
    team_id                varchar(255),
    external_agent_id      varchar(64)   not null,
    external_agent_name    varchar(255),
    external_agent_platform varchar(32),
    external_agent_endpoint varchar(2048),
    trace_id               varchar(64),
    span_id                varchar(32),
    parent_trace_id        varchar(255),
    ip_address             varchar(64),
    user_agent             varchar(1024),
    request_timestamp      timestamptz,
    response_timestamp     timestamptz,
    duration_ms            bigint,
    cost_usd               numeric(18, 6),
    response_status_code   integer,
    error_code             varchar(64),
    error_message          text,
    decision               varchar(32),
    decision_id            varchar(64),
    governance_reason      text,
    created_at             timestamptz   not null
);
create index lineage_org_time on lineage_record (organization_id, request_timestamp desc);
create index lineage_user on lineage_record (organization_id, external_user_id);

create table audit_event (
    event_id        varchar(64)  primary key,
    organization_id varchar(255),
    type            varchar(255) not null,
    source          varchar(255),
    subject         varchar(255),
    occurred_at     timestamptz  not null,
    recorded_at     timestamptz  not null
);
create index audit_event_org on audit_event (organization_id, occurred_at);
create index audit_event_subject on audit_event (subject);
