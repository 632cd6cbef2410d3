create table agent_governance (
    agent_id            varchar(64)    primary key,
    organization_id     varchar(255)   not null,
    requests_per_minute integer,
    requests_per_hour   integer,
    requests_per_day    integer,
    cost_per_execution  numeric(18, 6),
    updated_at          timestamptz    not null
);
