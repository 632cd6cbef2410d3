-- Idempotency-Key of invoke requests (DESIGN §3 step 2): the first request under a key stores its answer; a retry
-- with the same key and body gets that answer again, with another body a 422. A row without status_code is a
-- request still in flight. Keys live 24 hours.
create table idempotency_key (
    organization_id  varchar(255) not null,
    idempotency_key  varchar(255) not null,
    request_hash     varchar(64)  not null,
    status_code      integer,
    response_headers text,
    response_body    text,
    created_at       timestamptz  not null,
    expires_at       timestamptz  not null,
    primary key (organization_id, idempotency_key)
);
create index idempotency_key_expiry on idempotency_key (expires_at);
