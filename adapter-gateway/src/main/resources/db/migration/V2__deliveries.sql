-- Outbound deliveries (result callbacks, notifications) and the log of their attempts (service.Deliveries).
create table delivery (
    id               varchar(64)  primary key,
    organization_id  varchar(255) not null,
    invocation_id    varchar(64),
    kind             varchar(32)  not null,
    -- the platform whose published rate throttles the destination; null for a plain webhook or callback
    platform         varchar(32),
    -- may carry the destination's secret (a webhook token in the path): never logged, never answered in full
    destination_url  text         not null,
    -- JSON object of the request headers
    headers          text         not null,
    body             bytea        not null,
    status           varchar(16)  not null,
    -- attempts made in all, and attempts left in the current schedule (a replay grants a new schedule)
    attempts         integer      not null default 0,
    attempts_left    integer      not null,
    next_attempt_at  timestamptz  not null,
    -- a dispatcher's claim: other replicas skip the row until lease_until; a crashed replica's claim runs out
    lease_until      timestamptz,
    lease_token      varchar(64),
    last_status_code integer,
    last_error       varchar(512),
    created_at       timestamptz  not null,
    updated_at       timestamptz  not null,
    delivered_at     timestamptz
);
create index delivery_due on delivery (next_attempt_at) where status = 'pending';
create index delivery_organization on delivery (organization_id, status, created_at desc);
create index delivery_invocation on delivery (invocation_id) where invocation_id is not null;

create table delivery_attempt (
    id               bigserial    primary key,
    delivery_id      varchar(64)  not null references delivery (id) on delete cascade,
    attempt          integer      not null,
    attempted_at     timestamptz  not null,
    -- the HTTP status, or null when no answer came (error_kind says why)
    status_code      integer,
    error_kind       varchar(32),
    duration_ms      bigint       not null,
    error            varchar(512),
    response_excerpt varchar(2048)
);
create index delivery_attempt_delivery on delivery_attempt (delivery_id, attempt);
