create table approval_request (
    id               varchar(64)   primary key,
    organization_id  varchar(255)  not null,
    agent_id         varchar(64)   not null,
    invocation_id    varchar(64)   not null unique,
    requested_by     varchar(255)  not null,
    status           varchar(16)   not null,
    reasons          text,
    created_at       timestamptz   not null,
    expires_at       timestamptz,
    decided_at       timestamptz
);
create index approval_request_pending on approval_request (organization_id, agent_id) where status = 'pending';
