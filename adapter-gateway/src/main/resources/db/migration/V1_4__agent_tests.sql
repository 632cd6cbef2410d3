-- Test messages of POST /api/v1/external-agents/{id}/test, counted for their limit of 10 per agent per hour.
create table agent_test (
    id              varchar(64)  primary key,
    organization_id varchar(255) not null,
    agent_id        varchar(64)  not null,
    tested_at       timestamptz  not null
);
create index agent_test_window on agent_test (agent_id, tested_at);
