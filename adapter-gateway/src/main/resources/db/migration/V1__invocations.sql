create table invocation (
    id                   varchar(64)    primary key,
    organization_id      varchar(255)   not null,
    agent_id             varchar(64)    not null,
    status               varchar(32)    not null,
    decision             varchar(32),
    decision_id          varchar(64),
    external_user_id     varchar(255),
    external_user_email  varchar(255),
    external_system      varchar(255),
    external_session_id  varchar(255),
    trace_id             varchar(64)    not null,
    error_code           varchar(64),
    response_status_code integer,
    cost_usd             numeric(18, 6),
    duration_ms          bigint,
    created_at           timestamptz    not null,
    completed_at         timestamptz
);
create index invocation_agent on invocation (organization_id, agent_id, created_at desc);
