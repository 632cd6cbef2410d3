-- Approval workflows: one per agent, or the organisation's default (agent_id '*'). Lists are JSON arrays of text.
create table approval_workflow (
    id                  varchar(64)   primary key,
    organization_id     varchar(255)  not null,
    agent_id            varchar(64)   not null,
    approver_roles      text          not null,
    approver_users      text          not null,
    required_approvals  integer       not null,
    allow_self_approval boolean       not null,
    timeout_hours       integer       not null,
    on_timeout          varchar(16)   not null,
    updated_by          varchar(255),
    updated_at          timestamptz   not null,
    unique (organization_id, agent_id)
);

-- A request keeps the workflow it was opened under, so a later change of the workflow never moves its goalposts.
alter table approval_request
    add column requested_by_team   varchar(255),
    add column external_user_id    varchar(255),
    add column estimated_cost      numeric(18, 6),
    add column payload_summary     text,
    add column approver_roles      text          not null default '[]',
    add column approver_users      text          not null default '[]',
    add column required_approvals  integer       not null default 1,
    add column allow_self_approval boolean       not null default false,
    add column on_timeout          varchar(16)   not null default 'expire',
    add column approval_count      integer       not null default 0,
    add column rejection_count     integer       not null default 0;
-- The expiry timer: pending requests by due time, claimed with FOR UPDATE SKIP LOCKED by any replica.
create index approval_request_due on approval_request (expires_at) where status = 'pending';
create index approval_request_listing on approval_request (organization_id, created_at desc);

-- One decision per approver and request: an approver approving twice counts once.
create table approval_decision (
    id           varchar(64)    primary key,
    request_id   varchar(64)    not null references approval_request (id),
    approver_id  varchar(255)   not null,
    decision     varchar(16)    not null,
    reason       varchar(1000),
    decided_at   timestamptz    not null,
    unique (request_id, approver_id)
);

-- Every held invocation a request decides: the first, and those of the same user and agent that joined it.
create table approval_invocation (
    invocation_id  varchar(64)  primary key,
    request_id     varchar(64)  not null references approval_request (id)
);
create index approval_invocation_request on approval_invocation (request_id);
